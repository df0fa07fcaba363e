"""Statistical indicators over the stations of a contest: distributions, not findings.

A turnout histogram, the turnout × leader's share density (Klimek, Thurner, Hanel & Sornette, PNAS
2012), and how often turnout and the leader's share are whole or round percentages against the rate
expected by chance (Kobak, Shpilkin & Pshenichnikov, Annals of Applied Statistics 2016). These are
indicators with caveats — a bimodal shape or a surplus of round numbers can have innocent causes
(special stations, small lists, local custom) — and are labelled so wherever they are shown; they
prove nothing about any single station.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import _blocks

CAVEAT = ("Statistical indicator, not proof: a shape like this can have innocent causes (hospitals, "
          "military or closed stations, very small lists). It says where to look, not what happened.")
ROUND_KINDS = {"integer": 1.0, "multiple_of_5": 5.0}


def station_figures(db, election_id: str, contest_id: str) -> pl.DataFrame:
    """Per station: list, ballots issued, valid, the contest leader's votes, turnout %, leader share %."""
    return db.frame(_blocks()["station_figures"], {"election_id": election_id, "contest_id": contest_id})


def _figures(db, election_id: str, contest_id: str, stations: pl.DataFrame | None) -> pl.DataFrame:
    return stations if stations is not None else station_figures(db, election_id, contest_id)


def turnout_histogram(db, election_id: str, contest_id: str, bin_width: float = 1.0,
                      stations: pl.DataFrame | None = None) -> pl.DataFrame:
    """Stations and voters per turnout bin [lower, lower + bin_width) (``stations``: station_figures,
    when already read)."""
    stations = _figures(db, election_id, contest_id, stations).filter(pl.col("turnout").is_not_null())
    return (stations.with_columns(lower=(pl.col("turnout").clip(0, 100 - 1e-9) / bin_width).floor() * bin_width)
            .group_by("lower").agg(stations=pl.len(), voters=pl.col("voters_on_list").sum())
            .sort("lower"))


def turnout_leader_density(db, election_id: str, contest_id: str, bin_width: float = 1.0,
                           stations: pl.DataFrame | None = None) -> pl.DataFrame:
    """Stations and voters per (turnout bin, leader share bin): the 2-D "fingerprint" of Klimek et al."""
    stations = _figures(db, election_id, contest_id, stations).filter(
        pl.col("turnout").is_not_null() & pl.col("leader_share").is_not_null())
    binned = stations.with_columns(
        turnout_lower=(pl.col("turnout").clip(0, 100 - 1e-9) / bin_width).floor() * bin_width,
        share_lower=(pl.col("leader_share").clip(0, 100 - 1e-9) / bin_width).floor() * bin_width,
    )
    return (binned.group_by("turnout_lower", "share_lower")
            .agg(stations=pl.len(), voters=pl.col("voters_on_list").sum())
            .sort("turnout_lower", "share_lower"))


def round_percentages(db, election_id: str, contest_id: str, stations: pl.DataFrame | None = None) -> pl.DataFrame:
    """Observed and expected counts of stations whose turnout / leader share is a whole number
    (within 0.05 of it, i.e. "x.0" at one decimal) or a multiple of 5 %."""
    stations = _figures(db, election_id, contest_id, stations)
    measures = {
        "turnout": stations.select("unit_id", n="voters_on_list", k="ballots_issued", percent="turnout"),
        "leader_share": stations.select("unit_id", n="ballots_valid", k="leader_votes", percent="leader_share"),
    }
    rows = []
    for measure, frame in measures.items():
        frame = frame.filter(pl.col("percent").is_not_null() & (pl.col("n") > 0))
        db.con.register("station_counts", frame.select("unit_id", "n", "k").to_arrow())
        try:
            chance = db.frame(_blocks()["integer_chance"])  # a column per kind (ROUND_KINDS)
        finally:
            db.con.unregister("station_counts")
        for kind, step in ROUND_KINDS.items():
            observed = frame.filter(
                ((pl.col("percent") / step - (pl.col("percent") / step).round(0)).abs() * step) < 0.05).height
            rows.append(dict(measure=measure, kind=kind, stations=frame.height, observed=observed,
                             expected=round(float(chance[kind].sum()), 1)))
    return pl.DataFrame(rows).with_columns(ratio=(pl.col("observed") / pl.col("expected")).round(2))


def tail_stations(db, election_id: str, contest_id: str, quantile: float = 0.99,
                  stations: pl.DataFrame | None = None) -> pl.DataFrame:
    """Stations at or above the given quantile of turnout or of the leader's share, highest first."""
    stations = _figures(db, election_id, contest_id, stations)
    limits = stations.select(turnout_limit=pl.col("turnout").quantile(quantile),
                             share_limit=pl.col("leader_share").quantile(quantile)).to_dicts()[0]
    if limits["turnout_limit"] is None:
        return stations.clear().with_columns(tail=pl.lit(None, pl.String))
    return (stations.filter((pl.col("turnout") >= limits["turnout_limit"])
                            | (pl.col("leader_share") >= (limits["share_limit"] if limits["share_limit"] is not None else 101)))
            .with_columns(tail=pl.when(pl.col("turnout") >= limits["turnout_limit"]).then(pl.lit("turnout"))
                          .otherwise(pl.lit("leader_share")))
            .sort("turnout", descending=True))


@dataclass(frozen=True)
class Indicators:
    """Every indicator of one contest, computed once: the integrity page shows them in each language."""
    stations: pl.DataFrame  # station_figures
    histogram: pl.DataFrame  # turnout_histogram, 1-point bins
    density: pl.DataFrame  # turnout_leader_density in density_bin-point cells
    density_bin: int
    density_table: pl.DataFrame  # the same in table_bin-point cells, for its table of numbers
    table_bin: int
    rounds: pl.DataFrame  # round_percentages
    tails: pl.DataFrame  # tail_stations


def indicators(db, election_id: str, contest_id: str, min_stations: int, max_points: int,
               table_bin: int) -> Indicators | None:
    """The contest's indicators, or None when fewer than ``min_stations`` stations have a turnout (no
    distribution to speak of). The density in 1-point cells, or 2-point ones past ``max_points``
    occupied cells (a chart draws a point per cell)."""
    stations = station_figures(db, election_id, contest_id)
    if stations.filter(pl.col("turnout").is_not_null()).height < min_stations:
        return None
    density, density_bin = turnout_leader_density(db, election_id, contest_id, stations=stations), 1
    if density.height > max_points:
        density_bin = 2
        density = turnout_leader_density(db, election_id, contest_id, bin_width=density_bin, stations=stations)
    return Indicators(stations=stations,
                      histogram=turnout_histogram(db, election_id, contest_id, stations=stations),
                      density=density, density_bin=density_bin,
                      density_table=turnout_leader_density(db, election_id, contest_id, bin_width=table_bin,
                                                           stations=stations),
                      table_bin=table_bin, rounds=round_percentages(db, election_id, contest_id, stations),
                      tails=tail_stations(db, election_id, contest_id, stations=stations))
