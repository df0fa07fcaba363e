"""The checks stage: every control ratio finds its fault and nothing else; real packages add up."""
from __future__ import annotations

import html
import re

from pathlib import Path

import polars as pl
import pytest

import synthetic
from ashyq import checks, load, model
from ashyq.checks import distributions
from ashyq.package_writer import write_package
from ashyq.render import urls
from ashyq.render.locale import Locale
from paths import REALDATA
from render_helpers import sheet_columns

EN = Locale("en")

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPB = REALDATA / "ru-spb-2021-uik-turnout" / "spb2021_duma_party_list_uik.csv"

# A clean station: every control ratio holds (received 900 = issued 600 + cancelled 300; boxes 600 =
# valid 590 + invalid 10 = votes 400 + 190; mobile 20 ≤ outside 20 ≤ requests 25; 20 added of 1,000).
CLEAN = dict(home_voting_requests=25, voters_added_on_day=20, ballots_issued=600)
CLEAN_VOTES = {"a": 400, "b": 190}
CLEAN_TURNOUT = [("10:00", 100), ("12:00", 300), ("14:00", 400), ("16:00", 480), ("20:00", 600)]

# One fault per check, each in its own station, with the other lines adjusted so that only that
# check can fail. (station, lines, votes, turnout) → the check expected to fail.
FAULTS = {
    "ballots_received_reconcile": dict(lines=dict(ballots_received=901)),
    "ballots_issued_total_equals_parts": dict(lines=dict(ballots_issued=601, ballots_received=901)),
    "ballots_in_boxes_equal_counted": dict(lines=dict(ballots_invalid=11)),
    "votes_equal_valid": dict(votes={"a": 401, "b": 190}),
    "ballots_in_boxes_le_issued": dict(lines=dict(ballots_in_stationary_boxes=581, ballots_valid=591),
                                       votes={"a": 401, "b": 190}),
    "mobile_boxes_le_issued_outside": dict(lines=dict(ballots_in_mobile_boxes=21, ballots_in_stationary_boxes=579)),
    "mobile_boxes_le_home_requests": dict(lines=dict(home_voting_requests=19)),
    "issued_le_list": dict(lines=dict(voters_on_list=599)),
    "turnout_exactly_100": dict(lines=dict(voters_on_list=600)),
    "added_on_day_share": dict(lines=dict(voters_added_on_day=150)),
    "turnout_never_decreases": dict(turnout=[("10:00", 100), ("12:00", 300), ("14:00", 290), ("16:00", 480), ("20:00", 600)]),
    "last_report_le_final": dict(turnout=[("10:00", 100), ("12:00", 300), ("14:00", 400), ("16:00", 480), ("20:00", 610)]),
}


def fault_tables() -> dict[str, pl.DataFrame]:
    """One district of stations: one per fault, one clean, one with cancelled ballots not published."""
    tables = synthetic.tables()
    stations = {f"s.{check_id}": fault for check_id, fault in FAULTS.items()}
    stations["s.clean"] = {}
    stations["s.unpublished"] = dict(lines=dict(ballots_cancelled=None))
    units = [dict(unit_id="kz", parent_id=None, level="country", name_en="Kazakhstan", complete=True),
             dict(unit_id="d", parent_id="kz", level="district", name_en="District", complete=True)]
    protocols, votes, turnout = [], [], []
    for unit_id, fault in stations.items():
        units.append(dict(unit_id=unit_id, parent_id="d", level="station", code=unit_id))
        protocols.append(synthetic.station_protocol(unit_id, **{**CLEAN, **fault.get("lines", {})}))
        votes += [dict(contest_id="pres", unit_id=unit_id, source_id="official", choice_id=c, votes=v)
                  for c, v in fault.get("votes", CLEAN_VOTES).items()]
        turnout += [dict(contest_id="pres", unit_id=unit_id, source_id="official", reported_at=f"2024-01-01T{t}:00",
                         label=t, voters_received_ballot=n, voters_on_list=1000)
                    for t, n in fault.get("turnout", CLEAN_TURNOUT)]
    tables.update(units=pl.DataFrame(units), protocols=pl.DataFrame(protocols), votes=pl.DataFrame(votes),
                  turnout=pl.DataFrame(turnout))
    return tables


def checked(tmp_path, tables) -> model.Model:
    write_package(tmp_path / synthetic.METADATA["name"], synthetic.METADATA, tables)
    db = model.build_model(load.load_packages(tmp_path))
    checks.run_checks(db)
    return db


@pytest.fixture(scope="module")
def datasets_db():
    packages = [load.load_package(ROOT / "datasets" / name)
                for name in ("spb-2021", "kz-2011-presidential", "kz-2022-presidential")
                if (ROOT / "datasets" / name).exists()]
    db = model.build_model(packages)
    checks.run_checks(db)
    return db


def test_each_injected_fault_is_found_and_nothing_else(tmp_path):
    db = checked(tmp_path, fault_tables())
    found = {(r["unit_id"], r["check_id"], r["status"]) for r in db.rows("SELECT * FROM findings")}
    expected = {(f"s.{check_id}", check_id, "failed") for check_id in FAULTS}
    expected.add(("s.unpublished", "ballots_received_reconcile", "cannot_check"))
    assert found == expected
    assert {c.id for c in checks.CHECKS} == set(FAULTS), "every check in the registry has a fault in this test"


def test_findings_say_what_does_not_add_up_with_the_numbers(tmp_path):
    db = checked(tmp_path, fault_tables())
    rows = {r["check_id"]: r for r in db.rows("SELECT * FROM findings WHERE status = 'failed'")}
    received = rows["ballots_received_reconcile"]
    assert (received["actual"], received["expected"], received["difference"]) == (901, 900, 1)
    assert "901" in received["detail"] and "900" in received["detail"]
    assert rows["added_on_day_share"]["actual"] == 15.0
    assert "150 voters added" in rows["added_on_day_share"]["detail"]
    assert "290" in rows["turnout_never_decreases"]["detail"] and "14:00" in rows["turnout_never_decreases"]["detail"]
    unpublished = db.rows("SELECT detail FROM findings WHERE status = 'cannot_check'")[0]["detail"]
    assert unpublished == "Cannot be checked: not published: ballots cancelled"


def test_counts_never_count_cannot_check_as_passed(tmp_path):
    db = checked(tmp_path, fault_tables())
    row = db.rows("SELECT * FROM check_counts WHERE check_id = 'ballots_received_reconcile'")[0]
    assert (row["checked"], row["passed"], row["failed"], row["cannot_check"]) == (13, 12, 1, 1)
    # the synthetic form has no total line of ballots issued at all: nothing passes there
    base = model.build_model(load.load_packages(synthetic.write(tmp_path / "base").parent))
    checks.run_checks(base)
    row = base.rows("SELECT * FROM check_counts WHERE check_id = 'ballots_issued_total_equals_parts'")[0]
    assert (row["checked"], row["passed"], row["cannot_check"]) == (0, 0, 4)


def test_findings_columns_are_the_documented_ones(tmp_path):
    db = checked(tmp_path, fault_tables())
    assert tuple(db.frame("SELECT * FROM findings").columns) == checks.FINDINGS_COLUMNS
    assert tuple(db.frame("SELECT * FROM check_counts").columns) == (
        "election_id", "contest_id", "check_id", "level", "checked", "passed", "failed", "cannot_check")


def test_tabulation_difference_against_the_complete_sum_of_stations(tmp_path):
    tables = synthetic.tables()
    own = synthetic.station_protocol("r1.d1", voters_on_list=2000, ballots_valid=1185)
    tables["protocols"] = pl.concat([tables["protocols"], pl.DataFrame([own])], how="diagonal_relaxed")
    tables["votes"] = pl.concat([tables["votes"], pl.DataFrame([
        dict(contest_id="pres", unit_id="r1.d1", source_id="official", choice_id="a", votes=805),
        dict(contest_id="pres", unit_id="r1.d1", source_id="official", choice_id="b", votes=380)])])
    db = checked(tmp_path, tables)
    rows = db.rows("SELECT field, own_value, sum_value, difference FROM tabulation_differences WHERE unit_id = 'r1.d1'")
    # own 900/300/… are the one-station defaults, so every line but the list, valid and b differs
    by_field = {r["field"]: r for r in rows}
    assert by_field["ballots_valid"] == dict(field="ballots_valid", own_value=1185, sum_value=1180, difference=5)
    assert by_field["votes:a"]["difference"] == 5
    assert "votes:b" not in by_field and "voters_on_list" not in by_field


def test_tabulation_is_not_compared_when_the_sum_is_partial(tmp_path):
    tables = synthetic.tables()
    tables["units"] = tables["units"].with_columns(
        pl.when(pl.col("unit_id") == "r1.d1").then(False).otherwise(pl.col("complete")).alias("complete"))
    tables["protocols"] = pl.concat([tables["protocols"],
                                     pl.DataFrame([synthetic.station_protocol("r1.d1", ballots_valid=1)])],
                                    how="diagonal_relaxed")
    db = checked(tmp_path, tables)
    assert db.rows("SELECT count(*) AS n FROM tabulation_differences")[0]["n"] == 0


def test_source_differences_side_by_side(tmp_path):
    tables = synthetic.tables()
    copy = synthetic.station_protocol("r1.d1.1", source_id="copy", ballots_cancelled=290, ballots_lost=None)
    tables["protocols"] = pl.concat([tables["protocols"], pl.DataFrame([copy])], how="diagonal_relaxed")
    tables["sources"] = pl.DataFrame([dict(source_id="official", kind="official", title="Official"),
                                      dict(source_id="copy", kind="observer_copy", title="Observers' copy")])
    db = checked(tmp_path, tables)
    rows = db.rows("SELECT field, source_a, value_a, source_b, value_b FROM source_differences")
    # ballots_lost is published by one source only: "not published" is not a difference
    assert rows == [dict(field="ballots_cancelled", source_a="official", value_a=300, source_b="copy", value_b=290)]


# --- real packages ---------------------------------------------------------------------------------

def needs(election: str) -> None:
    if not (ROOT / "datasets" / election).exists():
        pytest.skip(f"{election} not in datasets/")


def test_spb_every_check_covers_every_station(datasets_db):
    """Checks run per contest: every protocol check on every station protocol of every ballot; the
    turnout checks on the federal list, the one ballot whose turnout reports are published."""
    needs("spb-2021")
    counts = datasets_db.frame(
        "SELECT contest_id, check_id, sum(checked + cannot_check)::BIGINT AS total, sum(checked)::BIGINT AS checked, "
        "sum(passed + failed)::BIGINT AS decided FROM check_counts "
        "WHERE election_id = 'spb-2021' AND level = 'station' GROUP BY ALL")
    protocols = {r["contest_id"]: r["n"] for r in datasets_db.rows(
        "SELECT contest_id, count(*) AS n FROM protocols WHERE election_id = 'spb-2021' GROUP BY ALL")}
    assert len(protocols) == 35
    turnout_checks = {c.id for c in checks.CHECKS if c.scope == "turnout"}
    for contest_id, n in protocols.items():
        rows = counts.filter(pl.col("contest_id") == contest_id)
        expected = {c.id for c in checks.CHECKS} - (set() if contest_id == "duma-list" else turnout_checks)
        assert set(rows["check_id"]) == expected, contest_id
        for row in rows.to_dicts():
            assert row["total"] == n, row
            assert row["checked"] == row["decided"], row
    assert protocols["duma-list"] == 2053


def test_spb_empty_protocols_cannot_be_checked(datasets_db):
    needs("spb-2021")
    empty = datasets_db.rows(
        "SELECT unit_id FROM protocols WHERE election_id = 'spb-2021' AND ballots_valid IS NULL "
        "AND ballots_received IS NULL")
    assert len(empty) >= 10
    outcomes = datasets_db.rows(
        "SELECT DISTINCT status FROM check_outcomes WHERE election_id = 'spb-2021' AND (contest_id, unit_id) IN "
        "(SELECT (contest_id, unit_id) FROM protocols WHERE election_id = 'spb-2021' AND ballots_valid IS NULL "
        "AND ballots_received IS NULL) AND check_id IN (SELECT check_id FROM check_counts WHERE check_id NOT LIKE 'turnout%' "
        "AND check_id <> 'last_report_le_final')")
    assert outcomes == [dict(status="cannot_check")]


def test_spb_counts_match_an_independent_polars_computation(datasets_db):
    needs("spb-2021")
    if not SHARED_SPB.exists():
        pytest.skip("shared real data not available")
    raw = pl.read_csv(SHARED_SPB, infer_schema_length=0).with_columns(pl.all().exclude("district", "gik").cast(pl.Int64))
    issued = pl.col("voters.ahead_of_time_count") + pl.col("voters.walk_by_count") + pl.col("voters.on_home_count")
    boxes = pl.col("papers.portable_box_count") + pl.col("papers.stationary_box_count")
    received_ok = pl.col("papers.received_count") == (issued + pl.col("papers.destroyed_count")
                                                      + pl.col("papers.lost_count") - pl.col("papers.ignored_count"))
    expected = raw.select(
        received_checked=received_ok.is_not_null().sum(), received_failed=(~received_ok).sum(),
        mobile_failed=(pl.col("papers.portable_box_count") > pl.col("voters.on_home_count")).sum(),
        full_turnout=(issued == pl.col("voters.registered_count")).sum(),
        boxes_gt_issued=(boxes > issued).sum(),
    ).to_dicts()[0]
    got = {r["check_id"]: r for r in datasets_db.rows(
        "SELECT check_id, sum(checked)::BIGINT AS checked, sum(failed)::BIGINT AS failed FROM check_counts "
        "WHERE election_id = 'spb-2021' AND contest_id = 'duma-list' GROUP BY check_id")}
    assert got["ballots_received_reconcile"]["checked"] == expected["received_checked"]
    assert got["ballots_received_reconcile"]["failed"] == expected["received_failed"]
    assert got["mobile_boxes_le_issued_outside"]["failed"] == expected["mobile_failed"] > 0
    assert got["turnout_exactly_100"]["failed"] == expected["full_turnout"] > 0
    assert got["ballots_in_boxes_le_issued"]["failed"] == expected["boxes_gt_issued"]
    # turnout reports: stations where a report is below the one before it
    reports = pl.read_csv(SHARED_SPB.with_name("spb2021_duma_turnout_uik.csv"), infer_schema_length=0).with_columns(
        at=pl.concat_str(pl.col("date").str.slice(6, 4), pl.col("date").str.slice(3, 2), pl.col("date").str.slice(0, 2),
                         pl.col("time").str.zfill(5)),
        voted=pl.col("voted_count").cast(pl.Float64), percent=pl.col("voted_percentage").cast(pl.Float64))
    # the documented rule: counts when every report of the station has one, else the percentages
    reports = reports.with_columns(value=pl.when(pl.col("voted").is_not_null().all().over("uik"))
                                   .then(pl.col("voted")).otherwise(pl.col("percent")))
    drops = (reports.sort("uik", "at").with_columns(step=pl.col("value").diff().over("uik"))
             .group_by("uik").agg(dropped=(pl.col("step") < 0).any()))
    assert got["turnout_never_decreases"]["failed"] == drops["dropped"].sum() > 0
    assert got["turnout_never_decreases"]["checked"] == drops.height


# The four discrepancies of the 2011 final report, section XV, footnote 121: DEC summary vs PEC protocol.
REPORT_2011 = {
    ("zhambyl.talas.410", "votes:nazarbayev"): (1592, 1552),
    ("eko.semey.262", "votes:akhmetbekov"): (4, 24),
    ("eko.semey.262", "votes:yeleusizov"): (2, 32),
    ("eko.semey.262", "votes:kasymov"): (10, 30),
    ("eko.semey.262", "votes:nazarbayev"): (1729, 1659),
    ("wko.burlinskiy.80", "votes:akhmetbekov"): (6, 44),
    ("wko.burlinskiy.80", "votes:yeleusizov"): (4, 22),
    ("wko.burlinskiy.80", "votes:kasymov"): (2, 64),
    ("wko.burlinskiy.80", "votes:nazarbayev"): (1697, 1653),
    ("wko.burlinskiy.80", "ballots_invalid"): (64, 14),
    ("aktobe.martykskiy.166", "votes:akhmetbekov"): (13, 23),
    ("aktobe.martykskiy.166", "votes:yeleusizov"): (1, 3),
    ("aktobe.martykskiy.166", "votes:kasymov"): (6, 26),
    ("aktobe.martykskiy.166", "ballots_cancelled"): (107, 75),
}


def test_kz_2011_the_four_discrepancies_of_the_report_exactly(datasets_db):
    needs("kz-2011-presidential")
    rows = datasets_db.rows("SELECT * FROM source_differences WHERE election_id = 'kz-2011-presidential'")
    got = {(r["unit_id"], r["field"]): (r["value_a"], r["value_b"]) for r in rows}
    assert got == REPORT_2011
    assert {(r["source_a_kind"], r["source_b_kind"]) for r in rows} == {("commission_summary", "observer_copy")}


def test_kz_2011_missing_lines_are_cannot_check_never_passed(datasets_db):
    needs("kz-2011-presidential")
    rows = datasets_db.rows(
        "SELECT check_id, status FROM check_outcomes WHERE election_id = 'kz-2011-presidential' "
        "AND unit_id = 'aktobe.martykskiy.166'")
    assert rows and {r["status"] for r in rows} == {"cannot_check"}
    counts = datasets_db.rows(
        "SELECT sum(passed)::BIGINT AS passed FROM check_counts WHERE election_id = 'kz-2011-presidential' "
        "AND check_id = 'ballots_received_reconcile'")
    assert counts[0]["passed"] == 0
    # the national protocol publishes the votes and the valid ballots: that one is checked and holds
    national = datasets_db.rows(
        "SELECT status FROM check_outcomes WHERE election_id = 'kz-2011-presidential' AND unit_id = 'kz' "
        "AND check_id = 'votes_equal_valid'")
    assert national == [dict(status="passed")]


# --- turnout through the day ----------------------------------------------------------------------

def turnout_db(tmp_path, series: dict[str, list[tuple[str, float]]]) -> model.Model:
    tables = synthetic.tables()
    units = [dict(unit_id="kz", parent_id=None, level="country", complete=True)]
    units += [dict(unit_id=u, parent_id="kz", level="region") for u in series]
    tables["units"] = pl.DataFrame(units)
    tables["protocols"] = pl.DataFrame([dict(contest_id="pres", unit_id="kz", source_id="official")])
    tables["votes"] = pl.DataFrame([dict(contest_id="pres", unit_id="kz", source_id="official", choice_id="a", votes=1)])
    tables["turnout"] = pl.DataFrame([
        dict(contest_id="pres", unit_id=u, source_id="official", reported_at=f"2024-01-01T{t}:00", label=t,
             turnout_percent=p)
        for u, points in series.items() for t, p in points])
    return checked(tmp_path, tables)


TIMES = ("10:00", "12:00", "14:00", "16:00", "18:00", "20:00")


def regular(scale: float) -> list[tuple[str, float]]:
    """A usual day: the rate per hour falls after noon and never rises again."""
    return list(zip(TIMES, [round(scale * v, 2) for v in (20, 40, 52, 60, 66, 70)]))


def test_a_drop_and_a_second_peak_are_flagged(tmp_path):
    series = {f"r{i}": regular(1 + i / 100) for i in range(8)}
    series["drop"] = list(zip(TIMES, (20, 40, 38, 60, 66, 70)))
    series["peak"] = list(zip(TIMES, (20, 40, 48, 52, 68, 72)))     # rates 10, 4, 2, 8, 2 per hour
    db = turnout_db(tmp_path, series)
    failed = db.rows("SELECT unit_id, check_id FROM findings WHERE status = 'failed'")
    assert failed == [dict(unit_id="drop", check_id="turnout_never_decreases")]
    peaks = db.rows("SELECT unit_id, label FROM turnout_flags WHERE flag = 'second_peak'")
    assert dict(unit_id="peak", label="18:00") in peaks
    assert {p["unit_id"] for p in peaks} <= {"peak", "drop"}
    assert not any(p["unit_id"].startswith("r") for p in peaks)


def test_the_outlier_method_flags_the_injected_outlier_only(tmp_path):
    series = {f"r{i}": regular(1 + (i % 5) / 50) for i in range(12)}
    jump = regular(1)
    jump[3] = ("16:00", 85.0)          # +33 points between 14:00 and 16:00 where the others gain ~8
    jump[4] = ("18:00", 88.0)
    jump[5] = ("20:00", 90.0)
    series["jump"] = jump
    db = turnout_db(tmp_path, series)
    flags = db.rows("SELECT unit_id, label, robust_z FROM turnout_flags WHERE flag = 'outlier_increment'")
    assert {(f["unit_id"], f["label"]) for f in flags} >= {("jump", "16:00")}
    assert {f["unit_id"] for f in flags} == {"jump"}
    assert all(abs(f["robust_z"]) > checks.registry.ROBUST_Z_THRESHOLD for f in flags)


def test_turnout_increments_follow_the_cumulative_curve(tmp_path):
    db = turnout_db(tmp_path, {f"r{i}": regular(1) for i in range(3)})
    rows = db.rows("SELECT label, increment, rate_per_hour FROM turnout_increments WHERE unit_id = 'r0' ORDER BY reported_at")
    assert [r["increment"] for r in rows] == [20, 20, 12, 8, 6, 4]
    assert rows[0]["rate_per_hour"] is None and rows[1]["rate_per_hour"] == 10


# --- distributions --------------------------------------------------------------------------------

def test_spb_turnout_histogram_covers_every_station_with_a_turnout(datasets_db):
    needs("spb-2021")
    stations = distributions.station_figures(datasets_db, "spb-2021", "duma-list")
    histogram = distributions.turnout_histogram(datasets_db, "spb-2021", "duma-list")
    assert histogram["stations"].sum() == stations.filter(pl.col("turnout").is_not_null()).height > 2000
    density = distributions.turnout_leader_density(datasets_db, "spb-2021", "duma-list")
    assert density["stations"].sum() == stations.filter(pl.col("leader_share").is_not_null()
                                                        & pl.col("turnout").is_not_null()).height


def test_round_percentages_are_compared_with_the_rate_expected_by_chance(datasets_db):
    needs("spb-2021")
    frame = distributions.round_percentages(datasets_db, "spb-2021", "duma-list")
    integer_turnout = frame.filter((pl.col("measure") == "turnout") & (pl.col("kind") == "integer")).to_dicts()[0]
    stations = distributions.station_figures(datasets_db, "spb-2021", "duma-list")
    observed = stations.filter(((pl.col("turnout") - pl.col("turnout").round(0)).abs() < 0.05)).height
    assert integer_turnout["observed"] == observed
    # by chance about one station in ten has an integer percentage at one decimal
    assert 0.05 < integer_turnout["expected"] / integer_turnout["stations"] < 0.15


# --- pages ----------------------------------------------------------------------------------------

def _render_modules():
    try:
        from ashyq.render import data as render_data, integrity
        from ashyq.render.pages import station
    except ImportError:
        pytest.skip("render framework not in this tree")
    return render_data, integrity, station


def test_integrity_page_and_station_pages_show_the_2011_discrepancies(datasets_db):
    needs("kz-2011-presidential")
    render_data, integrity, station = _render_modules()
    data = render_data.load_election(datasets_db, "kz-2011-presidential")
    page = integrity.integrity_page(EN, datasets_db, data)
    group = re.search(r'data-group="source_differences" data-count="(\d+)">(.*?)</section>', page.body, re.S)
    sentences = [html.unescape(re.sub(r"<[^>]+>", "", s)) for s in re.findall(r"<li>(.*?)</li>", group.group(2), re.S)]
    assert int(group.group(1)) == len(sentences) == len(REPORT_2011)
    names = {f"votes:{c['choice_id']}": f"Votes: {c['name_en']}" for cs in data.choices.values() for c in cs}
    for (unit_id, field), (a, b) in REPORT_2011.items():
        # "PEC 262 — Polling station 262: Votes: Nursultan Nazarbayev: 1,729 (District summary), 1,659 (Observer copy); …"
        said = f"{names.get(field) or EN.line(field)}: {a:,} (District summary), {b:,} (Observer copy); difference"
        unit = data.units[unit_id]
        assert any(s.startswith(f"PEC {unit['code']}") and said in s for s in sentences), said
    for unit_id in {unit for unit, _ in REPORT_2011}:
        title, body = station.sheet_html(EN, data, [unit_id])  # a sheet of this station alone
        (table,) = [t for t in sheet_columns(body, unit_id) if t["corner"] == "Line"]
        differing = [cells for label, cells in table["rows"].items() if "ashyq-diff" in table["classes"][label][1]]
        expected = {(f"{a:,}", f"{b:,}") for (u, _), (a, b) in REPORT_2011.items() if u == unit_id}
        # the station's columns: first source, difference (first − second), second source
        assert {(cells[0], cells[2]) for cells in differing} == expected, unit_id
        assert all(cells[1] == f"{int(a.replace(',', '')) - int(b.replace(',', '')):,}"
                   for cells in differing for a, b in [(cells[0], cells[2])]), unit_id


def test_integrity_findings_table_and_csv_have_the_same_columns_and_rows(datasets_db, tmp_path):
    needs("spb-2021")
    render_data, integrity, _ = _render_modules()
    data = render_data.load_election(datasets_db, "spb-2021")
    integrity.write_integrity_csvs(datasets_db, "spb-2021", tmp_path)
    raw = (tmp_path / urls.integrity_csv("spb-2021", "findings")).read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    findings = pl.read_csv(raw[3:], infer_schema_length=0)
    assert tuple(findings.columns) == checks.FINDINGS_COLUMNS
    failed = datasets_db.rows("SELECT count(*) AS n FROM findings WHERE election_id = 'spb-2021' AND status = 'failed'")[0]["n"]
    assert findings.filter(pl.col("status") == "failed").height == failed > 0
    assert findings.height == datasets_db.rows(
        "SELECT count(*) AS n FROM findings WHERE election_id = 'spb-2021'")[0]["n"]
    page = integrity.integrity_page(EN, datasets_db, data).body
    # each check's group states its rows in findings.csv
    per_check = findings.filter(pl.col("status") == "failed").group_by("check_id").len()
    groups = dict(re.findall(r'<section class="ashyq-finding-group" data-group="([a-z0-9_]+)" data-count="(\d+)">', page))
    assert {c: int(groups[c]) for c in per_check["check_id"]} == dict(per_check.iter_rows())
    assert "Statistical indicator" in page


def test_csv_cells_that_would_run_as_formulas_are_made_text():
    _, integrity, _ = _render_modules()
    out = integrity.csv_bytes(("a", "b", "c"), [dict(a="=HYPERLINK(\"x\")", b=-5, c="@SUM(1)")]).decode("utf-8")
    assert out == "\ufeffa,b,c\n\"'=HYPERLINK(\"\"x\"\")\",-5,'@SUM(1)\n"


def test_methodology_is_generated_from_the_registry():
    text = checks.methodology_markdown(EN)
    for check in checks.CHECKS:
        assert f'id="check-{check.id}"' in text
        assert check.source.split(",")[0] in text.replace("&quot;", '"').replace("&#x27;", "'")
    assert "3.5" in text and "Klimek" in text


def test_integrity_page_escapes_text_from_data(tmp_path):
    _, integrity, _ = _render_modules()
    from ashyq.render import data as render_data
    hostile = "<script>alert(1)</script>"
    tables = fault_tables()
    tables["units"] = tables["units"].with_columns(
        pl.when(pl.col("unit_id") == "s.votes_equal_valid").then(pl.lit(hostile)).otherwise(pl.col("name_en")).alias("name_en"))
    tables["choices"] = tables["choices"].with_columns(pl.Series("name_en", [hostile, "**b** [x](javascript:alert(2))"]))
    db = checked(tmp_path, tables)
    page = integrity.integrity_page(EN, db, render_data.load_election(db, "test-election"))
    assert "s.votes_equal_valid" in page.body
    assert "<script>alert(1)" not in page.body and "&lt;script&gt;alert(1)" in page.body
    assert "](javascript:" not in page.body


def test_integrity_files_are_deterministic(datasets_db, tmp_path):
    needs("kz-2011-presidential")
    render_data, integrity, _ = _render_modules()
    outputs = []
    for run in ("a", "b"):
        data = render_data.load_election(datasets_db, "kz-2011-presidential")
        integrity.write_integrity_csvs(datasets_db, "kz-2011-presidential", tmp_path / run)
        folder = (tmp_path / run / urls.integrity_csv("kz-2011-presidential", "findings")).parent
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        files["page"] = integrity.integrity_page(EN, datasets_db, data).markdown().encode("utf-8")
        outputs.append(files)
    assert outputs[0] == outputs[1] and len(outputs[0]) == 5
