"""The sets of figures a unit has in a contest: what each source published for the unit itself,
and the sum of its stations per source, with what is needed to say whether a sum is partial."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import contract
from ..model import DERIVED_TOTALS
from .data import ElectionData
from .locale import Locale


@dataclass
class FigureSet:
    loc: Locale
    key: str  # unique within the unit: "own:<source>" or "sum:<source>"
    label: str  # plain text column heading
    source: dict
    is_sum: bool
    lines: dict  # protocol line → value or None
    votes: dict  # choice_id → votes or None
    published_percent: dict  # choice_id → percent as published (own protocols only)
    line_counts: dict  # sums only: line → stations where published
    vote_counts: dict  # sums only: choice → stations where published
    stations_total: int = 0
    stations_with_protocol: int = 0
    complete: bool = True
    turnout_percent: float | None = None
    derived: dict = field(default_factory=dict)  # line → derived from its parts (own: True; sums: at how many stations)
    listed_not_published: int = 0  # sums only: stations listed with a protocol that has no figure
    extra: dict = field(default_factory=dict)  # the package's own lines (own protocols only): name → value

    def partial_note(self) -> str:
        """Empty when the sum covers every station of the unit; otherwise says how partial it is."""
        if not self.is_sum:
            return ""
        if not self.complete:  # the heading says how many stations the package has
            return self.loc.t("partial_incomplete")
        if self.listed_not_published:  # the heading says how many published of how many listed
            return self.loc.t("partial_listed", missing=self.loc.number(self.listed_not_published))
        if self.stations_with_protocol < self.stations_total:
            return self.loc.t("partial_sum", n=self.loc.number(self.stations_with_protocol), total=self.loc.number(self.stations_total))
        return ""

    def derived_note(self, name: str) -> str:
        """"derived" (or "derived at N stations") when the model derived this total from its parts."""
        if self.lines.get(name) is None or not self.derived.get(name):
            return ""
        if not self.is_sum:
            return self.loc.t("derived")
        return self.loc.t("derived_at", n=self.loc.number(self.derived[name]))

    def _covered(self) -> int:
        """Stations a figure of this sum should cover: every station listed, or, when some protocols are
        listed without any figure (said once, in the heading), those that publish figures."""
        return self.stations_with_protocol if self.listed_not_published else self.stations_total

    def line_partial(self, name: str) -> str:
        if not self.is_sum or self.lines.get(name) is None:
            return ""
        n = self.line_counts.get(name, 0)
        return self.loc.t("partial_sum", n=self.loc.number(n), total=self.loc.number(self.stations_total)) if n < self._covered() else ""

    def vote_partial(self, choice_id: str) -> str:
        if not self.is_sum or self.votes.get(choice_id) is None:
            return ""
        n = self.vote_counts.get(choice_id, 0)
        return self.loc.t("partial_sum", n=self.loc.number(n), total=self.loc.number(self.stations_total)) if n < self._covered() else ""

    def has_votes(self) -> bool:
        return any(v is not None for v in self.votes.values())

    def share(self, choice_id: str) -> tuple[float | None, bool]:
        """(share in percent, approximate?): as published, else computed from valid ballots."""
        published = self.published_percent.get(choice_id)
        if published is not None:
            return published, False
        votes = self.votes.get(choice_id)
        if votes is None:
            return None, False
        base = self.lines.get("ballots_valid")
        if not base and self.votes and all(v is not None for v in self.votes.values()):
            base = sum(self.votes.values())  # only when every choice's votes are published
        return (100.0 * votes / base, True) if base else (None, False)

    def computed_turnout(self) -> float | None:
        issued, listed = self.lines.get("ballots_issued"), self.lines.get("voters_on_list")
        return 100.0 * issued / listed if issued is not None and listed else None


def own_sets(loc: Locale, data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    out = []
    for protocol in data.protocols.get((contest_id, unit_id), []):
        source = data.sources[protocol["source_id"]]
        votes = data.votes.get((contest_id, unit_id, protocol["source_id"]), {})
        out.append(FigureSet(
            loc=loc,
            key=f"own:{source['source_id']}",
            label=loc.source_kind(source["kind"]),
            source=source, is_sum=False,
            lines={n: protocol[n] for n in contract.line_names()},
            votes={c: r["votes"] for c, r in votes.items()},
            published_percent={c: r["percent"] for c, r in votes.items()},
            line_counts={}, vote_counts={},
            turnout_percent=protocol.get("turnout_percent"),
            derived={n: bool(protocol.get(f"{n}_derived")) for n in DERIVED_TOTALS},
            extra=data.extra_values.get((contest_id, unit_id, protocol["source_id"]), {}),
        ))
    return out


def sum_sets(loc: Locale, data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    out = []
    for row in data.sums.get((contest_id, unit_id), []):
        source = data.sources[row["source_id"]]
        votes = data.vote_sums.get((contest_id, unit_id, row["source_id"]), {})
        label = sum_label(loc, row)
        out.append(FigureSet(
            loc=loc,
            key=f"sum:{source['source_id']}",
            label=f"{label} ({loc.source_kind(source['kind'])})",
            source=source, is_sum=True,
            lines={n: row[n] for n in contract.line_names()},
            votes={c: r["votes"] for c, r in votes.items()},
            published_percent={},
            line_counts={n: row[f"{n}__n"] for n in contract.line_names()},
            vote_counts={c: r["votes__n"] for c, r in votes.items()},
            stations_total=row["stations_total"],
            stations_with_protocol=row["stations_with_protocol"],
            complete=bool(row["complete"]),
            derived={n: row.get(f"{n}__derived") or 0 for n in DERIVED_TOTALS},
            listed_not_published=row.get("stations_listed_not_published") or 0,
        ))
    return out


def sum_label(loc: Locale, row: dict) -> str:
    """What a sum of stations counts, once: the stations the package holds (when it does not hold all
    the unit's), those with a published protocol of all listed, or all of them."""
    if not row["complete"]:
        return loc.plural("sum_of_package_stations", row["stations_with_protocol"])
    if row["stations_with_protocol"] < row["stations_total"]:
        return loc.t("sum_of_stations", n=loc.number(row["stations_with_protocol"]), total=loc.number(row["stations_total"]))
    return loc.t("sum_of_all_stations", n=loc.number(row["stations_total"]))


def all_sets(loc: Locale, data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    return own_sets(loc, data, contest_id, unit_id) + sum_sets(loc, data, contest_id, unit_id)


def primary(sets: list[FigureSet]) -> FigureSet | None:
    """The figures a chart shows: the official result as published, else the sum of stations."""
    with_votes = [s for s in sets if s.has_votes()] or sets
    if not with_votes:
        return None
    return sorted(with_votes, key=lambda s: (s.is_sum, s.source["kind"] != "official"))[0]
