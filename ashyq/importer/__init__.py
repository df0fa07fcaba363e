"""Import a CEC-style wide results table into an election Data Package.

One public entry point, ``import_table``: read the mapping (YAML), read the table (CSV or
spreadsheet), match every column, build the contract's tables, write them with ``write_package``.
The package appears in ``out_dir`` only when all of that succeeded; on bad input nothing is written
and an ``InputError`` names the file, row, column and value. See ``docs/import.md``.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..package_writer import write_package
from ..problems import InputError, Problem
from ..progress import Progress
from .building import build_tables
from .mapping import PACKAGE_NAME, Mapping, load_mapping, resolve_columns
from .reading import read_table

__all__ = ["ImportResult", "import_table"]


@dataclass(frozen=True)
class ImportResult:
    out_dir: Path
    encoding: str | None  # as read (CSV only)
    delimiter: str | None  # as read (CSV only)
    stations: int
    units: int
    choices: int


def import_table(table_path: Path, mapping_path: Path, out_dir: Path, progress: Progress | None = None,
                 replace: bool = False) -> ImportResult:
    """Write the Data Package for ``table_path`` as ``mapping_path`` describes it into ``out_dir``.

    ``out_dir``'s folder name is the election id. An existing package there is replaced only when
    ``replace`` is true.
    """
    progress = progress or Progress(quiet=True)
    out_dir = Path(out_dir)
    mapping = load_mapping(Path(mapping_path))
    _check_destination(mapping, out_dir, replace)
    with progress.stage("import: read"):
        table = read_table(Path(table_path), mapping.input)
        columns = resolve_columns(mapping, table.headers, table.path)
    with progress.stage("import: build"):
        tables = build_tables(mapping, columns, table)
    with progress.stage("import: write"):
        _write_atomically(out_dir, _metadata(mapping, out_dir.name), tables)
    return ImportResult(out_dir, table.encoding, table.delimiter, stations=tables["protocols"].height,
                        units=tables["units"].height, choices=tables["choices"].height)


def _metadata(mapping: Mapping, name: str) -> dict:
    election = mapping.election
    return {
        "name": name,
        "title": election["title"]["en"],
        "version": election["version"],
        "licenses": election["licenses"],
        "sources": election["sources"],
        "election": {"date": election["date"], "country": election["country"], "type": election["type"],
                     "title": election["title"]},
    }


def _check_destination(mapping: Mapping, out_dir: Path, replace: bool) -> None:
    problems = []
    where = (str(mapping.path.parent), mapping.path.name)
    if not PACKAGE_NAME.match(out_dir.name):
        problems.append(Problem(*where, f"the output folder name {out_dir.name!r} is the election id: use lower-case "
                                        "letters, digits, '.', '_', '-'", field="--out", kind="destination"))
    if mapping.election["name"] and mapping.election["name"] != out_dir.name:
        problems.append(Problem(*where, f"election.name is {mapping.election['name']!r} but the output folder is "
                                        f"{out_dir.name!r}: they must be the same", field="election.name",
                                kind="destination"))
    if out_dir.exists() and any(out_dir.iterdir()) and not replace:
        problems.append(Problem(str(out_dir.parent), out_dir.name, "the output folder exists and is not empty: "
                                "pass --force to replace the package in it", kind="destination"))
    if out_dir.exists() and replace and any(out_dir.iterdir()) and not (out_dir / "datapackage.json").is_file():
        problems.append(Problem(str(out_dir.parent), out_dir.name, "the output folder holds no datapackage.json: "
                                "refusing to replace a folder that is not a Data Package", kind="destination"))
    if problems:
        raise InputError(problems)


def _write_atomically(out_dir: Path, metadata: dict, tables: dict) -> None:
    """Write next to ``out_dir`` and swap, so a failure never leaves half a package behind."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.importing")
    previous = out_dir.with_name(f".{out_dir.name}.replaced")
    for leftover in (staging, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    write_package(staging, metadata, tables)
    if out_dir.exists():
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous.exists():
        shutil.rmtree(previous)
