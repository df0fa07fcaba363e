"""The sets of figures a unit has in a contest: what each source published for the unit itself,
and the sum of its stations per source, with what is needed to say whether a sum is partial."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import contract
from ..model import DERIVED_TOTALS
from .data import ElectionData
from .text import source_kind_label, t


@dataclass
class FigureSet:
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
        if not self.complete:
            return t("partial_package", n=self.stations_with_protocol)
        if self.listed_not_published:
            return t("partial_listed", n=f"{self.stations_with_protocol:,}", total=f"{self.stations_total:,}",
                     missing=f"{self.listed_not_published:,}")
        if self.stations_with_protocol < self.stations_total:
            return t("partial_sum", n=self.stations_with_protocol, total=self.stations_total)
        return ""

    def derived_note(self, name: str) -> str:
        """"derived" (or "derived at N stations") when the model derived this total from its parts."""
        if self.lines.get(name) is None or not self.derived.get(name):
            return ""
        if not self.is_sum:
            return t("derived")
        return t("derived_at", n=f"{self.derived[name]:,}")

    def _covered(self) -> int:
        """Stations a figure of this sum should cover: every station listed, or, when some protocols are
        listed without any figure (said once, in the heading), those that publish figures."""
        return self.stations_with_protocol if self.listed_not_published else self.stations_total

    def line_partial(self, name: str) -> str:
        if not self.is_sum or self.lines.get(name) is None:
            return ""
        n = self.line_counts.get(name, 0)
        return t("partial_sum", n=n, total=self.stations_total) if n < self._covered() else ""

    def vote_partial(self, choice_id: str) -> str:
        if not self.is_sum or self.votes.get(choice_id) is None:
            return ""
        n = self.vote_counts.get(choice_id, 0)
        return t("partial_sum", n=n, total=self.stations_total) if n < self._covered() else ""

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


def own_sets(data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    out = []
    for protocol in data.protocols.get((contest_id, unit_id), []):
        source = data.sources[protocol["source_id"]]
        votes = data.votes.get((contest_id, unit_id, protocol["source_id"]), {})
        out.append(FigureSet(
            key=f"own:{source['source_id']}",
            label=source_kind_label(source["kind"]),
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


def sum_sets(data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    out = []
    for row in data.sums.get((contest_id, unit_id), []):
        source = data.sources[row["source_id"]]
        votes = data.vote_sums.get((contest_id, unit_id, row["source_id"]), {})
        label = t("sum_of_stations", n=f'{row["stations_with_protocol"]:,}', total=f'{row["stations_total"]:,}')
        out.append(FigureSet(
            key=f"sum:{source['source_id']}",
            label=f"{label} ({source_kind_label(source['kind'])})",
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


def all_sets(data: ElectionData, contest_id: str, unit_id: str) -> list[FigureSet]:
    return own_sets(data, contest_id, unit_id) + sum_sets(data, contest_id, unit_id)


def primary(sets: list[FigureSet]) -> FigureSet | None:
    """The figures a chart shows: the official result as published, else the sum of stations."""
    with_votes = [s for s in sets if s.has_votes()] or sets
    if not with_votes:
        return None
    return sorted(with_votes, key=lambda s: (s.is_sum, s.source["kind"] != "official"))[0]
