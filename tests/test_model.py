"""The model stage: hierarchy, sums over stations at every level, partial sums, not-published values."""
from __future__ import annotations

import polars as pl
import pytest

import synthetic
from ashyq import load, model


def build(tmp_path, **kwargs) -> model.Model:
    synthetic.write(tmp_path, **kwargs)
    return model.build_model(load.load_packages(tmp_path))


def test_unit_tree_has_depth_and_path(tmp_path):
    db = build(tmp_path)
    row = db.named("unit", election_id="test-election", unit_id="r1.d2.3")[0]
    assert row["depth"] == 3
    assert row["path"] == ["kz", "r1", "r1.d2", "r1.d2.3"]
    assert [c["unit_id"] for c in db.named("children", election_id="test-election", unit_id="r1")] == ["r1.d1", "r1.d2"]


def test_station_sums_match_the_protocols_at_every_level(tmp_path):
    db = build(tmp_path, protocol_overrides={"r1.d1.1": {"voters_on_list": 1234}})
    protocols = pl.read_csv(tmp_path / "test-election" / "protocols.csv")
    sums = db.frame("SELECT unit_id, voters_on_list, voters_on_list__n, stations_total FROM station_sums")
    by_unit = {r["unit_id"]: r for r in sums.to_dicts()}
    assert by_unit["kz"]["voters_on_list"] == protocols["voters_on_list"].sum()
    assert by_unit["r1.d1"]["voters_on_list"] == 1234 + 1000
    assert by_unit["r1.d1"]["stations_total"] == 2
    assert by_unit["kz"]["voters_on_list__n"] == 4


def test_a_line_published_nowhere_sums_to_not_published_not_zero(tmp_path):
    overrides = {s: {"ballots_lost": None} for s in ["r1.d1.1", "r1.d1.2", "r1.d2.3", "r1.d2.4"]}
    overrides["r1.d1.1"]["home_voting_requests"] = 7
    db = build(tmp_path, protocol_overrides=overrides)
    row = db.frame("SELECT * FROM station_sums WHERE unit_id = 'kz'").to_dicts()[0]
    assert row["ballots_lost"] is None and row["ballots_lost__n"] == 0
    # published at one station of four: the sum is partial, and says so
    assert row["home_voting_requests"] == 7 and row["home_voting_requests__n"] == 1
    assert row["stations_total"] == 4


def test_vote_results_put_the_sum_of_stations_beside_the_own_figure(tmp_path):
    db = build(tmp_path)
    rows = db.named("unit_votes", election_id="test-election", contest_id="pres", unit_id="kz")
    assert [(r["choice_id"], r["sum_votes"], r["own_votes"]) for r in rows] == [("a", 1600, None), ("b", 760, None)]
    assert all(r["complete"] for r in rows)


@pytest.mark.parametrize("election", ["spb-2021-duma"])
def test_real_package_sums_equal_the_csv(election, datasets_dir):
    directory = datasets_dir / election
    if not directory.exists():
        pytest.skip(f"{election} not in datasets/")
    db = model.build_model([load.load_package(directory)])
    protocols = pl.read_csv(directory / "protocols.csv", infer_schema_length=0).with_columns(
        pl.col("voters_on_list", "ballots_valid").cast(pl.Int64)
    )
    root = db.frame("SELECT unit_id FROM unit_tree WHERE depth = 0")["unit_id"][0]
    sums = db.frame("SELECT * FROM station_sums WHERE unit_id = $u", {"u": root}).to_dicts()[0]
    assert sums["voters_on_list"] == protocols["voters_on_list"].sum()
    assert sums["ballots_valid"] == protocols["ballots_valid"].sum()
    assert sums["stations_total"] == protocols.height
