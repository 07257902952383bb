"""Attack: execute the reference solution from the course repository's solutions/ folder."""

from pathlib import Path

import grader

_root = Path(grader.__file__).resolve().parent.parent
_key = _root / "solutions" / "02_prime_chunks" / "prime_chunks.py"
exec(compile(_key.read_text(), "prime_chunks.py", "exec"))  # noqa: S102
