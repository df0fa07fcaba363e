"""The Integrity page at national scale: thousands of failing stations give a page that stays small,
states the full counts and links CSV files that hold every finding."""
from __future__ import annotations

import json
import re

import polars as pl
import pytest

import synthetic
from ashyq import checks, load, model
from ashyq.package_writer import write_package
from ashyq.render import urls
from ashyq.render.locale import Locale

EN = Locale("en")

STATIONS = 6000
DISTRICTS = 60
REGIONS = 6
COPIES = 1000  # stations also published by observers, with a different count of cancelled ballots
PAGE_LIMIT = 300_000
THEME_FRAME = 25_000  # the MkDocs theme around the body (header, navigation, scripts) is ~20 kB


def many_failing_tables() -> dict[str, pl.DataFrame]:
    """Country → regions → districts → stations. Every station's received ballots exceed issued +
    cancelled by 1–97 (a control ratio fails everywhere), every fifth has exactly 100 % turnout (an
    indicator flags), turnout and the leader's share spread over the whole density grid."""
    i = pl.int_range(STATIONS, eager=True)
    district = i % DISTRICTS
    stations = pl.DataFrame({"n": i, "d": district}).with_columns(
        unit_id=pl.format("r{}.d{}.s{}", pl.col("d") % REGIONS, pl.col("d"), pl.col("n")),
        parent_id=pl.format("r{}.d{}", pl.col("d") % REGIONS, pl.col("d")))
    units = pl.concat([
        pl.DataFrame([dict(unit_id="ru", parent_id=None, level="country", name_en="Country", complete=True)]),
        pl.DataFrame([dict(unit_id=f"r{r}", parent_id="ru", level="region", name_en=f"Region {r}", complete=True)
                      for r in range(REGIONS)]),
        pl.DataFrame([dict(unit_id=f"r{d % REGIONS}.d{d}", parent_id=f"r{d % REGIONS}", level="district",
                           name_en=f"District {d}", complete=True) for d in range(DISTRICTS)]),
        stations.select("unit_id", "parent_id", level=pl.lit("station"), code=pl.col("n").cast(pl.String),
                        name_en=pl.format("Station {}", pl.col("n"))),
    ], how="diagonal_relaxed")
    n = pl.col("n")
    official = stations.select(
        "unit_id", contest_id=pl.lit("pres"), source_id=pl.lit("official"),
        voters_on_list=pl.when(n % 5 == 0).then(600).otherwise(600 + (n * 7) % 1400),
        voters_added_on_day=pl.lit(20), home_voting_requests=pl.lit(25),
        ballots_received=901 + n % 97, ballots_issued_early=pl.lit(0), ballots_issued_in_station=pl.lit(580),
        ballots_issued_outside=pl.lit(20), ballots_issued=pl.lit(600), ballots_cancelled=pl.lit(300),
        ballots_in_mobile_boxes=pl.lit(20), ballots_in_stationary_boxes=pl.lit(580), ballots_valid=pl.lit(590),
        ballots_invalid=pl.lit(10), ballots_lost=pl.lit(0), ballots_unaccounted=pl.lit(0))
    copies = official.filter(pl.col("unit_id").is_in(stations["unit_id"].head(COPIES).implode())).with_columns(
        source_id=pl.lit("copy"), ballots_cancelled=299 - pl.int_range(pl.len()) % 50)
    leader = 100 + n % 490
    votes = pl.concat([
        stations.select("unit_id", choice_id=pl.lit("a"), votes=leader),
        stations.select("unit_id", choice_id=pl.lit("b"), votes=590 - leader),
    ]).with_columns(contest_id=pl.lit("pres"), source_id=pl.lit("official"))
    tables = synthetic.tables()
    tables.update(
        units=units, protocols=pl.concat([official, copies], how="vertical_relaxed"),
        votes=votes.select("contest_id", "unit_id", "source_id", "choice_id", "votes"),
        sources=pl.DataFrame([dict(source_id="official", kind="official", title="Official results"),
                              dict(source_id="copy", kind="observer_copy", title="Observers' copies")]))
    return tables


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    try:
        from ashyq.render import data as render_data, integrity
    except ImportError:
        pytest.skip("render framework not in this tree")
    root = tmp_path_factory.mktemp("national")
    write_package(root / "datasets" / synthetic.METADATA["name"], synthetic.METADATA, many_failing_tables())
    db = model.build_model(load.load_packages(root / "datasets"))
    checks.run_checks(db)
    data = render_data.load_election(db, synthetic.METADATA["name"])
    integrity.write_integrity_csvs(db, data.election_id, root)
    page = integrity.integrity_page(EN, db, data)
    page.write(root / "docs")
    folder = (root / urls.integrity_csv(data.election_id, "findings")).parent
    return db, integrity, page, folder


def _csv(path) -> pl.DataFrame:
    return pl.read_csv(path.read_bytes()[3:], infer_schema_length=0)  # after the UTF-8 BOM


def _count(db, sql: str) -> int:
    return db.rows(sql)[0]["n"]


def test_many_failing_stations_give_a_page_under_300_kb(national):
    db, _, page, folder = national
    assert _count(db, "SELECT count(DISTINCT unit_id) AS n FROM findings WHERE status = 'failed'") == STATIONS
    body = page.body.encode("utf-8")
    assert len(body) + THEME_FRAME < PAGE_LIMIT, f"{len(body):,} bytes of body"
    assert len(page.markdown().encode("utf-8")) + THEME_FRAME < PAGE_LIMIT


def _group(body: str, key: str) -> tuple[int, list[str]]:
    """(the count a group of findings states, its sentences)."""
    match = re.search(rf'<section class="ashyq-finding-group" data-group="{key}" data-count="(\d+)">(.*?)</section>',
                      body, re.S)
    assert match, key
    return int(match.group(1)), re.findall(r"<li>(.*?)</li>", match.group(2), re.S)


def test_the_page_states_the_full_counts_and_links_the_complete_csv(national):
    db, integrity, page, folder = national
    failed = _count(db, "SELECT count(*) AS n FROM findings WHERE status = 'failed'")
    listed = _count(db, "SELECT count(*) AS n FROM findings")
    assert failed > STATIONS  # the control ratio everywhere, the indicator on a fifth of them
    findings = _csv(folder / "findings.csv")
    assert findings.height == listed and tuple(findings.columns) == checks.FINDINGS_COLUMNS
    csv_link = urls.relative(page.url, urls.integrity_csv(synthetic.METADATA["name"], "findings"))
    per_check = findings.filter(pl.col("status") == "failed").group_by("check_id").len()
    assert per_check["len"].sum() == failed
    for check_id, rows in per_check.iter_rows():
        stated, sentences = _group(page.body, check_id)
        assert stated == rows  # the full count, not the rows shown
        assert len(sentences) == min(rows, integrity.ROWS_SHOWN)
        assert f"({rows:,} rows): <a href=\"{csv_link}\"><code>findings.csv</code></a>" in page.body
    received = _count(db, "SELECT count(*) AS n FROM findings WHERE check_id = 'ballots_received_reconcile' "
                          "AND status = 'failed'")
    assert received == STATIONS + COPIES and f"{received:,} findings at {STATIONS:,} polling stations" in page.body


def test_long_lists_show_the_worst_rows_first(national):
    db, integrity, page, folder = national
    _, sentences = _group(page.body, "ballots_received_reconcile")
    differences = [int(re.search(r"difference \+?(-?[\d,]+)\)", s).group(1).replace(",", "")) for s in sentences]
    largest = _count(db, "SELECT max(abs(difference))::BIGINT AS n FROM findings WHERE status = 'failed'")
    assert largest > 97  # an observers' copy with fewer cancelled ballots adds to the official 1–97
    assert len(differences) == integrity.ROWS_SHOWN and differences[0] == largest
    assert differences == sorted(differences, reverse=True)
    assert page.body.count("<details>") >= 2  # beyond the first rows, the rest is folded
    stated, sources = _group(page.body, "source_differences")
    assert stated == COPIES and len(sources) == integrity.ROWS_SHOWN
    assert _csv(folder / "source_differences.csv").height == COPIES


def test_density_chart_and_its_table_are_binned(national):
    _, integrity, page, _ = national
    figures = [json.loads(m) for m in re.findall(
        r'<script type="application/json" class="ashyq-figure">(.*?)</script>', page.body, re.S)]
    points = [len(trace.get("x", [])) for figure in figures for trace in figure["data"]]
    assert figures and max(points) <= integrity.DENSITY_MAX_POINTS
    density = page.body.split("Klimek", 1)[1].split("Whole and round percentages", 1)[0]
    assert density.count("<tr>") - 1 <= (100 // integrity.DENSITY_TABLE_BIN) ** 2


def test_a_density_with_too_many_occupied_cells_is_drawn_in_wider_cells(national, monkeypatch):
    db, integrity, page, _ = national
    from ashyq.render import data as render_data

    def density_x(body: str) -> list[float]:
        block = next(b for b in body.split("<figure")[1:] if "Klimek" in b.split("</figure>")[0])
        figure = json.loads(re.findall(r'class="ashyq-figure">(.*?)</script>', block, re.S)[0])
        return figure["data"][0]["x"]

    fine = density_x(page.body)
    monkeypatch.setattr(integrity, "DENSITY_MAX_POINTS", len(fine) - 1)
    wide = density_x(integrity.integrity_page(EN, db, render_data.load_election(db, synthetic.METADATA["name"])).body)
    assert all(x % 1 == 0.5 for x in fine) and all(x % 2 == 1 for x in wide)  # centres of 1- and 2-point cells
    assert len(wide) < len(fine)
