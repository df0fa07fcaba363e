"""What a cached output was made by: a hash of the files and package versions that made it.

Three caches key on it: validation (``validation/cache.py``, ``validation/rows.py``), MkDocs' pages
(``render/page_cache.py``) and the regions of election night (``render/reuse.py``). Each names the
files and packages it depends on; a change in any of them misses every entry of that cache.
"""
from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: files are hashed by their path in it

_made: dict[tuple, str] = {}


def fingerprint(label: str, packages: tuple[str, ...], files: list[Path]) -> str:
    """A hash of ``files`` (by their path in the repository and their bytes), the versions of
    ``packages`` and Python's, under ``label``. Computed once per process for the same arguments."""
    memo = (label, packages, tuple(files))
    if memo not in _made:
        digest = hashlib.sha256(label.encode() + sys.version.encode())
        for name in packages:
            digest.update(f"\0{name}={_version(name)}".encode())
        for path in files:
            digest.update(b"\0" + path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        _made[memo] = digest.hexdigest()
    return _made[memo]


def files_below(folder: Path) -> list[Path]:
    """Every file below ``folder``, in a stable order (compiled Python left out)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"
