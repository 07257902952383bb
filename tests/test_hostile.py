"""A hostile corpus: each submission breaks exercise 02 in its own way; the grader survives.

For each: exercise 02 scores 0 with a reason naming the cause, exercise 01 graded in the
same run keeps its full score, the run ends within its bound, and no process is left;
with supervisors forked by the zygote and with fresh interpreters. (The sandbox backends
are forced one by one in test_sandbox.py; test_unprivileged.py runs this file as a user.)
"""

from __future__ import annotations

import ast
import shutil
import sys
import time
from pathlib import Path

import psutil
import pytest

from grader.engine.assignment import grade
from grader.manifest import SOLUTIONS_DIR, select

from .conftest import tagged

HOSTILE = Path(__file__).parent / "hostile"
TIMEOUT = 6.0  # seconds per check: these submissions hang on purpose
LIMITS = {"memory_mib": 512}  # keep the memory bomb small on a shared machine
BOUND = 120.0  # seconds the whole run may take, start-up on a loaded machine included

POSIX_ONLY = {"fork_bomb", "segfault", "memory_bomb"}


def expected_fragments(path: Path) -> list[str]:
    source = path.read_bytes().decode("latin-1")
    tree = ast.parse(source.split("\ndef ")[0].split("\nwhile")[0].split("\nos._exit")[0])
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECT":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} has no EXPECT list")


def leftover_processes(tag: str) -> list[psutil.Process]:
    """Processes this test's grading started that are still alive, and zombies below it."""
    left = tagged(tag)
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                left.append(child)
        except psutil.Error:
            continue
    return left


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.py")), ids=lambda p: p.stem)
def test_hostile_submission_scores_zero_and_leaves_nothing(
    path, tmp_path, process_tag, supervisor_start
):
    if path.stem in POSIX_ONLY and sys.platform == "win32":
        pytest.skip("POSIX only")
    first, second = select(["fetch_in_order", "prime_chunks"])
    target = tmp_path / "submission"
    (target / first.folder).mkdir(parents=True)
    shutil.copy(first.module_in(SOLUTIONS_DIR), first.module_in(target))
    (target / second.folder).mkdir(parents=True)
    shutil.copy(path, second.module_in(target))

    started = time.monotonic()
    run = grade([first.slug, second.slug], target, timeout=TIMEOUT, limits=LIMITS)
    elapsed = time.monotonic() - started

    good, bad = run.exercises
    assert good.score == good.max_score, [(c.name, c.message) for c in good.checks if not c.passed]
    assert bad.score == 0, [(c.name, c.status) for c in bad.checks if c.passed]
    reasons = "\n".join(c.message for c in bad.checks).lower()
    for fragment in expected_fragments(path):
        assert fragment.lower() in reasons, f"no reason mentions {fragment!r}:\n{reasons}"
    assert all(c.message.strip() for c in bad.checks), "a failed check without a reason"
    assert elapsed < BOUND, f"grading took {elapsed:.0f} s"
    gone, alive = psutil.wait_procs(leftover_processes(process_tag), timeout=5)
    assert not alive, f"left behind: {[(p.pid, p.name()) for p in alive]}"


def test_missing_file_is_a_clear_failure(tmp_path):
    (exercise,) = select(["prime_chunks"])
    (tmp_path / exercise.folder).mkdir()
    run = grade(["prime_chunks"], tmp_path)
    (result,) = run.exercises
    assert result.score == 0
    assert all("is missing" in c.message for c in result.checks)
