"""A small synthetic election package for unit tests of the stages (real data lives in datasets/)."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from ashyq.package_writer import write_package

METADATA = {
    "name": "test-election",
    "title": "Test election",
    "version": "1.0.0",
    "licenses": [{"name": "CC0-1.0", "title": "Public domain"}],
    "sources": [{"title": "Synthetic data for tests"}],
    "election": {"date": "2024-01-01", "country": "KZ", "type": "presidential",
                 "title": {"en": "Test election", "ru": "Тестовые выборы", "kk": "Сынақ сайлау"}},
}


def station_protocol(unit_id: str, **lines) -> dict:
    base = dict(contest_id="pres", unit_id=unit_id, source_id="official", voters_on_list=1000,
                ballots_received=900, ballots_issued_early=0, ballots_issued_in_station=580,
                ballots_issued_outside=20, ballots_cancelled=300, ballots_in_mobile_boxes=20,
                ballots_in_stationary_boxes=580, ballots_valid=590, ballots_invalid=10,
                ballots_lost=0, ballots_unaccounted=0)
    base.update(lines)
    return base


def tables(protocol_overrides: dict[str, dict] | None = None) -> dict[str, pl.DataFrame]:
    """Country → 1 region → 2 districts → 4 stations, one contest of two candidates."""
    overrides = protocol_overrides or {}
    units = pl.DataFrame([
        dict(unit_id="kz", parent_id=None, level="country", name_en="Kazakhstan", complete=True),
        dict(unit_id="r1", parent_id="kz", level="region", name_en="Region One", complete=True),
        dict(unit_id="r1.d1", parent_id="r1", level="district", name_en="District 1", commission="DEC", complete=True),
        dict(unit_id="r1.d2", parent_id="r1", level="district", name_en="District 2", commission="DEC", complete=True),
        *[dict(unit_id=f"r1.d{d}.{s}", parent_id=f"r1.d{d}", level="station", code=str(s), commission="PEC")
          for d, s in [(1, 1), (1, 2), (2, 3), (2, 4)]],
    ])
    stations = [f"r1.d{d}.{s}" for d, s in [(1, 1), (1, 2), (2, 3), (2, 4)]]
    protocols = pl.DataFrame([station_protocol(s, **overrides.get(s, {})) for s in stations])
    votes = pl.DataFrame([
        dict(contest_id="pres", unit_id=s, source_id="official", choice_id=c, votes=v)
        for s in stations for c, v in [("a", 400), ("b", 190)]
    ])
    return {
        "units": units,
        "contests": pl.DataFrame([dict(contest_id="pres", kind="presidential", round=1, scope_unit_id="kz", name_en="President")]),
        "choices": pl.DataFrame([
            dict(contest_id="pres", choice_id="a", ballot_order=1, kind="candidate", name_en="Candidate A"),
            dict(contest_id="pres", choice_id="b", ballot_order=2, kind="candidate", name_en="Candidate B"),
        ]),
        "sources": pl.DataFrame([dict(source_id="official", kind="official", title="Official results")]),
        "protocols": protocols,
        "votes": votes,
    }


def write(directory: Path, **kwargs) -> Path:
    return write_package(Path(directory) / METADATA["name"], METADATA, tables(**kwargs))
