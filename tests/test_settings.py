"""The course's settings (exercises/course.toml): read as the grader needs them, a broken
file named before anything is graded, a preload the machine lacks never costing a point."""

from __future__ import annotations

import os
import shutil

import pytest

from grader.engine.assignment import grade
from grader.engine.runner import grade_exercise
from grader.manifest import PROJECT_ROOT, ManifestError, discover
from grader.settings import COURSE_FILE, preload_modules

EXERCISE = discover(PROJECT_ROOT)[0]


def course(tmp_path, text: str | None):
    """A one-exercise course whose course.toml holds text (none at all for None)."""
    for part in ("exercises", "solutions"):
        shutil.copytree(PROJECT_ROOT / part / EXERCISE.folder, tmp_path / part / EXERCISE.folder)
    if text is not None:
        (tmp_path / "exercises" / COURSE_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_courses_preload_lists_its_probes():
    assert "conclab.probes.common" in preload_modules()


def test_a_course_without_settings_preloads_nothing(tmp_path):
    assert preload_modules(course(tmp_path, None)) == ()


@pytest.mark.parametrize(
    ("text", "says"),
    [("[grader\npreload = 1", "not valid TOML"), ("[grader]\npreload = 'x'", "list of module")],
)
def test_a_broken_course_file_is_named(tmp_path, text, says):
    with pytest.raises(ManifestError, match=says) as caught:
        preload_modules(course(tmp_path, text))
    assert COURSE_FILE in str(caught.value)


def test_grading_names_a_broken_course_file_and_grades_nothing(tmp_path):
    root = course(tmp_path, "[grader\n")
    graded = []
    with pytest.raises(ManifestError, match="not valid TOML"):
        grade(None, root / "solutions", root=root, on_result=graded.append)
    assert graded == []


def test_a_preload_that_cannot_be_imported_costs_nothing(tmp_path):
    root = course(tmp_path, '[grader]\npreload = ["no_such_module.anywhere"]\n')
    result = grade_exercise(EXERCISE, root / "solutions", include_hidden=False, root=root)
    assert result.max_score > 0 and not result.internal_error
    assert result.score == result.max_score, [(c.name, c.message) for c in result.checks]


def test_an_edited_course_file_is_read_again(tmp_path):
    root = course(tmp_path, '[grader]\npreload = ["a"]\n')
    assert preload_modules(root) == ("a",)
    path = root / "exercises" / COURSE_FILE
    path.write_text('[grader]\npreload = ["b"]\n', encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later edit
    assert preload_modules(root) == ("b",)
