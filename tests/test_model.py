"""The model stage: hierarchy, sums over stations at every level, partial sums, not-published values."""
from __future__ import annotations

import polars as pl
import pytest

import synthetic
from ashyq import contract, load, model


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


@pytest.mark.parametrize("election", ["spb-2021"])
def test_real_package_sums_equal_the_csv(election, datasets_dir):
    directory = datasets_dir / election
    if not directory.exists():
        pytest.skip(f"{election} not in datasets/")
    db = model.build_model([load.load_package(directory)])
    protocols = pl.read_csv(directory / "protocols.csv", infer_schema_length=0).with_columns(
        pl.col("voters_on_list", "ballots_valid").cast(pl.Int64)
    )
    root = db.frame("SELECT unit_id FROM unit_tree WHERE depth = 0")["unit_id"][0]
    lines = contract.line_names()
    for contest_id, rows in protocols.group_by("contest_id"):
        sums = db.frame("SELECT * FROM station_sums WHERE unit_id = $u AND contest_id = $c",
                        {"u": root, "c": contest_id[0]}).to_dicts()[0]
        assert sums["voters_on_list"] == rows["voters_on_list"].sum(), contest_id
        assert sums["ballots_valid"] == rows["ballots_valid"].sum(), contest_id
        assert sums["stations_total"] == rows.height, contest_id
        # a protocol listed without any figure is "listed, not published", never counted as published
        published = rows.filter(pl.any_horizontal([pl.col(n).is_not_null() for n in lines])).height
        assert sums["stations_with_protocol"] == published, contest_id
        assert sums["stations_listed_not_published"] == rows.height - published, contest_id


# --- totals derived from their parts, and protocols listed without figures -------------------------


def test_a_total_missing_from_the_protocol_is_derived_once_from_its_parts(tmp_path):
    """The synthetic protocols publish the parts of "ballots issued" (early, in the station, outside)
    but not the total: the model derives it once, flags it, and the checks read that same figure."""
    overrides = {"r1.d1.2": {"ballots_issued": 600},               # published: kept, not derived
                 "r1.d2.3": {"ballots_issued_in_station": None}}   # a part missing: not derived
    db = build(tmp_path, protocol_overrides=overrides)
    from ashyq.checks import run_checks

    run_checks(db)
    rows = {r["unit_id"]: r for r in db.rows(
        "SELECT unit_id, ballots_issued, ballots_issued_derived, ballots_in_boxes, ballots_in_boxes_derived "
        "FROM protocols")}
    assert (rows["r1.d1.1"]["ballots_issued"], rows["r1.d1.1"]["ballots_issued_derived"]) == (600, True)
    assert (rows["r1.d1.2"]["ballots_issued"], rows["r1.d1.2"]["ballots_issued_derived"]) == (600, False)
    assert (rows["r1.d2.3"]["ballots_issued"], rows["r1.d2.3"]["ballots_issued_derived"]) == (None, False)
    assert (rows["r1.d1.1"]["ballots_in_boxes"], rows["r1.d1.1"]["ballots_in_boxes_derived"]) == (600, True)
    kz = db.rows("SELECT ballots_issued, ballots_issued__n, ballots_issued__derived FROM station_sums "
                 "WHERE unit_id = 'kz'")[0]
    assert kz == {"ballots_issued": 1800, "ballots_issued__n": 3, "ballots_issued__derived": 2}
    # the checks compare the same figure the pages show; the total is checked against its parts only
    # where both are published
    outcomes = {(r["unit_id"], r["check_id"]): r for r in db.rows("SELECT * FROM check_outcomes")}
    assert outcomes[("r1.d1.1", "issued_le_list")]["actual"] == 600
    assert outcomes[("r1.d1.1", "ballots_issued_total_equals_parts")]["status"] == "cannot_check"
    assert outcomes[("r1.d1.2", "ballots_issued_total_equals_parts")]["status"] == "passed"
    assert outcomes[("r1.d2.3", "issued_le_list")]["status"] == "cannot_check"
    # the package's CSV is never rewritten
    written = pl.read_csv(tmp_path / "test-election" / "protocols.csv", infer_schema_length=0)
    assert written["ballots_issued"].drop_nulls().to_list() == ["600"]


def test_a_part_the_form_does_not_have_counts_as_zero_a_part_left_empty_does_not(tmp_path):
    every = {s: {"ballots_issued_early": None} for s in ["r1.d1.1", "r1.d1.2", "r1.d2.3", "r1.d2.4"]}
    db = build(tmp_path, protocol_overrides=every)
    assert db.rows("SELECT count(*) FILTER (WHERE ballots_issued_derived) AS n FROM protocols")[0]["n"] == 4
    one = {"r1.d1.1": {"ballots_issued_early": None}, "r1.d1.2": {"ballots_issued_early": 5}}
    db = build(tmp_path / "b", protocol_overrides=one)
    rows = {r["unit_id"]: r for r in db.rows("SELECT unit_id, ballots_issued FROM protocols")}
    assert rows["r1.d1.1"]["ballots_issued"] is None and rows["r1.d1.2"]["ballots_issued"] == 605


def test_a_protocol_listed_without_any_figure_is_not_counted_as_published(tmp_path):
    tables = synthetic.tables()
    empty = "r1.d2.4"
    lines = contract.line_names()
    tables["protocols"] = tables["protocols"].with_columns(
        [pl.when(pl.col("unit_id") == empty).then(None).otherwise(pl.col(n)).alias(n)
         for n in lines if n in tables["protocols"].columns])
    tables["votes"] = tables["votes"].with_columns(
        pl.when(pl.col("unit_id") == empty).then(None).otherwise(pl.col("votes")).alias("votes"))
    from ashyq.package_writer import write_package

    write_package(tmp_path / "test-election", synthetic.METADATA, tables)
    db = model.build_model(load.load_packages(tmp_path))
    kz = db.rows("SELECT stations_total, stations_with_protocol, stations_listed_not_published FROM station_sums "
                 "WHERE unit_id = 'kz'")[0]
    assert kz == {"stations_total": 4, "stations_with_protocol": 3, "stations_listed_not_published": 1}
    coverage = {r["level"]: r for r in db.named("election_coverage", election_id="test-election")}
    assert coverage["station"]["units_with_official_protocol"] == 3
    assert coverage["station"]["units_listed_not_published"] == 1
    published = db.named("election_lines_published", election_id="test-election")
    station = next(r for r in published if r["level"] == "station")
    assert (station["protocols"], station["protocols_listed_not_published"]) == (3, 1)


def test_every_kind_of_station_counts_in_every_total(tmp_path):
    """An electronic-voting unit attached to the region (not to a district) is a station: it is in
    the region's and the country's sums like the others."""
    tables = synthetic.tables()
    tables["units"] = pl.concat([tables["units"], pl.DataFrame([dict(
        unit_id="r1.evote", parent_id="r1", level="station", code="E1", name_en="Electronic voting",
        kind="electronic")])], how="diagonal")
    tables["protocols"] = pl.concat([tables["protocols"], pl.DataFrame([synthetic.station_protocol(
        "r1.evote", voters_on_list=5000)])], how="diagonal")
    from ashyq.package_writer import write_package

    write_package(tmp_path / "test-election", synthetic.METADATA, tables)
    db = model.build_model(load.load_packages(tmp_path))
    sums = {r["unit_id"]: r for r in db.rows("SELECT unit_id, voters_on_list, stations_total FROM station_sums")}
    assert sums["kz"] == {"unit_id": "kz", "voters_on_list": 4 * 1000 + 5000, "stations_total": 5}
    assert sums["r1"]["stations_total"] == 5 and sums["r1.d1"]["stations_total"] == 2
