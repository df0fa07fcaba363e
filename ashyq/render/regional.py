"""An election's figures, region by region: loaded for the regions built now, hashed for all.

A region's pages are built from its view of the election (``data.region_views``). Its figures
(protocols, votes, sums, turnout, findings, extra lines) are most of an election's data: 1.2 million
rows at national scale, 5–9 s to load into Python. On election night most regions keep their pages
(reuse.py), and their figures are never read: they stay in DuckDB.

- ``Figures.digests``: each region's units and figures, hashed in DuckDB: per table, a count of rows
  and a sum of their hashes (of the whole row). The same rows give the same digest in any
  order, and each query orders its rows by their own values, so the same digest means the same
  rows in the same order. The regions' keys are made of them (reuse.regions).
- ``Figures.load``: the figures of the regions asked, one query per table whatever their number,
  with those of the units above the regions and of the regions' own units (the election page lists
  the regions).
- ``Table``: one table as the election's own pages read it. Asked for a unit whose figures are not
  loaded (a page that reads across regions: a single-member contest's list of stations, say), it
  loads the whole election's table set, once, in the queries' order. ``RegionTable``: one table of
  a region's view that is not loaded; it loads its region when read.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping

import polars as pl

from .. import checks
from ..model import named_queries

# ElectionData's field: its named query (sql/queries.sql) and how its rows are grouped by key.
FIGURES = {
    "protocols": ("election_protocols", ("contest_id", "unit_id"), None),
    "votes": ("election_votes", ("contest_id", "unit_id", "source_id"), "choice_id"),
    "sums": ("election_unit_sums", ("contest_id", "unit_id"), None),
    "vote_sums": ("election_unit_vote_sums", ("contest_id", "unit_id", "source_id"), "choice_id"),
    "turnout": ("election_turnout", ("contest_id", "unit_id"), None),
    "turnout_sums": ("election_turnout_sums", ("contest_id", "unit_id"), None),
    "findings": ("election_findings", ("unit_id",), None),
    "extra_values": ("election_extra_values", ("contest_id", "unit_id", "source_id"), "line"),
}
# The tables whose contests are the contests held in a region (its pages name their winners).
HELD = ("protocols", "sums", "turnout")
ABOVE = None  # the part of the units above the regions and of the regions' own units


def group(field: str, rows: list[dict]) -> dict:
    """One table's rows by key: a list of rows per key, or per key a dict by choice (votes) or line
    (the extra lines' values); findings by unit."""
    _, keys, by = FIGURES[field]
    out: dict = defaultdict(list if by is None else dict)
    if by is None:
        for row in rows:
            out[row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)].append(row)
    elif field == "extra_values":
        for row in rows:
            out[tuple(row[k] for k in keys)][row[by]] = row["value"]
    else:
        for row in rows:
            out[tuple(row[k] for k in keys)][row[by]] = row
    return dict(out)


def unit_of(key) -> str:
    return key if isinstance(key, str) else key[1]


class Figures:
    """One election's figures in DuckDB, and the parts of them loaded into Python so far."""

    def __init__(self, db, election_id: str, units: dict[str, dict], children: dict):
        self.db, self.election_id = db, election_id
        self.region_of: dict[str, str] = {}
        self.units_of: dict[str, list[str]] = {}
        for root in children.get(None, []):
            for region in children.get(root, []):
                mine, stack = [], [region]
                while stack:
                    unit_id = stack.pop()
                    mine.append(unit_id)
                    self.region_of[unit_id] = region
                    stack.extend(children.get(unit_id, []))
                self.units_of[region] = mine
        # part ABOVE's units: those above the regions, and the regions themselves
        self.above = {u for u in units if u not in self.region_of or u in self.units_of}
        self.checked = checks.have_run(db)  # else there are no findings
        self.parts: dict[str | None, dict[str, dict]] = {}  # region (ABOVE) → field → rows by key
        self.whole: dict[str, dict] | None = None
        self._digests: dict[str, tuple[bytes, set]] | None = None

    # ---- loading -------------------------------------------------------------------------------

    def load(self, regions) -> None:
        """Load the figures of ``regions`` and of the units above them (the regions' own included),
        those not loaded yet, one query per table; every region at once loads the whole election."""
        wanted = [r for r in dict.fromkeys(regions) if r not in self.parts]
        if self.whole is not None or (not wanted and ABOVE in self.parts):
            return
        if set(wanted) | (set(self.parts) - {ABOVE}) >= set(self.units_of):
            self.load_whole()
            return
        units = ([] if ABOVE in self.parts else list(self.above)) + [u for r in wanted for u in self.units_of[r]]
        tables = self._query(units)
        for region in wanted:
            self.parts[region] = {field: {} for field in FIGURES}
        self.parts.setdefault(ABOVE, {field: {} for field in FIGURES})
        for field, table in tables.items():
            self._split(field, table, set(wanted))

    def load_whole(self) -> None:
        """Every figure of the election, in the queries' order; each region's part split from it."""
        if self.whole is not None:
            return
        self.whole = self._query(None)
        self.parts = {region: {field: {} for field in FIGURES} for region in [ABOVE, *self.units_of]}
        for field, table in self.whole.items():
            self._split(field, table, set(self.units_of))

    def _split(self, field: str, table: dict, regions: set) -> None:
        above, region_of, parts = self.above, self.region_of, self.parts
        for key, value in table.items():
            unit_id = unit_of(key)
            region = region_of.get(unit_id)
            if region in regions:
                parts[region][field][key] = value
            if unit_id in above and ABOVE in parts:
                parts[ABOVE][field][key] = value

    def _query(self, units: list[str] | None) -> dict[str, dict]:
        """Each table's rows of ``units`` (None: all), grouped."""
        out = {}
        for field, (query, _, _) in FIGURES.items():
            if field == "findings" and not self.checked:
                out[field] = {}
                continue
            out[field] = group(field, self.db.named(query, election_id=self.election_id, units=units))
        return out

    def part(self, region: str | None) -> dict[str, dict]:
        if region not in self.parts:
            self.load([region] if region is not None else [])
        return self.parts[region]

    # ---- what pages read -----------------------------------------------------------------------

    def tables(self) -> dict[str, Mapping]:
        """The election's tables as its own pages read them (plain dicts once it is loaded whole)."""
        if self.whole is not None:
            return dict(self.whole)
        return {field: Table(self, field) for field in FIGURES}

    def view_tables(self, region: str) -> dict[str, Mapping]:
        """A region's tables for its view: plain dicts where loaded."""
        if region in self.parts:
            return dict(self.parts[region])
        return {field: RegionTable(self, field, region) for field in FIGURES}

    def settle(self, data, views: dict) -> None:
        """Once loaded: the election's and the views' tables become the plain dicts loaded."""
        for field, table in self.tables().items():
            setattr(data, field, table)
        for region, view in views.items():
            for field, table in self.view_tables(region).items():
                setattr(view, field, table)

    def contests_held(self, region: str) -> set[str]:
        """The contests with protocols, sums or turnout in the region."""
        if region in self.parts:
            return {key[0] for field in HELD for key in self.parts[region][field]}
        return self.digests()[region][1]

    # ---- what keys are made of -----------------------------------------------------------------

    def digests(self) -> dict[str, tuple[bytes, set]]:
        """Per region: the digest of its units' rows and figures, and the contests held there."""
        if self._digests is not None:
            return self._digests
        frame = pl.DataFrame({"unit_id": list(self.region_of), "region_id": list(self.region_of.values())},
                             schema={"unit_id": pl.String, "region_id": pl.String})
        name = "ashyq_unit_regions"
        self.db.con.register(name, frame)
        try:
            lines: dict[str, list] = {region: [] for region in self.units_of}
            held: dict[str, set] = {region: set() for region in self.units_of}
            tables = [("units", "election_units", {}),
                      *((field, query, {"units": None}) for field, (query, _, _) in FIGURES.items()
                        if field != "findings" or self.checked)]
            for field, query, params in tables:
                sql = named_queries()[query].rstrip().rstrip(";")
                contests = "list(DISTINCT q.contest_id)" if field in HELD else "NULL"
                rows = self.db.rows(
                    f"SELECT r.region_id, count(*) AS n, sum(hash(q))::HUGEINT::VARCHAR AS h, "
                    f"{contests} AS contests FROM ({sql}) q JOIN {name} r ON r.unit_id = q.unit_id "
                    f"GROUP BY r.region_id", {"election_id": self.election_id, **params})
                found = {row["region_id"]: row for row in rows}
                for region in self.units_of:
                    row = found.get(region)
                    lines[region].append(f"{field}:{row['n']}:{row['h']}" if row else f"{field}:0")
                    held[region] |= set((row or {}).get("contests") or [])
        finally:
            self.db.con.unregister(name)
        self._digests = {region: (hashlib.sha256("\n".join(lines[region]).encode()).digest(), held[region])
                         for region in self.units_of}
        return self._digests


class Table(Mapping):
    """One figure table of the whole election: the part holding a key's unit when it is loaded,
    else the whole election's table (loaded then)."""

    def __init__(self, figures: Figures, field: str):
        self.figures, self.field = figures, field

    def _holding(self, key) -> dict:
        figures = self.figures
        if figures.whole is None:
            unit_id = unit_of(key)
            part = figures.parts.get(ABOVE if unit_id in figures.above else figures.region_of.get(unit_id))
            if part is not None:
                return part[self.field]
            figures.load_whole()
        return figures.whole[self.field]

    def __getitem__(self, key):
        return self._holding(key)[key]

    def __iter__(self):
        self.figures.load_whole()
        return iter(self.figures.whole[self.field])

    def __len__(self) -> int:
        self.figures.load_whole()
        return len(self.figures.whole[self.field])


class RegionTable(Mapping):
    """One figure table of a region's view, not loaded: its region is loaded when it is read."""

    def __init__(self, figures: Figures, field: str, region: str):
        self.figures, self.field, self.region = figures, field, region

    def _table(self) -> dict:
        return self.figures.part(self.region)[self.field]

    def __getitem__(self, key):
        return self._table()[key]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())
