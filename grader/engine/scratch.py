"""What a graded run sees: its scratch folder (copies of the checks and of the learner's
exercise folder), its environment (an allowlist, the run's marker) and a package folder
that puts only `grader` and `conclab` on its path, never the course root with the answers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

from grader.engine import proctree, stackhook, worker
from grader.manifest import PROJECT_ROOT, Exercise
from grader.settings import preload_modules

MAX_SUBMISSION_BYTES = 16 << 20  # what is copied of the learner's exercise folder
ENV_KEPT = {
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TZ", "TMPDIR", "TEMP",
    "TMP", "SYSTEMROOT", "VIRTUAL_ENV", "PYTHONHASHSEED", "PYTHON_CPU_COUNT",
}  # fmt: skip
ENV_KEPT_PREFIXES = ("LC_", "CONCLAB_", "COVERAGE_")


def run_env(run_id: str, root: Path = PROJECT_ROOT) -> dict:
    """An allowlist of the grader's environment, the run's marker, and the package folder."""
    env = {k: v for k, v in os.environ.items() if k in ENV_KEPT or k.startswith(ENV_KEPT_PREFIXES)}
    env[proctree.MARKER] = run_id
    env[stackhook.TEMP_BASE] = tempfile.gettempdir()  # not per run: the zygote is kept
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = package_folder()
    env[worker.PRELOAD_ENV] = ",".join(preload_modules(root))  # the same for every run
    return env


# Run at the start of every Python process of a run (the folder is on its PYTHONPATH), so
# that spawn and forkserver children can report their stacks too.
SITECUSTOMIZE = """import os
if os.environ.get("CONCLAB_GRADING_RUN", "").strip("-"):
    try:
        from grader.engine import stackhook
        stackhook.install()
    except Exception:
        pass
"""
_packages: str | None = None
_packages_lock = threading.Lock()  # guards _packages: gradings start in several threads


def package_folder() -> str:
    """A folder holding only `grader` and `conclab` (links to this installation's), put
    on the run's PYTHONPATH in place of the course root, which holds the answers."""
    global _packages
    with _packages_lock:
        if _packages is None:
            folder = tempfile.mkdtemp(prefix="conclab-packages-")
            os.chmod(folder, 0o755)
            here = Path(__file__).resolve().parents[1]  # grader/, above engine/
            for package in (here, here.parent / "conclab"):
                try:
                    os.symlink(package, os.path.join(folder, package.name))
                except OSError:  # no symlinks here (Windows without the privilege): a copy
                    shutil.copytree(package, os.path.join(folder, package.name))
            with open(os.path.join(folder, "sitecustomize.py"), "w", encoding="utf-8") as fh:
                fh.write(SITECUSTOMIZE)
            atexit.register(shutil.rmtree, folder, True)
            _packages = folder
        return _packages


def copy_in(exercise: Exercise, checks, target: Path, root: Path, scratch: str):
    """Copy the checks and the learner's exercise folder into the run's scratch folder:
    the run reads only these copies, so the course's folders can be hidden from it."""
    scratch = Path(scratch)
    checks_dir = scratch / "checks"
    checks_dir.mkdir()
    nodeids = []
    for check in checks:
        source = exercise.hidden_checks_file(root) if check.hidden else exercise.checks_file(root)
        copy = checks_dir / source.name
        if not copy.exists():
            shutil.copyfile(source, copy)
        nodeids.append(f"{copy}::{check.name}")
    submission = scratch / "submission" / exercise.folder
    submission.mkdir(parents=True)
    budget = MAX_SUBMISSION_BYTES
    for path in sorted(exercise.module_in(target).parent.iterdir()):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= budget:
                shutil.copyfile(path, submission / path.name)
                budget -= path.stat().st_size
        except OSError:
            continue
    return submission, nodeids


def hidden_folders(root: Path) -> list[str]:
    """What a contained run must not see: the answer key and the instructor-only checks."""
    return [str(root / name) for name in ("solutions", "hidden") if (root / name).is_dir()]
