"""The folders are the layers (docs/architecture.md): each imports only the layers it may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.manifest import NOTEBOOKS_DIR, PROJECT_ROOT

MODEL = {"grader.manifest", "grader.limits", "grader.settings", "grader.results", "grader.messages"}
# A layer (a package folder, or the grader's model modules) and the packages it may import.
ALLOWED = {
    "grader.model": MODEL,
    "grader.engine": MODEL | {"grader.engine"},
    "grader.frontends": MODEL | {"grader", "grader.engine", "grader.frontends", "grader.course"},
    "grader.course": MODEL | {"grader.engine", "grader.frontends", "grader.course"},
    "conclab.core": {"conclab", "conclab.core"},
    "conclab.probes": {"conclab", "conclab.core", "conclab.probes"},
    "conclab.interleave": {"conclab.interleave"},
    "conclab.viz": {"conclab", "conclab.core", "conclab.viz"},
    "conclab.lessons": {"conclab", "conclab.core", "conclab.viz", "conclab.lessons"},
}
PACKAGES = ("grader", "conclab")


def _layer(path: Path) -> str | None:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    if len(parts) > 2:
        return ".".join(parts[:2])
    name = ".".join(parts)
    return "grader.model" if name in MODEL else None  # __init__, __main__: the entry points


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _owner(module: str) -> str:
    """The layer an imported name belongs to: its package folder, or a model module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


MODULES = [p for package in PACKAGES for p in sorted((PROJECT_ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_a_module_imports_only_the_layers_its_own_may(path):
    layer = _layer(path)
    if layer is None:
        return
    ours = [m for m in _imports(path) if m.split(".")[0] in PACKAGES]
    wrong = sorted({m for m in ours if _owner(m) not in ALLOWED[layer]})
    assert not wrong, f"{layer} may not import {wrong}"


def test_conclab_and_the_grader_never_import_each_other():
    for path in MODULES:
        own = path.relative_to(PROJECT_ROOT).parts[0]
        other = {"grader": "conclab", "conclab": "grader"}[own]
        assert not [m for m in _imports(path) if m.split(".")[0] == other], path


def test_every_lesson_module_is_named_after_a_notebook():
    notebooks = {p.stem.split("-", 1)[1].replace("-", "_") for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    lessons = PROJECT_ROOT / "conclab" / "lessons"
    named = {p.stem for p in lessons.glob("*.py") if p.stem != "__init__"}
    named |= {p.name for p in lessons.iterdir() if (p / "__init__.py").exists()}
    assert named, "no lesson modules found"
    assert named <= notebooks, named - notebooks


MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
SOURCES = MODULES + sorted((PROJECT_ROOT / "tools").glob("*.py"))
SOURCES += sorted((PROJECT_ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_a_long_module_says_why_it_is_one(path):
    text = path.read_text(encoding="utf-8")
    if len(text.splitlines()) > MAX_MODULE_LINES:
        assert "One module" in (ast.get_docstring(ast.parse(text)) or ""), (
            f"{path.name} is over {MAX_MODULE_LINES} lines: split it, or say at its top why not"
        )


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_function_is_over_sixty_lines(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, long
