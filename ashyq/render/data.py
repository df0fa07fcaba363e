"""Everything one election's pages need, fetched in bulk (one query per table, not one per page)
and grouped for lookup by unit. Pages only read from this; no SQL is written here."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import contract


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
    row_pages: dict[str, str] = field(default_factory=dict)  # station → URL of the table listing it
    coverage: list[dict] = field(default_factory=list)

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

    def has_data(self, contest_id: str, unit_id: str) -> bool:
        key = (contest_id, unit_id)
        return key in self.protocols or key in self.sums or key in self.turnout


def load_election(db, election_id: str) -> ElectionData:
    units = {row["unit_id"]: row for row in db.named("election_units", election_id=election_id)}
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit_id, row in units.items():  # already in display order
        children[row["parent_id"]].append(unit_id)
    choices: dict[str, list[dict]] = defaultdict(list)
    for row in db.named("election_choices", election_id=election_id):
        choices[row["contest_id"]].append(row)
    return ElectionData(
        election_id=election_id,
        election=db.named("election", election_id=election_id)[0],
        units=units,
        children=dict(children),
        contests=db.named("election_contests", election_id=election_id),
        choices=dict(choices),
        sources={row["source_id"]: row for row in db.named("election_sources", election_id=election_id)},
        protocols=_group(db.named("election_protocols", election_id=election_id), ("contest_id", "unit_id")),
        votes=_by_choice(db.named("election_votes", election_id=election_id)),
        sums=_group(db.named("election_unit_sums", election_id=election_id), ("contest_id", "unit_id")),
        vote_sums=_by_choice(db.named("election_unit_vote_sums", election_id=election_id)),
        turnout=_group(db.named("election_turnout", election_id=election_id), ("contest_id", "unit_id")),
        turnout_sums=_group(db.named("election_turnout_sums", election_id=election_id), ("contest_id", "unit_id")),
        findings=_findings(db, election_id),
        coverage=db.named("election_coverage", election_id=election_id),
    )


def _group(rows: list[dict], keys: tuple[str, ...]) -> dict:
    out: dict = defaultdict(list)
    for row in rows:
        out[tuple(row[k] for k in keys)].append(row)
    return dict(out)


def _by_choice(rows: list[dict]) -> dict:
    out: dict = defaultdict(dict)
    for row in rows:
        out[(row["contest_id"], row["unit_id"], row["source_id"])][row["choice_id"]] = row
    return dict(out)


def _findings(db, election_id: str) -> dict[str, list[dict]]:
    """Findings of the checks stage, when it has run (the table may not exist)."""
    exists = db.rows("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'findings'")[0]["n"]
    if not exists:
        return {}
    grouped = _group(db.named("election_findings", election_id=election_id), ("unit_id",))
    return {unit: rows for (unit,), rows in grouped.items()}


def line_names() -> list[str]:
    return contract.line_names()
