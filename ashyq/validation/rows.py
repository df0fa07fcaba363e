"""The rows Frictionless has already confirmed: a new batch sends it only the rows that are new.

On election night a package is imported again for every batch of protocols, and most of its rows
are the bytes they were in the batch before. Once a package has passed, each resource's rows are
remembered by a digest of their line (BLAKE2b, 128 bits), under a key of the resource's schema, the
package and the validation code (``cache.code_fingerprint``). The next time, Frictionless validates
only the rows not remembered, written with the header into a file of their own: their types, their
constraints, their primary key among themselves. Should it find anything there, it validates the
whole resource again, so the report names the rows of the package's own file.

What this changes: each row's types and constraints are confirmed by Frictionless once. Its keys are
not looked up by Frictionless in the package's other lines (which would have it read the package's
largest files for a batch of a few thousand rows): the keys of the whole package (primary keys
unique, every foreign key found) are checked every time, on every row, by the fast path, which the
tests hold to Frictionless's findings, and Frictionless checks them all on a package's first run. A
resource whose records span lines (a quoted line break), or with no rows remembered, is validated
whole.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

DIGEST_BYTES = 16


def line_digests(data: bytes, records: int) -> list[bytes] | None:
    """The digest of each record's line (the header left out), when each record is one line."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != records + 1:
        return None
    return [hashlib.blake2b(line, digest_size=DIGEST_BYTES).digest() for line in lines[1:]]


def entry_name(code: str, package_id: str, resource: str, descriptor: dict) -> str:
    """The file remembering one resource's rows: keyed by what decided them, except their bytes."""
    digest = hashlib.sha256(code.encode())
    digest.update(json.dumps([package_id, resource, descriptor], sort_keys=True, ensure_ascii=False).encode())
    return f"rows-{digest.hexdigest()[:40]}.bin"


def remembered(cache_dir: Path, name: str) -> set[bytes]:
    """The digests of the rows confirmed under ``name`` (empty when none are, or the file is unreadable)."""
    try:
        data = (cache_dir / name).read_bytes()
    except OSError:
        return set()
    return {data[i:i + DIGEST_BYTES] for i in range(0, len(data) - len(data) % DIGEST_BYTES, DIGEST_BYTES)}


def remember(cache_dir: Path, name: str, digests: list[bytes]) -> None:
    """Replace what ``name`` remembers with ``digests`` (atomically)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / name
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        temporary.write_bytes(b"".join(digests))
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def write_new_rows(source: Path, new: list[int], target: Path) -> None:
    """The header of ``source`` and its records at the 0-based indices ``new``, as they are."""
    lines = source.read_bytes().split(b"\n")
    target.write_bytes(b"\n".join([lines[0]] + [lines[1 + i] for i in new]) + b"\n")
