"""Import a CEC-style wide results table into an election Data Package.

One public entry point, ``import_table``: read the mapping (YAML), read the table (CSV or
spreadsheet), match every column, build the contract's tables, write them with ``write_package``.
The package appears in ``out_dir`` only when all of that succeeded; on bad input nothing is written
and an ``InputError`` names the file, row, column and value. See ``docs/import.md``.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..package_writer import write_package
from ..problems import InputError, Problem
from ..progress import Progress
from .building import build_tables
from .appending import append_tables, read_existing
from .mapping import PACKAGE_NAME, Mapping, load_mapping, resolve_columns, located
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
                 replace: bool = False, append: bool = False) -> ImportResult:
    """Write the Data Package for ``table_path`` as ``mapping_path`` describes it into ``out_dir``.

    ``out_dir``'s folder name is the election id. An existing package there is replaced only when
    ``replace`` is true, and then only the files it lists: other files in the folder (notes, photos)
    stay. With ``append``, the table's contests (their choices, protocols, votes, and any new units
    and sources) are added to the package there, which must validate afterwards; nothing in it is
    lost or changed. On any failure nothing in ``out_dir`` changes and no staging folder is left behind.
    """
    progress = progress or Progress(quiet=True)
    out_dir = Path(out_dir)
    if replace and append:
        raise InputError([Problem(*located(out_dir), "--force and --append exclude each other: --force replaces "
                                  "the package, --append adds contests to it", field="--out", kind="destination")])
    mapping = load_mapping(Path(mapping_path))
    replaced = _check_destination(mapping, out_dir, replace or append, append)
    _remove_leftovers(out_dir)
    existing = read_existing(out_dir) if append else None
    with progress.stage("import: read"):
        table = read_table(Path(table_path), mapping.input)
        columns = resolve_columns(mapping, table.headers, table.path)
    with progress.stage("import: build"):
        tables = build_tables(mapping, columns, table)
    metadata = _metadata(mapping, out_dir.name)
    if existing is not None:
        metadata, tables = append_tables(existing, metadata, tables, mapping, out_dir)
    _check_collisions(out_dir, tables, replaced)
    with progress.stage("import: write"):
        _write_atomically(out_dir, metadata, tables, replaced, validate=existing is not None, progress=progress)
    return ImportResult(out_dir, table.encoding, table.delimiter, stations=tables["protocols"]["unit_id"].n_unique(),
                        units=tables["units"].height, choices=tables["choices"].height)


def _metadata(mapping: Mapping, name: str) -> dict:
    election = mapping.election
    metadata = {
        "name": name,
        "title": election["title"]["en"],
        "version": election["version"],
        "licenses": election["licenses"],
        "sources": election["sources"],
        "election": {"date": election["date"], "country": election["country"], "type": election["type"],
                     "title": election["title"]},
    }
    if mapping.extra_lines:
        metadata["election"]["extra_lines"] = [dict(line) for line in mapping.extra_lines]
    return metadata


def _check_destination(mapping: Mapping, out_dir: Path, replace: bool, append: bool = False) -> set[str]:
    """Refuse a destination that cannot take the package, before any work; return the files of the
    package already there that ``replace`` may overwrite (relative paths)."""
    def refuse(message: str, field: str | None = "--out"):
        return Problem(*located(out_dir), message, field=field, kind="destination")

    problems = []
    if not PACKAGE_NAME.match(out_dir.name):
        problems.append(refuse(f"the output folder name {out_dir.name!r} is the election id: use lower-case "
                               "letters, digits, '.', '_', '-' (at most 80)"))
    if mapping.election["name"] and mapping.election["name"] != out_dir.name:
        problems.append(Problem(*located(mapping.path), f"election.name is {mapping.election['name']!r} but the output "
                                f"folder is {out_dir.name!r}: they must be the same", field="election.name",
                                kind="destination"))
    parent = next((p for p in out_dir.parents if p.exists()), None)
    if out_dir.exists() and not out_dir.is_dir():
        problems.append(refuse("is a file, not a folder: --out names the package folder, datasets/<election-id>"))
    elif parent is not None and not parent.is_dir():
        problems.append(refuse(f"{parent} is a file, so the package folder cannot be made under it"))
    if problems:
        raise InputError(problems)
    if not (out_dir / "datapackage.json").exists():
        if append:
            raise InputError([refuse("holds no package to append to (no datapackage.json): import the first table "
                                     "without --append")])
        return set()
    if not replace:
        raise InputError([refuse("the output folder already holds a package: pass --force to replace it (only the "
                                 "files its datapackage.json lists are replaced; other files stay)", field=None)])
    return _listed_files(out_dir)


def _listed_files(out_dir: Path) -> set[str]:
    """datapackage.json and the resource files it lists, as paths inside ``out_dir`` (nothing outside)."""
    descriptor_path = out_dir / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        resources = descriptor["resources"]
        paths = [path for resource in resources
                 for path in ([resource["path"]] if isinstance(resource["path"], str) else resource["path"])]
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise InputError([Problem(*located(descriptor_path), "cannot tell which files belong to the package already "
                                  f"in the output folder ({type(error).__name__}: {error}): move the folder away or "
                                  "repair its datapackage.json", kind="destination")])
    listed = {"datapackage.json"}
    root = out_dir.resolve()
    for path in paths:
        if not isinstance(path, str) or "://" in path:
            continue
        target = (out_dir / path)
        if target.resolve().is_relative_to(root) and not target.is_symlink():
            listed.add(target.resolve().relative_to(root).as_posix())
    return listed


def _check_collisions(out_dir: Path, tables: dict, replaced: set[str]) -> None:
    """The files the import writes must not overwrite a file the old package does not list (a user's own)."""
    written = ["datapackage.json", *(f"{name}.csv" for name in tables)]
    clashes = [name for name in written if (out_dir / name).exists() and name not in replaced]
    if clashes:
        raise InputError([Problem(*located(out_dir), f"the folder holds {', '.join(clashes)}, which the package there "
                                  "does not list: the import would overwrite it; move it away first",
                                  field="--out", kind="destination")])


def _remove_leftovers(out_dir: Path) -> None:
    """A killed import's staging folders (``.ID.importing``, ``.ID.replaced``) go before anything else."""
    for leftover in (out_dir.with_name(f".{out_dir.name}.importing"), out_dir.with_name(f".{out_dir.name}.replaced")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _write_atomically(out_dir: Path, metadata: dict, tables: dict, replaced: set[str], validate: bool = False,
                      progress: Progress | None = None) -> None:
    """Write into a staging folder next to ``out_dir``, then move the files in; a failure leaves
    ``out_dir`` as it was and no staging folder behind (a killed import's leftovers go on the next run).
    With ``validate``, the staged package must pass ``build.py validate`` before it is moved in."""
    root = out_dir.with_name(f".{out_dir.name}.importing")
    staging = root / out_dir.name
    backup = out_dir.with_name(f".{out_dir.name}.replaced")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (root, backup):
            if leftover.exists():
                shutil.rmtree(leftover)
        write_package(staging, metadata, tables)
        if validate:
            _validate_staged(root, out_dir, progress or Progress(quiet=True))
        if not out_dir.exists():
            staging.rename(out_dir)
            return
        _swap_files(staging, out_dir, backup, replaced)
    except OSError as error:
        raise InputError([Problem(*located(out_dir), f"cannot write the package: {error.strerror or error}"
                                  + (f" ({error.filename})" if error.filename else ""), kind="destination")])
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)


def _validate_staged(root: Path, out_dir: Path, progress: Progress) -> None:
    from .. import load, validate

    try:
        with progress.stage("import: validate"):
            validate.validate_packages(load.load_packages(root), progress, use_cache=False)
    except InputError as error:
        raise InputError([Problem(*located(out_dir), "the package with the appended contest does not validate "
                                  "(nothing was changed); its problems follow", field="--append", kind="append"),
                          *error.problems])


def _swap_files(staging: Path, out_dir: Path, backup: Path, replaced: set[str]) -> None:
    """Move the old package's files aside, the new ones in; on failure put the old ones back."""
    backup.mkdir()
    moved: list[str] = []
    installed: list[str] = []
    try:
        for name in sorted(replaced):
            if (out_dir / name).is_file():
                (backup / name).parent.mkdir(parents=True, exist_ok=True)
                (out_dir / name).rename(backup / name)
                moved.append(name)
        for new in sorted(staging.iterdir()):
            new.rename(out_dir / new.name)
            installed.append(new.name)
    except BaseException:
        for name in installed:
            (out_dir / name).unlink(missing_ok=True)
        for name in moved:
            (backup / name).rename(out_dir / name)
        raise
