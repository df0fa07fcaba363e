"""Validate one resource with Frictionless (v5) and turn its errors into ``Problem``s.

Frictionless reads the file under the contract's schema (types, constraints, primary key, foreign keys
into the other resources of the package, encoding, dialect) — never the package's own descriptor: by
the time it runs, the descriptor has been checked to carry exactly the contract's schemas, and the
dialect is pinned to comma-separated so Frictionless cannot sniff a semicolon file into passing.

``validate_resource`` is a plain module-level function taking plain arguments, so it can run in a
worker process.
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from . import messages, rows
from .. import contract
from ..problems import Problem

# Frictionless stops a resource at this many errors; the fast path has already counted them all.
LIMIT_ERRORS = 1000
CONSTRAINT = re.compile(r'constraint "(\w+)"')
LABEL_KINDS = {"missing-label": "missing-column", "extra-label": "extra-column", "duplicate-label": "duplicate-column",
               "incorrect-label": "column-order", "blank-label": "blank-column", "blank-header": "empty-file"}
SIMPLE_KINDS = {"type-error": "type-error", "missing-cell": "missing-cell", "extra-cell": "extra-cell",
                "blank-row": "blank-row", "primary-key": "primary-key", "foreign-key": "foreign-key",
                "encoding-error": "encoding"}


def package_descriptor(files: dict[str, str], extra: tuple = ()) -> dict:
    """The descriptor Frictionless validates: the package's files under the contract's schemas
    (``extra``: the protocol lines the package declares for its own form)."""
    return {"resources": [_resource(name, file, contract.table_schema(name, extra, present=set(files)))
                          for name, file in files.items()]}


def _resource(name: str, file: str, schema: dict) -> dict:
    return {"name": name, "path": file, "type": "table", "format": "csv", "encoding": "utf-8",
            "dialect": {"csv": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True}, "header": True},
            "schema": schema}


def validate_resource(package_id: str, directory: str, files: dict[str, str], name: str,
                      new_rows: list[int] | None = None) -> list[Problem]:
    """Every error Frictionless finds in resource ``name`` (``files``: resource → path in ``directory``).

    ``new_rows``: only these records (0-based) are new (validation/rows.py); Frictionless validates
    them alone, with their types and constraints (their keys are the fast path's: it checks every
    key of the whole package, every time), and the whole resource only if it finds anything there."""
    extra = _extra_lines(directory)
    if new_rows is not None:
        with tempfile.TemporaryDirectory(prefix="ashyq-rows-") as folder:
            new_file = f"{name}.new-rows.csv"
            rows.write_new_rows(Path(directory) / files[name], new_rows, Path(folder) / new_file)
            if not _validate(package_id, extra, folder, {name: new_file}, name, keys=False):
                return []
    return _validate(package_id, extra, directory, files, name)


def _validate(package_id: str, extra: tuple, directory: str, files: dict[str, str], name: str,
              keys: bool = True) -> list[Problem]:
    from frictionless import Package

    descriptor = package_descriptor(files, extra)
    if not keys:  # the new rows alone: a key would look up the rows the package's other lines hold
        for resource in descriptor["resources"]:
            resource["schema"].pop("foreignKeys", None)
    package = Package(descriptor, basepath=directory)
    report = package.get_resource(name).validate(limit_errors=LIMIT_ERRORS)
    errors = [error for task in report.tasks for error in task.errors] + list(report.errors)
    blank_rows = {e.row_number for e in errors if e.type == "blank-row"}
    problems = []
    for error in errors:
        if error.type == "primary-key" and error.row_number in blank_rows:
            continue  # Frictionless also calls a blank row's empty key a key error; one report is enough
        problems.append(to_problem(package_id, name, files, error, extra))
    return problems


def _extra_lines(directory: str) -> tuple:
    try:
        return contract.extra_lines(json.loads((Path(directory) / "datapackage.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return ()


def to_problem(package_id: str, name: str, files: dict[str, str], error, extra: tuple = ()) -> Problem:
    """One Frictionless error as a Problem worded by ``messages``, like the fast path's."""
    schema = contract.table_schema(name, extra)
    fields = {f["name"]: f for f in schema["fields"]}
    kind = SIMPLE_KINDS.get(error.type) or LABEL_KINDS.get(error.type)
    row = getattr(error, "row_number", None)
    field_name = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    field = fields.get(field_name, {})
    width = len(schema["fields"])
    cells = getattr(error, "cells", None) or []
    if error.type == "constraint-error":
        match = CONSTRAINT.search(error.note or "")
        kind = match.group(1) if match else "constraint"
        if kind == "required":
            message = messages.required()
        else:
            message = messages.constraint(kind, field)
    elif error.type == "type-error":
        message = messages.type_error(field)
    elif error.type == "primary-key":
        key = list(schema["primaryKey"])
        first = re.search(r"row at position (\d+)", error.note or "")
        message = messages.primary_key(key, int(first.group(1)) if first else None)
        field_name = ", ".join(key)
        cell = ", ".join(_key_cells(error, key, schema)) if first else ""
    elif error.type == "foreign-key":
        field_name = ", ".join(error.field_names)
        cell = ", ".join(error.field_cells)
        reference = files.get(error.reference_name or name, f"{error.reference_name}.csv")
        message = messages.foreign_key(error.field_names, reference, error.reference_field_names)
    elif error.type == "missing-cell":
        message = messages.missing_cell(len(cells), width)
        cell = None  # Frictionless says "", but there is no cell at all
    elif error.type == "extra-cell":
        message = messages.extra_cell(len(cells), width)
        field_name = None
    elif error.type == "blank-row":
        message = messages.blank_row()
    elif error.type in LABEL_KINDS:
        row = 1
        field_name = getattr(error, "label", None) or field_name
        message = error.message
    elif error.type == "encoding-error":
        message = f"the file is not UTF-8 ({error.note}); expected UTF-8"
    else:
        kind = kind or "frictionless"
        message = f"{error.title}: {error.message}"
    return Problem(package_id, files[name], message, row=row, field=field_name,
                   value=None if cell is None else str(cell), kind=kind or error.type)


def _key_cells(error, key: list[str], schema: dict) -> list[str]:
    names = [f["name"] for f in schema["fields"]]
    cells = list(error.cells)
    return [cells[names.index(k)] if names.index(k) < len(cells) else "" for k in key]
