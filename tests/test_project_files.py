"""The project's own files agree with each other: dependencies, CI entry, README, notebooks."""

from __future__ import annotations

import re
import sys

from grader.manifest import PROJECT_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

CONDA_ONLY = {"python", "pip"}
# pip's extras become separate conda packages: dask[distributed] is dask plus distributed.
SPLIT = {"dask[distributed]": {"dask", "distributed"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!;~ ]", requirement, maxsplit=1)[0].strip().lower()


def pip_names() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    extras = project["optional-dependencies"]
    for req in project["dependencies"] + extras["course"] + extras["dev"]:
        name = _name(req)
        if name.partition("[")[0] != project["name"]:  # dev's "concurrency-lab[course]"
            names |= SPLIT.get(name, {name})
    return names


def conda_names() -> set[str]:
    text = (PROJECT_ROOT / "environment.yml").read_text()
    block = text.split("dependencies:", 1)[1]
    names = set()
    for line in block.splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.\-\[\]]+)", line)
        if match:
            names.add(_name(match.group(1)))
    return names - CONDA_ONLY


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert pip_names() == conda_names(), (
        f"only in pyproject: {sorted(pip_names() - conda_names())}; "
        f"only in environment.yml: {sorted(conda_names() - pip_names())}"
    )


def test_ci_runs_the_test_command_that_readme_gives():
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make lab" in readme and "make test" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_notebooks_are_stored_tidy():
    """Outputs cleared and navigation generated: run `python tools/notebooks.py` to fix."""
    assert nbtool.notebook_paths(), "no notebooks found"
    assert nbtool.problems() == []


def test_notebook_list_starts_with_the_start_notebook():
    names = [p.name for p in nbtool.notebook_paths()]
    assert names[0] == "00-start-here.ipynb"
    assert names == sorted(names)


def test_the_grading_core_needs_no_course_packages():
    """`grader check` (what the Classroom workflow installs) needs only the core set; the
    notebooks' packages come with the `course` extra, the project's tools with `dev`."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    core = {_name(r) for r in project["dependencies"]}
    assert core == {"pytest", "psutil", "tomli"}
    assert "concurrency-lab[course]" in project["optional-dependencies"]["dev"]
    assert "pytest11" not in project.get("entry-points", {})  # no plugin in others' pytest
