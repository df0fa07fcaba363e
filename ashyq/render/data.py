"""Everything one election's pages need, fetched in bulk (one query per table, not one per page)
and grouped for lookup by unit. Pages only read from this; no SQL is written here."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import contract
from ..checks.distributions import Indicators
from .regional import Figures


@dataclass
class ElectionData:
    election_id: str
    election: dict
    units: dict[str, dict]
    children: dict[str | None, list[str]]
    contests: list[dict]
    choices: dict[str, list[dict]]  # contest_id → choices in ballot order
    sources: dict[str, dict]
    protocols: dict[tuple[str, str], list[dict]]  # (contest, unit) → protocols, official first
    votes: dict[tuple[str, str, str], dict[str, dict]]  # (contest, unit, source) → choice → row
    sums: dict[tuple[str, str], list[dict]]  # (contest, unit) → station sums per source
    vote_sums: dict[tuple[str, str, str], dict[str, dict]]
    turnout: dict[tuple[str, str], list[dict]]  # (contest, unit) → reports in time order
    turnout_sums: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # station reports summed
    findings: dict[str, list[dict]] = field(default_factory=dict)  # unit → findings
    row_pages: dict[str, str] = field(default_factory=dict)  # station → path (after the language) of the table listing it
    row_contests: dict[str, str] = field(default_factory=dict)  # station → contest of that table
    coverage: list[dict] = field(default_factory=list)
    bodies: dict[str, dict] = field(default_factory=dict)  # body_id → body, largest first
    venues: dict[str, dict] = field(default_factory=dict)
    contest_results: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (contest, source) → choices by place
    extra_lines: list[dict] = field(default_factory=list)  # the package's own protocol lines, in order
    extra_values: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)  # (contest, unit, source) → line → value
    announced: list[dict] = field(default_factory=list)
    station_downloads: dict[str, list] = field(default_factory=dict)  # unit → downloads of its stations' protocols and votes
    indicators: dict[str, Indicators | None] = field(default_factory=dict)  # contest → its indicators, computed once
    whole: ElectionData | None = None  # a region's view (region_views): the election it is part of
    figures: Figures | None = None  # where its figures come from, and which are loaded (regional.py)

    @property
    def roots(self) -> list[str]:
        return self.children.get(None, [])

    def path(self, unit_id: str) -> list[dict]:
        """The unit's ancestors from the root down to itself."""
        out = []
        current = self.units.get(unit_id)
        while current is not None:
            out.append(current)
            current = self.units.get(current["parent_id"]) if current["parent_id"] else None
        return out[::-1]

    def is_root(self, unit_id: str) -> bool:
        return self.units[unit_id]["parent_id"] is None

    def stations(self) -> list[str]:
        return [u for u, row in self.units.items() if row["level"] == "station"]

    def constituency_stations(self, contest_id: str) -> list[str]:
        """The stations with a protocol for the contest, in the order of the station list."""
        return [u for u in self.stations() if (contest_id, u) in self.protocols]

    def contests_by_body(self) -> list[tuple[dict | None, list[dict]]]:
        """(body or None, its contests): the bodies in order, then contests of no body."""
        groups = [(body, [c for c in self.contests if c.get("body_id") == body_id])
                  for body_id, body in self.bodies.items()]
        rest = [c for c in self.contests if c.get("body_id") not in self.bodies]
        return [(b, cs) for b, cs in groups if cs] + ([(None, rest)] if rest else [])

    def winner(self, contest_id: str) -> tuple[dict | None, list[dict]]:
        """(the winning choice's result row or None when no winner can be read, all result rows by
        place) from the most official source of the contest."""
        keys = sorted((k for k in self.contest_results if k[0] == contest_id),
                      key=lambda k: (self.sources[k[1]]["kind"] != "official", k[1]))
        if not keys:
            return None, []
        rows = self.contest_results[keys[0]]
        first = rows[0] if rows else None
        return (first if first and first["leads"] and first["winner_readable"] else None), rows

    def has_data(self, contest_id: str, unit_id: str) -> bool:
        key = (contest_id, unit_id)
        return key in self.protocols or key in self.sums or key in self.turnout


def load_election(db, election_id: str, figures: bool = True) -> ElectionData:
    """One election's page data. ``figures=False``: its figures stay in DuckDB until pages read
    them, or ``data.figures.load`` loads those of the regions built (election night, regional.py)."""
    units = {row["unit_id"]: row for row in db.named("election_units", election_id=election_id)}
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit_id, row in units.items():  # already in display order
        children[row["parent_id"]].append(unit_id)
    choices: dict[str, list[dict]] = defaultdict(list)
    for row in db.named("election_choices", election_id=election_id):
        choices[row["contest_id"]].append(row)
    regional = Figures(db, election_id, units, children)
    data = ElectionData(
        election_id=election_id,
        election=db.named("election", election_id=election_id)[0],
        units=units,
        children=dict(children),
        contests=db.named("election_contests", election_id=election_id),
        choices=dict(choices),
        sources={row["source_id"]: row for row in db.named("election_sources", election_id=election_id)},
        **regional.tables(),
        coverage=db.named("election_coverage", election_id=election_id),
        bodies={row["body_id"]: row for row in db.named("election_bodies", election_id=election_id)},
        venues={row["venue_id"]: row for row in db.named("election_venues", election_id=election_id)},
        contest_results=_group(db.named("election_contest_results", election_id=election_id),
                               ("contest_id", "source_id")),
        extra_lines=db.named("election_extra_lines", election_id=election_id),
        announced=db.named("election_announced", election_id=election_id),
        figures=regional,
    )
    if figures:
        regional.load_whole()
        regional.settle(data, {})
    return data


def region_views(data: ElectionData) -> dict[str, ElectionData]:
    """Each unit just below a root (a region), with the part of the election its pages and sheets may
    read: its own units and their figures, the root (without its count of regions), and what belongs to
    the whole election and does not change as protocols arrive (contests, choices, sources, bodies).
    Not the national sums, coverage or announcements, nor the other regions: a region's pages are
    built from its view alone, so a view that did not change gives the same pages
    (render/reuse.py). The results of single-member contests held in the region are in it: its
    pages name their winners. One exception: the maps of polling venues are drawn on one scale for
    the whole election (``whole``), so where venues are placed, every region depends on all. A
    region's figures not loaded yet (regional.py) are loaded when its view is read."""
    figures = data.figures
    units: dict[str, dict] = defaultdict(dict)
    children: dict[str, dict] = defaultdict(dict)
    for unit_id, row in data.units.items():  # in display order
        region = figures.region_of.get(unit_id)
        if region is not None:
            units[region][unit_id] = row
            if unit_id in data.children:
                children[region][unit_id] = data.children[unit_id]
    single_member = {c["contest_id"] for c in data.contests if c.get("kind") == "single_member" and c.get("constituency")}
    views = {}
    for root in data.roots:
        # the root by name: how many regions it has is not the regions' business
        above = {row["unit_id"]: {k: v for k, v in row.items() if k != "children"} for row in data.path(root)}
        for region in data.children.get(root, []):
            held = figures.contests_held(region) & single_member
            venue_ids = {row.get("venue_id") for row in units[region].values()}
            views[region] = ElectionData(
                election_id=data.election_id, election=data.election, units={**above, **units[region]},
                children=children.get(region, {}), contests=data.contests, choices=data.choices, sources=data.sources,
                **figures.view_tables(region),
                bodies=data.bodies, venues={v: row for v, row in data.venues.items() if v in venue_ids},
                contest_results={k: rows for k, rows in data.contest_results.items() if k[0] in held},
                extra_lines=data.extra_lines, whole=data, figures=figures)
    return views


def _group(rows: list[dict], keys: tuple[str, ...]) -> dict:
    out: dict = defaultdict(list)
    for row in rows:
        out[tuple(row[k] for k in keys)].append(row)
    return dict(out)


def line_names() -> list[str]:
    return contract.line_names()
