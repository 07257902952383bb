"""Hidden checks for exercise 07: instructor-only, declared in exercise.toml."""

import random
from pathlib import Path

from conclab.probes.startmethods import methods_to_check, start_method


def test_count_lines_parallel_keeps_order_over_many_files(submission, tmp_path):
    sizes = list(range(0, 900, 100))
    random.Random(7).shuffle(sizes)
    paths = []
    for i, n in enumerate(sizes):
        path = Path(tmp_path) / f"file{i}.txt"
        path.write_text("x\n" * n, encoding="utf-8")
        paths.append(path)
    for method in methods_to_check():
        with start_method(method):
            got = submission.count_lines_parallel(paths, workers=3)
        assert got == sizes, (
            f"[{method}] count_lines_parallel(9 pathlib.Path objects, workers=3) returned "
            f"{got!r}; expected {sizes!r}, one count per path in input order"
        )
