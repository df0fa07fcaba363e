"""Helpers every converter shares: read a source CSV as text, build contract tables, write a package.

Figures stay text from source to package, so a percentage printed as ``2.60`` is written as ``2.60``
(its published precision survives) and nothing passes through a float.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import polars as pl

from .. import contract
from ..package_writer import write_package


class SourceError(ValueError):
    """A source file does not look the way its README describes."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV as dicts of stripped text; a missing file names what to pass."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: source file not found (pass --shared pointing at the shared folder)")
    with path.open(encoding="utf-8", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def text(value: object) -> str | None:
    """A cell as written: None and "" stay empty ("not published"), bools are true/false."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError(f"{value!r}: pass figures as text or int, never float (precision would be lost)")
    return str(value)


def table(resource: str, rows: list[dict]) -> pl.DataFrame:
    """Rows (dicts keyed by contract field names) as an all-text frame in contract column order."""
    names = contract.field_names(resource)
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise KeyError(f"{resource}: fields not in the contract: {sorted(unknown)}")
    return pl.DataFrame(
        {name: [text(row.get(name)) for row in rows] for name in names},
        schema={name: pl.String for name in names},
    )


def write(out_dir: Path, metadata: dict, rows: dict[str, list[dict]]) -> Path:
    """Write one package: ``rows`` maps resource name to its rows; empty optional resources are left out."""
    tables = {
        name: table(name, resource_rows)
        for name, resource_rows in rows.items()
        if resource_rows or name in contract.required_resources()
    }
    return write_package(Path(out_dir) / metadata["name"], metadata, tables)


def slug(name: str) -> str:
    """ASCII identifier from an English name: "People's Party of Kazakhstan" → peoples_party_of_kazakhstan."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def join_urls(*groups: str) -> str:
    """Several "a ; b" URL lists as one "; "-separated list, each URL once, in first-seen order."""
    seen: list[str] = []
    for group in groups:
        for url in re.split(r"\s*;\s*", group or ""):
            if url and url not in seen:
                seen.append(url)
    return "; ".join(seen)


def digits(value: str) -> str:
    """A count printed with thousands separators ("1,592") as plain digits."""
    cleaned = value.replace(",", "").replace(" ", "")
    if not cleaned.isdigit():
        raise SourceError(f"{value!r} is not a count")
    return cleaned
