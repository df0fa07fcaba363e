"""Write an Election Data Package: ``datapackage.json`` and one UTF-8 CSV per resource.

Used by the converters and the importer, so every package on disk has the contract's schemas and
the same byte layout (sorted keys, LF line endings, rows in primary-key order): deterministic.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from . import contract


def write_package(out_dir: Path, metadata: dict, tables: dict[str, pl.DataFrame]) -> Path:
    """Write ``tables`` (resource name → rows) as a Data Package in ``out_dir``.

    ``metadata`` holds name, title, election (date, country, type, title per language, and the
    package's own protocol lines, ``extra_lines``), licenses, sources, version. Columns missing from a
    table are written empty ("not published").
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    missing = [r for r in contract.required_resources() if r not in tables]
    if missing:
        raise ValueError(f"package {metadata.get('name')}: missing resources {missing}")
    unknown = [r for r in tables if r not in contract.resource_names()]
    if unknown:
        raise ValueError(f"package {metadata.get('name')}: unknown resources {unknown}")

    resources = []
    for name in contract.resource_names():
        if name not in tables:
            continue
        frame = _conform(name, tables[name], contract.extra_lines(metadata))
        path = out_dir / f"{name}.csv"
        frame.write_csv(path, line_terminator="\n", null_value="")
        resources.append(
            {
                "name": name,
                "title": contract.resource_spec(name)["title"],
                "path": f"{name}.csv",
                "type": "table",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": contract.table_schema(name, contract.extra_lines(metadata), present=set(tables)),
            }
        )
    descriptor = {**metadata, "resources": resources}
    (out_dir / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return out_dir


def _conform(resource: str, frame: pl.DataFrame, extra: tuple = ()) -> pl.DataFrame:
    """Columns in contract order (absent ones empty; ``extra``: the package's own protocol lines,
    declared in ``metadata["election"]["extra_lines"]``), rows sorted by primary key."""
    names = contract.field_names(resource, extra)
    extra = [c for c in frame.columns if c not in names]
    if extra:
        raise ValueError(f"resource {resource}: columns not in the contract: {extra}")
    frame = frame.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in names if c not in frame.columns]
    ).select(names)
    return frame.sort(contract.resource_spec(resource)["primary_key"], maintain_order=True)
