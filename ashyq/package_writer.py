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
    extra = [line["name"] for line in (metadata.get("election") or {}).get("extra_lines") or []]
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
        frame = _conform(name, tables[name], extra if name == "protocols" else [])
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
                "schema": _schema(name, metadata if name == "protocols" else {}),
            }
        )
    descriptor = {**metadata, "resources": resources}
    (out_dir / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return out_dir


def _schema(resource: str, metadata: dict) -> dict:
    """The contract's Table Schema; for protocols, with the package's own lines right after the standard
    ones (integers ≥ 0, described by their English label)."""
    schema = contract.table_schema(resource)
    lines = (metadata.get("election") or {}).get("extra_lines") or []
    if lines:
        at = _after_standard_lines([f["name"] for f in schema["fields"]])
        schema["fields"][at:at] = [{"name": line["name"], "type": "integer", "description": line.get("en") or
                                    line["name"], "constraints": {"minimum": 0}} for line in lines]
    return schema


def _after_standard_lines(names: list[str]) -> int:
    return max(names.index(line) for line in contract.line_names()) + 1


def _conform(resource: str, frame: pl.DataFrame, extra: list[str] = ()) -> pl.DataFrame:
    """Columns in contract order (absent ones empty), rows sorted by primary key."""
    names = contract.field_names(resource)
    if extra:
        at = _after_standard_lines(names)
        names = names[:at] + list(extra) + names[at:]
    extra = [c for c in frame.columns if c not in names]
    if extra:
        raise ValueError(f"resource {resource}: columns not in the contract: {extra}")
    frame = frame.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in names if c not in frame.columns]
    ).select(names)
    return frame.sort(contract.resource_spec(resource)["primary_key"], maintain_order=True)
