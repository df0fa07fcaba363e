"""``--append``: add a table's contests to a package that is already there, losing nothing.

The package's files are read as text and written back through ``write_package`` with the new
contests' choices, protocols and votes, the units and sources the package did not have yet, and the
election's extra lines merged. Anything that would change what is there is refused instead: a contest
id already in the package, a unit the table places under another parent or at another level, a
source of the same id that says something else, another election date or country. The merged package
must then pass validation before it replaces the files (``_write_atomically``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .. import contract, load
from ..problems import InputError, Problem
from . import limits
from .mapping import Mapping, located


@dataclass(frozen=True)
class Existing:
    path: Path
    descriptor: dict
    tables: dict[str, pl.DataFrame]  # every column as text, as written


def read_existing(out_dir: Path) -> Existing:
    descriptor_path = out_dir / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        tables = {}
        for resource in descriptor["resources"]:
            name = resource["name"]
            if name not in contract.resource_names():
                raise ValueError(f"resource {name!r} is not in the contract")
            path = load.safe_resource_path(out_dir.resolve(), resource["path"])
            if path.stat().st_size > limits.MAX_TABLE_BYTES:
                raise ValueError(f"{resource['path']} is over {limits.size(limits.MAX_TABLE_BYTES)}")
            tables[name] = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError) as error:
        raise InputError([Problem(*located(descriptor_path), f"the package to append to cannot be read "
                                  f"({type(error).__name__}: {error}): run build.py validate on it first",
                                  field="--append", kind="append")])
    return Existing(out_dir, descriptor, tables)


def append_tables(existing: Existing, metadata: dict, tables: dict[str, pl.DataFrame], mapping: Mapping,
                  out_dir: Path) -> tuple[dict, dict[str, pl.DataFrame]]:
    problems: list[Problem] = []

    def refuse(message: str, field: str | None = None, value=None) -> None:
        problems.append(Problem(*located(mapping.path), message, field=field,
                                value=None if value is None else str(value), kind="append"))

    old = existing.tables
    election = existing.descriptor.get("election") or {}
    for key in ("date", "country"):
        if str(election.get(key)) != str(metadata["election"][key]):
            refuse(f"the package in {out_dir} is for {key} {election.get(key)!r}, the mapping says "
                   f"{metadata['election'][key]!r}: --append adds contests of the same election", f"election.{key}",
                   metadata["election"][key])
    taken = set(old["contests"]["contest_id"])
    shared = [c for c in tables["contests"]["contest_id"] if c in taken]
    _check_shared_contests(old, tables, shared, refuse)
    _check_units(old["units"], tables["units"], refuse)
    _check_sources(old["sources"], tables["sources"], refuse)
    extra_lines = _merge_extra_lines(election.get("extra_lines") or [], metadata["election"].get("extra_lines") or [],
                                     refuse)
    if problems:
        raise InputError(problems)

    merged = dict(old)
    known_units = set(old["units"]["unit_id"])
    merged["units"] = _concat(old["units"], tables["units"].filter(~pl.col("unit_id").is_in(known_units)))
    known_sources = set(old["sources"]["source_id"])
    merged["sources"] = _concat(old["sources"], tables["sources"].filter(~pl.col("source_id").is_in(known_sources)))
    tables = {**tables, "contests": tables["contests"].filter(~pl.col("contest_id").is_in(shared)),
              "choices": tables["choices"].filter(~pl.col("contest_id").is_in(shared))}
    for name in ("contests", "choices", "protocols", "votes"):
        merged[name] = _concat(old[name], tables[name]) if name in old else tables[name]
    descriptor = {key: value for key, value in existing.descriptor.items() if key != "resources"}
    descriptor["election"] = dict(election)
    if extra_lines:
        descriptor["election"]["extra_lines"] = extra_lines
    return descriptor, merged


def _check_shared_contests(old: dict[str, pl.DataFrame], new: dict[str, pl.DataFrame], shared: list[str],
                           refuse) -> None:
    """A contest the package has already takes more stations (an e-voting table, a late region), on the same
    ballot; a station that already has a protocol for it is refused, never overwritten."""
    if not shared:
        return
    ballot = old["choices"].filter(pl.col("contest_id").is_in(shared)).select("contest_id", "choice_id")
    strangers = new["choices"].filter(pl.col("contest_id").is_in(shared)).join(ballot, on=["contest_id", "choice_id"],
                                                                              how="anti")
    for contest_id, choice_id in strangers.select("contest_id", "choice_id").head(20).iter_rows():
        refuse(f"choice {choice_id!r} is not on the ballot of contest {contest_id!r} in the package: give the "
               "choices the package's ids (choices: id), or give the contest a new id", "choices", choice_id)
    keys = ["contest_id", "unit_id", "source_id"]
    twice = new["protocols"].select(keys).join(old["protocols"].select(keys), on=keys)
    for contest_id, unit_id, source_id in twice.head(20).iter_rows():
        refuse(f"station {unit_id!r} already has a protocol for contest {contest_id!r} from source {source_id!r}: "
               "--append adds, it never overwrites (to change figures, import the package again)", "contest.id",
               contest_id)


def _check_units(old: pl.DataFrame, new: pl.DataFrame, refuse) -> None:
    """A unit both have must sit at the same place: same parent, same level."""
    kind = (pl.col("kind") if "kind" in old.columns else pl.lit(None, dtype=pl.String)).fill_null("polling_station")
    new_kind = (pl.col("kind") if "kind" in new.columns else pl.lit(None, dtype=pl.String)).fill_null("polling_station")
    both = old.select("unit_id", "parent_id", "level", kind.alias("kind")).join(
        new.select("unit_id", pl.col("parent_id").alias("new_parent"), pl.col("level").alias("new_level"),
                   new_kind.alias("new_kind")), on="unit_id")
    differ = both.filter((pl.col("parent_id").fill_null("") != pl.col("new_parent").fill_null(""))
                         | (pl.col("level") != pl.col("new_level"))
                         | ((pl.col("level") == "station") & (pl.col("kind") != pl.col("new_kind"))))
    for unit_id, parent, level, kind_was, new_parent, new_level, kind_now in differ.sort("unit_id").head(20).iter_rows():
        refuse(f"unit {unit_id!r} is a {level} ({kind_was}) under {parent!r} in the package but a {new_level} "
               f"({kind_now}) under {new_parent!r} in this table: make the mapping give the same ids and kinds "
               "(levels, id_prefix, unique_within, non_stations)", "levels", unit_id)
    roots = set(new.filter(pl.col("parent_id").is_null())["unit_id"])
    if not roots <= set(old["unit_id"]):
        refuse(f"the country {sorted(roots)} is not the package's root unit: set country.id as in the package",
               "country.id", ", ".join(sorted(roots)))


def _check_sources(old: pl.DataFrame, new: pl.DataFrame, refuse) -> None:
    for row in new.iter_rows(named=True):
        same = old.filter(pl.col("source_id") == row["source_id"])
        if same.is_empty():
            continue
        before = same.row(0, named=True)
        differ = [k for k, v in row.items() if v is not None and k in before and str(v) != str(before[k] or "")]
        if differ:
            refuse(f"source {row['source_id']!r} is in the package with another {', '.join(differ)}: give this "
                   "table's source its own id, or the same details", "source.id", row["source_id"])


def _merge_extra_lines(old: list, new: list, refuse) -> list:
    merged = {line["name"]: line for line in old if isinstance(line, dict) and "name" in line}
    for line in new:
        if line["name"] in merged and merged[line["name"]] != line:
            refuse(f"extra line {line['name']!r} is declared in the package with other labels", "election.extra_lines",
                   line["name"])
        merged.setdefault(line["name"], line)
    return list(merged.values())


def _concat(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Rows of both, every column as text (the package's CSVs are written from text either way)."""
    new = new.with_columns([pl.col(c).cast(pl.String) if new[c].dtype != pl.Boolean else
                            pl.col(c).replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
                            for c in new.columns])
    return pl.concat([old, new], how="diagonal_relaxed")
