"""Several contests in one package (St Petersburg 2021: four ballots, 33 constituencies): each
constituency's candidates and winner, both party lists, and every station's protocols, recomputed
from the shared source files and compared with what the model and the built pages give."""
from __future__ import annotations

import re
from collections import defaultdict

import polars as pl
import pytest

from ashyq import checks, load, model
from ashyq.converters.spb_2021 import PARTIES, PROTOCOL_LINES
from ashyq.render import urls
from ashyq.render.data import load_election
from ashyq.render.locale import Locale
from ashyq.render.pages import station as station_pages
from paths import REALDATA
from render_helpers import number, sheet_columns, station_page, station_url, tables

SPB = "spb-2021"
EN = Locale("en")  # the pages these tests read
SOURCE = REALDATA / "ru-spb-2021-uik-turnout"
BALLOTS = {"duma_party_list": "duma-list", "duma_smd": "duma-smd-", "city_party_list": "city-list",
           "city_smd": "city-smd-"}

needs_source = pytest.mark.skipif(not SOURCE.is_dir(), reason=f"source data not available at {SOURCE}")


def read(name: str) -> pl.DataFrame:
    return pl.read_csv(SOURCE / f"spb2021_{name}.csv", infer_schema_length=0)


def not_published(ballot: str) -> set[str]:
    """Stations whose protocol upstream marks "empty" with no figure but 0: listed, not published."""
    rows = read(f"{ballot}_uik.csv".removesuffix(".csv"))
    zero = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "0") for c in PROTOCOL_LINES.values()])
    return set(rows.filter((pl.col("protocol_empty") == "1") & zero)["uik"])


def source_totals(ballot: str) -> dict[str, dict[str, int]]:
    """contest_id → choice_id → votes summed over the contest's stations, from the source files."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    if ballot == "duma_party_list":
        rows = read("duma_party_list_uik")
        for order, (choice_id, _, _) in PARTIES.items():
            out["duma-list"][choice_id] = int(rows[f"party_{order:02d}"].cast(pl.Int64).sum())
        return out
    votes = read(f"{ballot}_votes").with_columns(pl.col("votes").cast(pl.Int64))
    for district, choice, total in votes.group_by("electoral_district", "choice_id").agg(pl.col("votes").sum()).iter_rows():
        if ballot == "city_party_list":
            out["city-list"][PARTIES[int(choice)][0]] = total
        else:
            out[f"{BALLOTS[ballot]}{district}"][f"c{choice}"] = total
    return dict(out)


def source_stations(ballot: str) -> dict[str, set[str]]:
    """contest_id → the station numbers with a protocol for it."""
    rows = read(f"{ballot}_uik")
    out: dict[str, set[str]] = defaultdict(set)
    for uik, district in rows.select("uik", pl.col("electoral_district") if "electoral_district" in rows.columns
                                     else pl.lit("")).iter_rows():
        out[BALLOTS[ballot] + (district if ballot.endswith("smd") else "")].add(uik)
    return dict(out)


@pytest.fixture(scope="module")
def spb(datasets_dir):
    if not (datasets_dir / SPB).is_dir():
        pytest.skip(f"{SPB} not bundled")
    db = model.build_model([load.load_package(datasets_dir / SPB)])
    checks.run_checks(db)
    return db, load_election(db, SPB)


@needs_source
@pytest.mark.parametrize("ballot", list(BALLOTS))
def test_each_contest_totals_and_winner_recomputed_from_the_source(spb, built_site, ballot):
    """Both single-member ballots (8 + 25 constituencies) and both party lists: every candidate's total,
    in the model and on the contest's page, equals the source's sum; the winner is the source's most
    voted candidate, and "no winner can be read" exactly where a protocol is listed without figures."""
    _, data = spb
    missing = not_published(ballot)
    stations = source_stations(ballot)
    totals = source_totals(ballot)
    assert len(totals) == {"duma_smd": 8, "city_smd": 25}.get(ballot, 1)
    for contest_id, expected in totals.items():
        contest = next(c for c in data.contests if c["contest_id"] == contest_id)
        winner, results = data.winner(contest_id)
        assert {r["choice_id"]: r["votes"] for r in results} == expected, contest_id
        assert results[0]["stations_listed"] == len(stations[contest_id]), contest_id
        unpublished = stations[contest_id] & missing
        assert results[0]["stations_published"] == len(stations[contest_id]) - len(unpublished), contest_id
        top = max(expected.values())
        leaders = [c for c, v in expected.items() if v == top]
        readable = not unpublished and len(leaders) == 1
        assert (winner["choice_id"] if winner else None) == (leaders[0] if readable else None), contest_id
        assert results[0]["choice_id"] in leaders, contest_id
        if ballot.endswith("smd"):
            html = (built_site / urls.contest("en", SPB, contest_id) / "index.html").read_text(encoding="utf-8")
            names = {c["choice_id"]: c["name"] for c in data.choices[contest_id]}
            if readable:
                assert f"Winner (most votes): {names[leaders[0]]}, {number(top)} votes" in html, contest_id
            else:
                assert "No winner can be read" in html, contest_id
            result = next(t for t in tables(built_site / urls.contest("en", SPB, contest_id) / "index.html")
                          if t["head"] and t["head"][0] == "Candidate or party")
            shown = {row["cells"][0]: row["cells"][1] for row in result["rows"]}
            for choice_id, votes in expected.items():
                # the cell shows the candidate's name followed by the nominating party
                cell = next(v for k, v in shown.items() if k.startswith(names[choice_id]))
                assert cell == number(votes), (contest_id, choice_id)
            stations_table = [t for t in tables(built_site / urls.contest("en", SPB, contest_id) / "index.html")
                              if "ashyq-stations" in t["class"]]
            parts = sorted((built_site / urls.contest("en", SPB, contest_id)).glob(f"{contest_id}-part-*/index.html"))
            stations_table += [t for p in parts for t in tables(p) if "ashyq-stations" in t["class"]]
            # each row is a station (its anchor: "s-" and the station, or "s-<contest>-<station>" when the
            # station's first table is another ballot's), named with its number
            rows = {r["id"][2:].removeprefix(f"{contest_id}-"): r["cells"][0] for t in stations_table for r in t["rows"]}
            linked = {data.units[s]["code"] for s in rows}
            assert all(name.startswith(f"PEC {data.units[s]['code']}") for s, name in rows.items()), contest_id
            assert linked == stations[contest_id], contest_id
    if not ballot.endswith("smd"):
        contest_id = BALLOTS[ballot]
        result = next(t for t in tables(built_site / urls.election("en", SPB) / "index.html")
                      if t["head"] and t["head"][0] == "Candidate or party"
                      and len(t["rows"]) == len(data.choices[contest_id]))
        names = {c["name"]: c["choice_id"] for c in data.choices[contest_id]}
        assert {names[r["cells"][0]]: r["cells"][1] for r in result["rows"]} == \
            {c: number(v) for c, v in totals[contest_id].items()}


def test_the_election_page_groups_contests_by_body_and_kind(spb, built_site):
    _, data = spb
    html = (built_site / urls.election("en", SPB) / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h([23])[^>]*>(.*?)<", html)
    duma, city = data.bodies["duma"]["name"], data.bodies["city"]["name"]
    order = [text for _, text in headings]
    assert order.index(duma) < order.index("State Duma, federal electoral district (party lists)") \
        < order.index("Single-member constituencies") < order.index(city)
    assert ("2", duma) in headings and ("2", city) in headings
    for contest in data.contests:
        if contest["kind"] == "single_member":
            assert f'href="contests/{contest["contest_id"]}/"' in html, contest["contest_id"]


@needs_source
def test_every_station_shows_every_protocol_it_has(spb, built_site):
    """Through the model, every station's page lists exactly the ballots the source gives it (up to
    four), each with its own lines and votes; a sample of built pages says the same."""
    _, data = spb
    expected: dict[str, list[str]] = defaultdict(list)
    for ballot in BALLOTS:
        for contest_id, uiks in source_stations(ballot).items():
            for uik in uiks:
                expected[uik].append(contest_id)
    by_code = {data.units[s]["code"]: s for s in data.stations()}
    assert set(by_code) == set(expected)
    four = 0
    for uik, contests in expected.items():
        title, body = station_pages.sheet_html(EN, data, [by_code[uik]])  # a sheet of this station alone
        shown = re.findall(r'<h2 id="c-([^"]+)"', body)
        assert sorted(shown) == sorted(contests), uik
        four += len(contests) == 4
    assert four > 1900
    votes = read("duma_smd_votes")
    for uik in ["1", "11", "196", "2101", "8050", *sorted(expected)[::97]]:
        page, station = station_page(built_site, station_url("en", SPB, by_code[uik]))
        html = page.read_text(encoding="utf-8")
        protocols = {t["section"][2:]: t for t in sheet_columns(html, station) if t["corner"] == "Line"}
        assert sorted(protocols) == sorted(expected[uik]), uik
        smd = next((c for c in expected[uik] if c.startswith("duma-smd-")), None)
        if smd and uik not in not_published("duma_smd"):
            cells = {label: values[0] for label, values in protocols[smd]["rows"].items()}
            names = {c["choice_id"]: c["name"] for c in data.choices[smd]}
            for choice, count in votes.filter(pl.col("uik") == uik).select("choice_id", "votes").iter_rows():
                label = next(k for k in cells if k.startswith(names[f"c{choice}"]))
                assert cells[label] == number(count), (uik, choice)


def test_derived_totals_are_marked_and_listed_protocols_are_not_published(spb, built_site):
    """The Russian form publishes the parts of "ballots issued" and "ballots in the boxes", never the
    totals: pages show the derived totals marked "derived"; a protocol listed without any figure is
    "listed, not published" and left out of "Sum of N of M"."""
    db, data = spb
    station = data.stations()[0]
    html = station_page(built_site, station_url("en", SPB, station))[0].read_text(encoding="utf-8")
    # on a sheet, a line derived at every station is marked once, on its label
    assert html.count('class="ashyq-derived">derived<') >= 2 * len(re.findall(r'<h2 id="c-', html))
    root = (built_site / urls.election("en", SPB) / "index.html").read_text(encoding="utf-8")
    counts = {r["contest_id"]: r for r in db.rows(
        "SELECT contest_id, count(*) AS listed, count(*) FILTER (WHERE has_figures) AS published "
        "FROM protocols WHERE election_id = $e GROUP BY ALL", {"e": SPB})}
    duma = counts["duma-list"]
    assert duma["listed"] - duma["published"] == 10
    assert f"Sum of {duma['published']:,} of {duma['listed']:,} stations" in root
    assert f"{duma['listed'] - duma['published']} listed, not published" in root
    assert f"derived at {duma['published']:,} stations" in root
    # the coverage table counts stations whose official protocols are all listed without figures apart
    silent = db.rows("SELECT count(*) AS n FROM (SELECT unit_id FROM protocols p JOIN units u USING (election_id, unit_id) "
                     "WHERE p.election_id = $e AND u.level = 'station' GROUP BY unit_id HAVING NOT bool_or(has_figures))",
                     {"e": SPB})[0]["n"]
    coverage = next(t for t in tables(built_site / urls.election("en", SPB) / "index.html") if "ashyq-coverage" in t["class"])
    station_row = next(r["cells"] for r in coverage["rows"] if r["cells"][0] == "Polling station")
    assert silent > 0 and station_row[3] == number(silent)
    assert station_row[2] == f"{len(data.stations()) - silent:,} of {len(data.stations()):,}"
    empty = next(s for s in data.stations() if data.units[s]["code"] == "11")
    page = station_page(built_site, station_url("en", SPB, empty))[0].read_text(encoding="utf-8")
    assert re.search(rf'<th scope="col" id="{re.escape(empty)}"[^>]*>PEC 11<br><small>listed, not published</small>', page)


# --- lines of a package's own form ----------------------------------------------------------------

EXTRA = {"name": "ballots_taken_home", "en": "Ballots taken out of the station",
         "ru": "Число бюллетеней, вынесенных из помещения для голосования", "kk": "Үй-жайдан алып шығылған бюллетеньдер"}


def _extra_package(tmp_path, extra_lines: list[dict], values: dict[str, object], name: str = "test-election"):
    import synthetic
    from ashyq.package_writer import write_package

    metadata = {**synthetic.METADATA, "name": name,
                "election": {**synthetic.METADATA["election"], "extra_lines": extra_lines}}
    tables = synthetic.tables()
    if values:
        tables["protocols"] = tables["protocols"].with_columns(
            pl.col("unit_id").replace_strict(values, default=None).alias(EXTRA["name"]))
    return write_package(tmp_path / name, metadata, tables)


def _problems(directory) -> list:
    from ashyq.problems import InputError
    from ashyq.progress import Progress
    from ashyq.validate import validate_packages

    try:
        validate_packages([load.load_package(directory)], Progress(quiet=True), use_cache=False)
    except InputError as error:
        return error.problems
    return []


def test_a_line_of_the_package_form_is_validated_loaded_shown_and_downloaded(tmp_path):
    from ashyq import downloads

    directory = _extra_package(tmp_path, [EXTRA], {"r1.d1.1": 3, "r1.d1.2": 0})
    assert _problems(directory) == []
    header = (directory / "protocols.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.index(EXTRA["name"]) == header.index("ballots_unaccounted") + 1  # right after the standard lines
    db = model.build_model([load.load_package(directory)])
    checks.run_checks(db)
    assert db.rows("SELECT unit_id, value FROM protocol_extra_values WHERE value IS NOT NULL ORDER BY unit_id") == [
        {"unit_id": "r1.d1.1", "value": 3}, {"unit_id": "r1.d1.2", "value": 0}]
    data = load_election(db, "test-election")
    _, body = station_pages.sheet_html(EN, data, ["r1.d1.1", "r1.d1.2"])
    row = re.search(r'<tr><th scope="row">Ballots taken out of the station</th>(.*?)</tr>', body).group(1)
    assert row == "<td>3</td><td>0</td>"
    _, body = station_pages.sheet_html(EN, data, ["r1.d2.3"])
    assert re.search(r'<th scope="row">Ballots taken out of the station</th><td class="np">not published', body)
    frame = downloads.results_table(db, "test-election", "pres", "station")
    assert dict(frame.select("unit_id", EXTRA["name"]).iter_rows()) == {
        "r1.d1.1": 3, "r1.d1.2": 0, "r1.d2.3": None, "r1.d2.4": None}


@pytest.mark.parametrize("extra, values, field, kind", [
    ([], {"r1.d1.1": 3}, "resources[protocols].schema.fields", "election.extra_lines"),  # a column nobody declared
    ([{**EXTRA, "name": "voters_on_list"}], {}, "election.extra_lines[0].name", "metadata"),  # clashes
    ([{**EXTRA, "name": "Taken-Home"}], {}, "election.extra_lines[0].name", "metadata"),      # not a name
    ([{**EXTRA, "en": ""}], {}, "election.extra_lines[0].en", "metadata"),                    # no label
    ([EXTRA], {"r1.d1.1": -1}, EXTRA["name"], "minimum"),              # a count below zero
])
def test_a_malformed_line_of_the_package_form_is_refused(tmp_path, extra, values, field, kind):
    if not extra:
        # written as if declared, then the declaration removed: the CSV has a column the contract lacks
        directory = _extra_package(tmp_path, [EXTRA], values)
        import json

        descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
        del descriptor["election"]["extra_lines"]
        (directory / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    elif kind == "metadata":
        import synthetic
        from ashyq.package_writer import write_package

        directory = write_package(tmp_path / "test-election", synthetic.METADATA, synthetic.tables())
        import json

        descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["election"]["extra_lines"] = extra
        (directory / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    else:
        directory = _extra_package(tmp_path, extra, values)
    problems = _problems(directory)
    assert problems, "accepted"
    if field:
        assert any(p.field == field for p in problems), [(p.field, p.kind, p.message) for p in problems]
    assert any(kind in (p.kind or "") or kind in p.message for p in problems), \
        [(p.field, p.kind, p.message) for p in problems]


def test_a_venue_or_body_the_package_does_not_have_is_refused(tmp_path):
    import synthetic
    from ashyq.package_writer import write_package

    tables = synthetic.tables()
    tables["units"] = tables["units"].with_columns(
        pl.when(pl.col("unit_id") == "r1.d1.1").then(pl.lit("school-1")).otherwise(None).alias("venue_id"))
    directory = write_package(tmp_path / "test-election", synthetic.METADATA, tables)
    problems = _problems(directory)
    assert [(p.file, p.row, p.field, p.value) for p in problems] == [("units.csv", 5, "venue_id", "school-1")]


# --- Kazakhstan: what the CEC announced, and what is not in the package yet -----------------------

KZ = ["kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential", "kz-2023-majilis"]


@pytest.mark.parametrize("election", KZ)
def test_each_kazakh_election_says_how_many_of_the_announced_stations_are_published(datasets_dir, built_site, election):
    announced = pl.read_csv(datasets_dir / election / "announced.csv", infer_schema_length=0)
    sources = pl.read_csv(datasets_dir / election / "sources.csv", infer_schema_length=0)
    stations = announced["stations"].drop_nulls().to_list()
    assert len(stations) == 1
    assert set(announced["source_id"]) <= set(sources["source_id"])
    assert all(u.startswith("http") for u in sources.filter(pl.col("source_id").is_in(announced["source_id"].to_list()))["url"])
    units = pl.read_csv(datasets_dir / election / "units.csv", infer_schema_length=0)
    published = units.filter(pl.col("level") == "station").height  # every bundled station protocol has figures
    html = (built_site / urls.election("en", election) / "index.html").read_text(encoding="utf-8")
    first = html[html.index("<article"):][:4000]
    assert f"Results of {published:,} of {int(stations[0]):,} polling stations are published here" in first


@needs_source
@pytest.mark.parametrize("election", KZ)
def test_announced_figures_are_those_of_the_source_table(datasets_dir, election):
    """Each announced figure is the first figure of its row in kz_election_counts.csv (the words as
    published kept in the note), from that row's page."""
    counts = pl.read_csv(REALDATA / "kz-cec-press" / "kz_election_counts.csv", infer_schema_length=0)
    announced = pl.read_csv(datasets_dir / election / "announced.csv", infer_schema_length=0)
    sources = dict(pl.read_csv(datasets_dir / election / "sources.csv", infer_schema_length=0)
                   .select("source_id", "url").iter_rows())
    checked = 0
    for row in announced.iter_rows(named=True):
        for figure in ("stations", "voters"):
            if row[figure] is None:
                continue
            source = counts.filter(pl.col("source_url") == sources[row["source_id"]])
            stated = [r for r in source.iter_rows(named=True) if f"{r['measure']}: {r['value']}" in row["note"]]
            assert len(stated) >= 1, (election, figure)
            values = set()
            for r in stated:
                first = re.search(r"\d[\d,]*(?:\.\d+)?", r["value"]).group(0).replace(",", "")
                values.add(str(round(float(first) * 1_000_000)) if "million" in r["value"] else first)
            assert row[figure] in values, (election, figure, row[figure], values)
            checked += 1
    assert checked >= 2


def test_majilis_pages_say_the_constituency_results_are_not_in_the_package(built_site):
    for url in [urls.election("en", "kz-2023-majilis"), urls.unit("en", "kz-2023-majilis", "almaty_city", "region")]:
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        assert "29 single-member constituencies" in html and "not in this package yet" in html, url
