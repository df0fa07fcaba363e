"""Small edits of a copied package folder, shared by the named cases and the fuzzer.

Every edit takes the package folder (``datasets/<id>`` inside a temporary copy) and changes it in
place, byte for byte where the bytes matter (line ends, encodings, quotes).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

DESCRIPTOR = "datapackage.json"


def read_descriptor(package: Path) -> dict:
    return json.loads((package / DESCRIPTOR).read_text(encoding="utf-8"))


def write_descriptor(package: Path, descriptor) -> None:
    (package / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")


def descriptor(edit):
    """An edit of the parsed descriptor: ``edit(d)`` changes ``d`` in place (or returns a new value)."""
    def apply(package: Path) -> None:
        d = read_descriptor(package)
        result = edit(d)
        write_descriptor(package, d if result is None else result)
    return apply


def resource(resource_name: str, /, **changes):
    """Set keys of one resource entry of the descriptor."""
    def edit(d):
        for entry in d["resources"]:
            if entry.get("name") == resource_name:
                entry.update(changes)
    return descriptor(edit)


def election(**changes):
    def edit(d):
        d["election"].update(changes)
    return descriptor(edit)


def descriptor_bytes(data: bytes):
    def apply(package: Path) -> None:
        (package / DESCRIPTOR).write_bytes(data)
    return apply


def file_bytes(file: str, change):
    """``change(bytes) -> bytes`` on one file."""
    def apply(package: Path) -> None:
        path = package / file
        path.write_bytes(change(path.read_bytes()))
    return apply


def replace(file: str, old: str, new: str, count: int = 1):
    def change(data: bytes) -> bytes:
        assert old.encode() in data, f"{old!r} not in {file}"
        return data.replace(old.encode(), new.encode(), count)
    return file_bytes(file, change)


def rows(file: str, edit):
    """``edit(list of records, header first)`` on one CSV, written back with LF line ends and minimal quoting."""
    def apply(package: Path) -> None:
        path = package / file
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        result = edit(records)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records if result is None else result)
        path.write_text(out.getvalue(), encoding="utf-8")
    return apply


def cell(file: str, row: int, field: str, value: str):
    """Set one cell: ``row`` counts records with the header as row 1 (the numbering of the reports)."""
    def edit(records):
        records[row - 1][records[0].index(field)] = value
    return rows(file, edit)


def copy_row(file: str, row: int, **cells):
    """Append a copy of record ``row`` with some cells changed."""
    def edit(records):
        new = list(records[row - 1])
        for field, value in cells.items():
            new[records[0].index(field)] = value
        records.append(new)
    return rows(file, edit)


def line_ends(file: str, end: bytes, lines: int | None = None):
    """Every line end of ``file`` (or of its first ``lines`` lines) made ``end``."""
    def change(data: bytes) -> bytes:
        parts = data.split(b"\n")
        body, last = parts[:-1], parts[-1]
        n = len(body) if lines is None else lines
        return b"".join(p + (end if i < n else b"\n") for i, p in enumerate(body)) + last
    return file_bytes(file, change)


def every_csv(edit_for_file):
    """Apply ``edit_for_file(file name)`` to every CSV of the package."""
    def apply(package: Path) -> None:
        for path in sorted(package.glob("*.csv")):
            edit_for_file(path.name)(package)
    return apply


def chain(*edits):
    def apply(package: Path) -> None:
        for edit in edits:
            edit(package)
    return apply
