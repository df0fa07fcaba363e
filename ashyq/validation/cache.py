"""Remember packages that passed validation, by the content hash of everything that decided it.

The key covers the package's descriptor and the bytes of each resource file, the contract, the
validation code itself and the versions of Frictionless and Polars. Change any of them and the
package is validated again. Only a pass is remembered: a failing package is always re-checked, so its
report is never stale.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..fingerprint import files_below, fingerprint
from ..load import ElectionPackage
from . import rows

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = PACKAGE_DIR.parent / ".cache" / "validation"
ENVIRONMENT = "ASHYQ_VALIDATION_CACHE"  # a folder, or "off"


def default_dir() -> Path | None:
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        return None if configured.lower() in ("off", "0", "no", "false") else Path(configured)
    return DEFAULT_DIR


def package_key(package: ElectionPackage) -> str | None:
    """The package's content hash; None when a file is missing (nothing to remember then)."""
    digest = hashlib.sha256()
    digest.update(code_fingerprint().encode())
    digest.update(package.id.encode())
    digest.update(json.dumps(package.descriptor, sort_keys=True, ensure_ascii=False).encode())
    for name, path in sorted(package.resource_paths.items()):
        if not path.is_file():
            return None
        digest.update(f"\0{name}\0{path.relative_to(package.directory).as_posix()}\0".encode())
        digest.update(_file_hash(path))
    return digest.hexdigest()


def is_known_valid(cache_dir: Path, key: str) -> bool:
    try:
        return (cache_dir / f"{key}.json").is_file()
    except OSError:  # an unreadable cache is an empty one
        return False


def remember_all(cache_dir: Path, passed: list[tuple[str, ElectionPackage]], progress) -> bool:
    """Remember every ``(key, package)`` that passed; False when the cache could not be written. The
    cache is only an optimisation: where it cannot be written (a read-only checkout, a full disk)
    validation goes on and says so once."""
    for key, package in passed:
        try:
            remember_valid(cache_dir, key, package)
        except OSError as error:
            where = error.filename or cache_dir
            progress.say(f"[ashyq]   validation cache not written ({where}: {error.strerror or error}); "
                         f"the next run validates again (set {ENVIRONMENT}=off to skip the cache)")
            return False
    return True


def remember_rows(cache_dir: Path | None, entries: list[tuple[str, list[bytes]]], progress) -> None:
    """Remember the rows of each resource Frictionless has now confirmed (validation/rows.py)."""
    for name, digests in entries if cache_dir else []:
        try:
            rows.remember(cache_dir, name, digests)
        except OSError as error:
            progress.say(f"[ashyq]   validation cache not written ({error.filename or cache_dir}: "
                         f"{error.strerror or error}); the next run validates every row again")
            return


def remember_valid(cache_dir: Path, key: str, package: ElectionPackage) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{key}.json"
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps({"package": package.id, "valid": True}) + "\n", encoding="utf-8")
        temporary.replace(target)  # atomic: a parallel build never reads half a file
    finally:
        temporary.unlink(missing_ok=True)  # gone after the replace; a half-written one after an error


def _file_hash(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def code_fingerprint() -> str:
    """The validation code, the contract, the division outlines and the versions of Frictionless
    and Polars: a change in any of them validates every package again."""
    files = [PACKAGE_DIR / "validate.py", PACKAGE_DIR / "load.py", PACKAGE_DIR / "limits.py",
             PACKAGE_DIR / "contract.yml", PACKAGE_DIR / "contract.py",
             *sorted((PACKAGE_DIR / "validation").glob("*.py")), *files_below(PACKAGE_DIR / "geo")]
    return fingerprint("ashyq-validation/1", ("frictionless", "polars"), files)
