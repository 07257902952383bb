"""A static screen of each submission: code that reaches into the grader gets flagged.

In-process tampering cannot be made impossible (the learner's code runs beside the checks),
but it can be made deliberate and visible. Each flag is a reason for a person to look;
flags appear in every report as "flagged for review" and never change a score by themselves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

# (what the code names, why that deserves a look)
NAMES = {
    "grader": "imports or names the grader",
    "_pytest": "reaches into pytest's internals",
    "pytest": "imports pytest (checks use it; a submission has no need to)",
    "gc.get_objects": "walks every live object (gc.get_objects)",
    "gc.get_referrers": "walks the objects that refer to others (gc.get_referrers)",
    "gc.get_referents": "walks object references (gc.get_referents)",
    "ctypes": "uses ctypes (raw memory and C calls)",
    "os.setsid": "starts a new session (os.setsid), as code escaping a kill would",
    "os.setpgrp": "leaves its process group (os.setpgrp)",
    "os.setpgid": "leaves its process group (os.setpgid)",
    "os.execve": "replaces a process with another program (os.execve)",
    "os.execv": "replaces a process with another program (os.execv)",
    "os.fdopen": "opens raw file descriptors (os.fdopen)",
    "sys._getframe": "inspects the caller's frames (sys._getframe)",
    "f_back": "walks up the call stack (f_back)",
    "f_globals": "reads another frame's globals (f_globals)",
    "__subclasses__": "enumerates classes (__subclasses__)",
}
TEXT = {
    r"/proc\b": "reads /proc (other processes' memory or environment)",
    r"\bsolutions\b": "names the solutions folder",
    r"\bhidden\b[/\\]|[/\\]hidden\b": "names the hidden checks folder",
    r"CONCLAB_": "names the grader's environment variables",
    r"cgroup": "names cgroups",
}
MAX_BYTES = 2 << 20  # larger files are flagged for their size instead of parsed


def flags(path: Path) -> list[str]:
    """Reasons to review the submission at path; empty for ordinary code."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return []
    if len(raw) > MAX_BYTES:
        return [f"the file is {len(raw) // 1024} KiB: too large to screen"]
    text = raw.decode("utf-8", errors="replace")
    found: list[str] = []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None:
        for dotted in sorted(_names(tree)):
            for name, why in NAMES.items():
                hit = dotted == name or dotted.startswith(name + ".") or dotted.endswith("." + name)
                if hit and why not in found:
                    found.append(why)
    for pattern, why in TEXT.items():
        if re.search(pattern, text) and why not in found:
            found.append(why)
    return found


def _names(tree: ast.AST) -> set[str]:
    """Every module imported and every dotted name or attribute used."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Attribute):
            names.add(_dotted(node))
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and _is_dotted_name(node.value):  # import_module
            names.add(node.value)
    return names


def _is_dotted_name(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z_][\w.]*", value) is not None


def _dotted(node: ast.Attribute) -> str:
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if isinstance(value, ast.Name):
        parts.append(value.id)
    return ".".join(reversed(parts))
