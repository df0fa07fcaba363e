"""The render stage, on the site built from the bundled datasets (once per session) and on a small
hostile synthetic package (escaping, determinism)."""
from __future__ import annotations

import hashlib
import re
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

import synthetic
from ashyq import checks, contract, load, model
from ashyq.progress import Progress
from ashyq.render import render_site, site, urls
from ashyq.render.data import load_election
from ashyq.render.findings import finding_text
from ashyq.render.locale import LANGUAGES, Locale
from ashyq.render.pages import unit as unit_pages
from render_helpers import not_published_note, number, sheet_columns, station_url, tables

ELECTIONS = ["kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential", "kz-2023-majilis",
             "spb-2021"]
MAX_PAGE_BYTES = 300_000


def csv(datasets_dir: Path, election: str, name: str) -> pl.DataFrame:
    return pl.read_csv(datasets_dir / election / f"{name}.csv", infer_schema_length=0)


def page(site: Path, url: str) -> Path:
    return site / url.split("#", 1)[0] / "index.html"


@pytest.fixture(scope="session")
def present(datasets_dir) -> list[str]:
    found = [e for e in ELECTIONS if (datasets_dir / e / "datapackage.json").exists()]
    if not found:
        pytest.skip("no bundled datasets")
    return found


# ---- every page kind --------------------------------------------------------------------------

def test_every_page_kind_exists_for_each_election(built_site, datasets_dir, present):
    for name in ("data-dictionary", "about", "methodology", "add-an-election", "downloads"):
        assert page(built_site, urls.page("en", name)).is_file(), name
    home = page(built_site, urls.home("en")).read_text(encoding="utf-8")
    for election in present:
        assert page(built_site, urls.election("en", election)).is_file()
        assert f'href="{urls.relative(urls.home("en"), urls.election("en", election))}"' in home, f"home does not link {election}"
        units = csv(datasets_dir, election, "units")
        for unit in units.iter_rows(named=True):
            if unit["parent_id"] is None:
                continue
            url = (urls.station("en", election, unit["unit_id"], unit["parent_id"], unit["code"]) if unit["level"] == "station"
                   else urls.unit("en", election, unit["unit_id"], unit["level"]))
            assert page(built_site, url).is_file(), f"{election}: no page for {unit['unit_id']}"


def test_breadcrumbs_lead_from_home_to_the_station(built_site, datasets_dir):
    html = page(built_site, station_url("en", "kz-2011-presidential", "zhambyl.talas.410")).read_text(encoding="utf-8")
    crumbs = re.search(r'<nav class="ashyq-breadcrumbs".*?</nav>', html).group(0)
    labels = re.findall(r"<li[^>]*>(?:<a [^>]*>)?([^<]*)", crumbs)
    assert labels == ["Elections", "Kazakhstan, early presidential election, 3 April 2011", "Zhambyl",
                      "Talas district", "Polling stations 400–499"]  # its sheet: the commission's stations 400–499
    assert 'href="../../../units/zhambyl.talas/"' in crumbs
    # its column is headed by the station's name (the name only restates the number)
    assert '<th scope="col" id="zhambyl.talas.410" colspan="3">PEC 410</th>' in html


@pytest.mark.parametrize("name, expected", [
    ("Polling station 410", "PEC 410"), ("№410 сайлау учаскесі", "PEC 410"), ("410", "PEC 410"),
    ("School No. 5, 10 Lenin Street, Taraz", "PEC 410 — School No. 5, 10 Lenin Street, Taraz"),
    ("Polling station 411", "PEC 410 — Polling station 411")])
def test_a_station_is_named_by_its_number_unless_its_name_says_more(name, expected):
    from ashyq.render.naming import unit_name
    unit = {"unit_id": "r.d.410", "level": "station", "code": "410", "commission": "PEC", "name_en": name}
    assert unit_name(Locale("en"), unit) == expected


# ---- numbers and "not published" ----------------------------------------------------------------

def test_national_protocol_shows_each_line_or_not_published(built_site, datasets_dir, present):
    for election in [e for e in present if e.startswith("kz-")]:
        protocols = csv(datasets_dir, election, "protocols")
        root = csv(datasets_dir, election, "units").filter(pl.col("parent_id").is_null())["unit_id"][0]
        official = protocols.filter((pl.col("unit_id") == root))
        if official.is_empty():
            continue
        row = official.row(0, named=True)
        protocol = next(t for t in tables(page(built_site, urls.election("en", election)))
                        if t["head"] and t["head"][0] == "Line")
        html = page(built_site, urls.election("en", election)).read_text(encoding="utf-8")
        nowhere = not_published_note(html, "<th>Line</th>")
        for line in contract.protocol_lines():
            shown = next((r["cells"][1] for r in protocol["rows"] if r["cells"][0] == line.label()), None)
            if shown is None:  # published by no column: named once, in the note under the table
                assert row[line.name] is None and line.label() in nowhere, (election, line.name)
                continue
            assert line.label() not in nowhere, (election, line.name)
            expected = "not published" if row[line.name] is None else number(row[line.name])
            parts = model.DERIVED_TOTALS.get(line.name, ())
            if row[line.name] is None and parts and any(row[p] is not None for p in parts):
                # not published but derived from its parts, and marked so
                expected = number(sum(int(row[p] or 0) for p in parts))
                assert 'class="ashyq-derived">derived<' in html, election
            assert shown == expected, f"{election}: {line.name} shows {shown!r}, CSV has {row[line.name]!r}"


def test_home_coverage_makes_gaps_visible(built_site, present):
    home = page(built_site, urls.home("en"))
    coverage = [t for t in tables(home) if "ashyq-coverage" in t["class"]]
    assert len(coverage) == len(present)
    # Kazakhstan 2019: one national protocol, nothing published per region
    html = home.read_text(encoding="utf-8")
    section = html[html.index("9 June 2019"):]
    kz2019 = tables_from(section)[0]
    region = next(r for r in kz2019["rows"] if r["cells"][0] == "Region")
    assert region["cells"][2] == "not published"  # official protocols per region
    country = next(r for r in kz2019["rows"] if r["cells"][0] == "Country")
    assert country["cells"][2] == "1 of 1"


def tables_from(html: str) -> list[dict]:
    from render_helpers import _Tables
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def test_2011_station_page_shows_both_sources_side_by_side(built_site, datasets_dir):
    votes = csv(datasets_dir, "kz-2011-presidential", "votes").filter(
        (pl.col("unit_id") == "zhambyl.talas.410") & (pl.col("choice_id") == "nazarbayev"))
    by_source = {r["source_id"]: r["votes"] for r in votes.iter_rows(named=True)}
    assert by_source == {"dec-summary": "1592", "pec-protocol-observers": "1552"}  # ODIHR report, section XV
    station = page(built_site, station_url("en", "kz-2011-presidential", "zhambyl.talas.410"))
    html = station.read_text(encoding="utf-8")
    protocol = sheet_columns(html, "zhambyl.talas.410")[0]
    # the difference right after the first source, within the station's first three columns
    assert protocol["sources"] == ["District summary", "Difference", "Observer copy"]
    row = next(cells for label, cells in protocol["rows"].items() if label.startswith("Nursultan Nazarbayev"))
    assert row == ["1,592", "40", "1,552"]
    assert next(c for label, c in protocol["classes"].items() if label.startswith("Nursultan"))[1] == "ashyq-diff"
    # lines neither source publishes are named once under the table, not a row of "not published" each
    protocols = csv(datasets_dir, "kz-2011-presidential", "protocols").filter(pl.col("unit_id") == "zhambyl.talas.410")
    nowhere = [l.label() for l in contract.protocol_lines() if protocols[l.name].is_null().all()]
    assert "Voters on the list" in nowhere
    turnout = ["Turnout, %"] if protocols["turnout_percent"].is_null().all() else []
    assert not_published_note(html, "ashyq-sheet") == nowhere + turnout
    assert not any(label in nowhere for label in protocol["rows"])


def test_district_rows_match_the_csv(built_site, datasets_dir, present):
    """A district's station table starts with what a reader came for: the station (linked to its page,
    which has the whole protocol), voters, turnout and the parties' votes, the district's leaders first;
    every value is the package's own figure."""
    if "spb-2021" not in present:
        pytest.skip("spb-2021 not bundled")
    units = csv(datasets_dir, "spb-2021", "units")
    first = pl.col("contest_id") == "duma-list"  # the first table of a TIK's page: the State Duma's party list
    protocols = csv(datasets_dir, "spb-2021", "protocols").filter(first)
    votes = csv(datasets_dir, "spb-2021", "votes").filter(first)
    choices = csv(datasets_dir, "spb-2021", "choices").filter(first)
    district = units.filter(pl.col("level") == "district")["unit_id"].sort()[0]
    stations = units.filter(pl.col("parent_id") == district)["unit_id"].to_list()
    district_page = page(built_site, urls.unit("en", "spb-2021", district, "district"))
    table = next(t for t in tables(district_page) if "ashyq-stations" in t["class"])
    rows = {r["id"][2:]: r["cells"] for r in table["rows"] if r["id"]}
    assert sorted(rows) == sorted(stations)
    # the leading parties first: ordered by their votes summed over the district's stations
    here = votes.filter(pl.col("unit_id").is_in(stations)).group_by("choice_id").agg(
        pl.col("votes").cast(pl.Int64).sum())
    totals = dict(here.iter_rows())
    names = dict(choices.select("choice_id", "name_en").iter_rows())
    leaders = sorted(totals, key=lambda c: -totals[c])
    assert table["head"] == ["Polling station", "Voters on the list", "Turnout, %"] + [names[c] for c in leaders] + [
        "Findings"]
    parts = model.DERIVED_TOTALS["ballots_issued"]
    html = district_page.read_text(encoding="utf-8")
    for station in stations:
        p = protocols.filter(pl.col("unit_id") == station).row(0, named=True)
        unit = units.filter(pl.col("unit_id") == station).row(0, named=True)
        cells = rows[station]
        assert cells[0].startswith(f"PEC {unit['code']}"), station
        # every row links to the station's own page (the whole protocol is there), and has its anchor
        sheet = f"../../stations/{district}/{urls.sheet_range(unit['code'])}/#{station}"
        assert re.search(rf'<tr id="s-{re.escape(station)}"><td[^>]*><a href="{re.escape(sheet)}"[ >]', html), station
        mine = votes.filter(pl.col("unit_id") == station)
        if all(p[l.name] is None for l in contract.protocol_lines()) and mine["votes"].is_null().all():
            # a protocol listed without any figure says so once, across the figures' columns
            assert cells[1] == "listed, not published" and len(cells) == 3, station
            continue
        assert cells[1] == ("not published" if p["voters_on_list"] is None else number(p["voters_on_list"])), station
        issued = p["ballots_issued"]
        if issued is None and all(p[x] is not None for x in parts):
            issued = sum(int(p[x]) for x in parts)  # "ballots issued" derived from its parts, as the model does
        turnout = "not published" if issued is None or not p["voters_on_list"] else \
            f"≈{100 * int(issued) / int(p['voters_on_list']):,.2f}%"
        assert cells[2] == turnout, station
        for at, choice in enumerate(leaders, start=3):
            v = votes.filter((pl.col("unit_id") == station) & (pl.col("choice_id") == choice))
            expected = "not published" if v.is_empty() or v["votes"][0] is None else number(v["votes"][0])
            assert cells[at] == expected, (station, choice)


def test_region_table_shows_votes_first_when_the_lines_are_not_published(built_site, datasets_dir, present):
    """Kazakhstan 2011 publishes the candidates' votes per region but no protocol line: the table by
    region starts with the votes, and the lines no region publishes are named once under it."""
    if "kz-2011-presidential" not in present:
        pytest.skip("kz-2011-presidential not bundled")
    election = "kz-2011-presidential"
    units = csv(datasets_dir, election, "units")
    regions = units.filter(pl.col("level") == "region")
    votes = csv(datasets_dir, election, "votes").filter(pl.col("unit_id").is_in(regions["unit_id"].implode()))
    names = dict(csv(datasets_dir, election, "choices").select("choice_id", "name_en").iter_rows())
    national = csv(datasets_dir, election, "votes").filter(pl.col("unit_id") == units.filter(
        pl.col("parent_id").is_null())["unit_id"][0])
    leaders = [c for c, _ in sorted(national.select("choice_id", pl.col("votes").cast(pl.Int64)).iter_rows(),
                                    key=lambda r: -r[1])]
    election_page = page(built_site, urls.election("en", election))
    table = next(t for t in tables(election_page) if "ashyq-children" in t["class"])
    assert table["head"][1:1 + len(leaders)] == [names[c] for c in leaders]
    for r in table["rows"]:
        region = regions.filter(pl.col("name_en") == r["cells"][0]).row(0, named=True)
        for at, choice in enumerate(leaders, start=1):
            v = votes.filter((pl.col("unit_id") == region["unit_id"]) & (pl.col("choice_id") == choice))["votes"][0]
            assert r["cells"][at] == number(v), (region["unit_id"], choice)
    nowhere = not_published_note(election_page.read_text(encoding="utf-8"), "ashyq-children")
    assert "Voters on the list" in nowhere and "Turnout, %" in nowhere
    assert not set(nowhere) & set(table["head"])


def test_partial_sums_are_labelled(built_site):
    html = page(built_site, urls.election("en", "kz-2011-presidential")).read_text(encoding="utf-8")
    # the package holds 4 of the district's stations: the heading says so once, the note why it is partial
    assert "Sum of the 4 stations in the package" in html
    assert "partial: the package does not list every station of this unit" in html
    assert "Sum of 4 of 4 stations" not in html


def test_long_station_tables_are_split_over_pages(datasets_dir, present, monkeypatch):
    if "spb-2021" not in present:
        pytest.skip("spb-2021 not bundled")
    db = model.build_model([load.load_package(datasets_dir / "spb-2021")])
    data = load_election(db, "spb-2021")
    district = next(u for u, r in data.units.items() if r["level"] == "district" and r["children"] > 20)
    monkeypatch.setattr(unit_pages, "MAX_STATION_ROWS", 10)
    pages = unit_pages.unit_pages(Locale("en"), data, district)
    # a table per party-list ballot the TIK's stations voted in, each split on its own part pages
    ballots = [c["contest_id"] for c in data.contests
               if any((c["contest_id"], s) in data.protocols for s in data.children[district])
               and not unit_pages.is_constituency(c)]
    assert sorted(ballots) == ["city-list", "duma-list"]
    assert len(pages) == 1 + sum(-(-sum((cid, s) in data.protocols for s in data.children[district]) // 10) - 1
                                 for cid in ballots)
    ids = [sid for p in pages for sid in re.findall(r'<tr id="s-([^"]+)"', p.body)]
    for cid in ballots:
        stations = [s for s in data.children[district] if (cid, s) in data.protocols]
        # the first table a station is in (the State Duma's, shown first) has the plain anchor its page
        # links to; a further table's anchors name their contest, so no id is used twice on a page
        mine = [x for x in ids if not x.startswith("city-list-")] if cid == "duma-list" else \
            [x.removeprefix("city-list-") for x in ids if x.startswith("city-list-")]
        assert mine == stations, cid  # every station once, in order, across the parts


# ---- the site as a whole --------------------------------------------------------------------------

def all_html(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_every_table_and_chart_is_filled_back_into_its_page(built_site):
    leftovers = [str(p.relative_to(built_site)) for p in all_html(built_site)
                 if "data-ashyq-slot" in p.read_text(encoding="utf-8")]
    assert not leftovers
    district = page(built_site, urls.unit("en", "kz-2011-presidential", "zhambyl.talas", "district"))
    assert 'tr id="s-zhambyl.talas.410"' in district.read_text(encoding="utf-8")


def test_no_page_over_300_kb(built_site):
    sizes = {p: p.stat().st_size for p in all_html(built_site)}
    assert len(sizes) > 1000  # every page of the site, protocol sheets included
    too_big = {str(p.relative_to(built_site)): s for p, s in sizes.items() if s > MAX_PAGE_BYTES}
    assert not too_big


EXTERNAL = re.compile(r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(?:https?:)?//|<link\b[^>]*\bhref="(?:https?:)?//',
                      re.IGNORECASE)


def test_no_external_scripts_styles_or_images(built_site):
    offenders = [str(p.relative_to(built_site)) for p in all_html(built_site)
                 if EXTERNAL.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_plotly_loaded_only_on_pages_with_charts(built_site):
    election = page(built_site, urls.election("en", "kz-2011-presidential")).read_text(encoding="utf-8")
    station = page(built_site, station_url("en", "kz-2011-presidential", "zhambyl.talas.410")).read_text(encoding="utf-8")
    assert 'src="../../../assets/vendor/plotly-ashyq.min.js"' in election and 'class="ashyq-chart"' in election
    assert "plotly" not in station
    # our own bundle (tools/plotly-bundle), with plotly.js's licence beside it
    bundle = (built_site / "assets/vendor/plotly-ashyq.min.js").read_text(encoding="utf-8")
    assert bundle.startswith("/*! plotly.js v4.1.1 (Ashyq build: scatter and bar traces only")
    assert "MIT License" in (built_site / "assets/vendor/plotly-ashyq.LICENSE.txt").read_text(encoding="utf-8")
    assert not (built_site / "assets/vendor/plotly-basic.min.js").exists()


def test_the_theme_ships_only_files_pages_load(built_site):
    """Material's search worker, lunr's languages and the source maps are not shipped (no page loads
    them: tests/test_browser_loads.py); its bundle no longer names a map."""
    for lang in ("kk", "ru", "en"):
        assets = built_site / lang / "assets"
        assert not list(assets.rglob("*.map")) and not (assets / "javascripts" / "lunr").exists()
        assert not (assets / "javascripts" / "workers").exists()
        bundles = list((assets / "javascripts").glob("bundle.*.min.js"))
        assert len(bundles) == 1 and b"sourceMappingURL" not in bundles[0].read_bytes()
        assert bundles[0].read_bytes().rstrip().endswith(b"})();")  # the script itself is whole


def test_only_the_finder_index_is_shipped_for_search(built_site):
    """The magnifier searches find/ (tests/test_finder.py); MkDocs' own index would never be loaded."""
    assert not any((built_site / lang / "search").exists() for lang in ("", "kk", "ru", "en"))
    assert (built_site / "find" / "index.js").is_file()


def test_add_an_election_field_tables_come_from_the_contract(built_site):
    doc = page(built_site, urls.page("en", "add-an-election"))
    field_tables = [t for t in tables(doc) if "ashyq-fields" in t["class"]]
    assert [[r["cells"][0] for r in t["rows"]] for t in field_tables] == [
        contract.field_names(r) for r in contract.resource_names()]
    assert "contract-fields" not in doc.read_text(encoding="utf-8")


def test_unknown_marker_argument_is_an_error():
    from ashyq.render.pages.reference import expand_markers
    with pytest.raises(ValueError, match="unknown resource"):
        expand_markers("<!-- contract-fields: no_such_table -->", {})


def test_mkdocs_strict_fails_on_a_broken_link(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[broken](nowhere.md)\n", encoding="utf-8")
    config = tmp_path / "mkdocs.generated.yml"
    site.write_config(config, Locale("en"), docs, tmp_path / "site", [{"Home": "index.md"}])
    with pytest.raises(RuntimeError, match="nowhere.md"):
        site.run_mkdocs([config])


# ---- escaping and determinism, on a hostile synthetic package ------------------------------------

HOSTILE = "<script>alert(1)</script>"
ELECTION_TITLE = "<b>Vote</b> & </title><script>alert(5)</script>"
MARKDOWN = "**bold** [x](javascript:alert(2))"


def hostile_build(directory: Path) -> Path:
    tables_ = synthetic.tables()
    tables_["choices"] = tables_["choices"].with_columns(
        pl.Series("name_en", [HOSTILE, MARKDOWN]), pl.Series("affiliation", ["</script><b>x\x01", "&amp; U+2028\u2028\x02"]))
    tables_["units"] = tables_["units"].with_columns(
        pl.when(pl.col("unit_id") == "r1").then(pl.lit('Region "<img src=x onerror=alert(3)>"'))
        .otherwise(pl.col("name_en")).alias("name_en"))
    from ashyq.package_writer import write_package
    import copy
    metadata = copy.deepcopy(synthetic.METADATA)
    metadata["election"]["title"] = {"en": ELECTION_TITLE}  # kk and ru pages show it as a marked fallback
    metadata["sources"] = [{"title": "<i>src</i>", "path": "javascript:alert(4)"}]
    write_package(directory / "datasets" / synthetic.METADATA["name"], metadata, tables_)
    packages = load.load_packages(directory / "datasets")
    db = model.build_model(packages)
    checks.run_checks(db)
    staging = SimpleNamespace(docs_dir=directory / "docs", site_dir=directory / "site", release_dir=directory / "release")
    render_site(db, packages, staging, Progress(quiet=True))
    return staging.site_dir


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return hostile_build(tmp_path_factory.mktemp("hostile"))


def test_text_from_data_is_escaped_everywhere(hostile_site):
    pages = all_html(hostile_site)
    assert len(pages) > 10
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html, path
        assert "</script><b>" not in html, path
        assert 'href="javascript:' not in html.lower(), path
        assert "<strong>bold</strong>" not in html, path
        assert "&amp;lt;b&amp;gt;Vote" not in html, f"title escaped twice in {path}"
        assert "<b>Vote</b>" not in html and "alert(5)</script>" not in html and "<i>src</i>" not in html, path
        assert "\x01" not in html and "\x02" not in html, path
        assert "\u2028" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)), path
    for lang in LANGUAGES:  # the names exist only in English: kk and ru show them as a marked fallback
        station = page(hostile_site, station_url(lang, "test-election", "r1.d1.1")).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in station, lang
        assert "**bold** [x](javascript:alert(2))" in station, lang
        region = page(hostile_site, urls.unit(lang, "test-election", "r1", "region")).read_text(encoding="utf-8")
        assert "Region &quot;&lt;img src=x onerror=alert(3)&gt;&quot;" in region, lang
        home = page(hostile_site, urls.home(lang)).read_text(encoding="utf-8")
        assert "&lt;b&gt;Vote&lt;/b&gt; &amp; &lt;/title&gt;" in home, lang


def test_rendering_is_deterministic(hostile_site, tmp_path):
    again = hostile_build(tmp_path)

    def digest(root: Path) -> dict:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}
    assert digest(again) == digest(hostile_site)


def test_failed_checks_show_as_badges_on_station_rows(built_site, datasets_dir, present):
    if "spb-2021" not in present:
        pytest.skip("spb-2021 not bundled")
    db = model.build_model([load.load_package(datasets_dir / "spb-2021")])
    checks.run_checks(db)
    # the first table of a TIK's page (plain row ids) is the State Duma's party list
    # check_outcomes: the findings' rows with the report times a turnout finding names
    failed = db.rows("SELECT f.* FROM check_outcomes f JOIN units u USING (election_id, unit_id) "
                     "WHERE f.status = 'failed' AND u.level = 'station' AND f.contest_id = 'duma-list' ORDER BY unit_id")
    assert failed, "the St Petersburg data has failed checks to show"
    station = failed[0]["unit_id"]
    district = station.rsplit(".", 1)[0]
    html = page(built_site, urls.unit("en", "spb-2021", district, "district")).read_text(encoding="utf-8")
    row_html = re.search(rf'<tr id="s-{re.escape(station)}">.*?</tr>', html).group(0)
    expected = [finding_text(Locale("en"), f) for f in failed if f["unit_id"] == station]
    import html as html_lib
    shown = [html_lib.unescape(x) for x in re.findall(r'<span class="ashyq-badge"[^>]*>⚠ ([^<]*)</span>', row_html)]
    assert sorted(shown) == sorted(expected)


def test_turnout_through_the_day_sums_the_station_reports(built_site, datasets_dir, present):
    if "spb-2021" not in present:
        pytest.skip("spb-2021 not bundled")
    turnout = csv(datasets_dir, "spb-2021", "turnout").with_columns(
        pl.col("voters_received_ballot", "voters_on_list").cast(pl.Int64))
    protocols = csv(datasets_dir, "spb-2021", "protocols").filter(pl.col("contest_id") == "duma-list").select(
        "unit_id", pl.col("voters_on_list").cast(pl.Int64).alias("protocol_list"))
    reports = (turnout.filter(pl.col("voters_received_ballot").is_not_null())
               .join(protocols, on="unit_id", how="left")
               .with_columns(pl.coalesce("voters_on_list", "protocol_list").alias("list"))
               .filter(pl.col("list").is_not_null())
               .group_by("reported_at").agg(pl.len().alias("n"), pl.col("voters_received_ballot").sum(), pl.col("list").sum()))
    several_days = reports["reported_at"].str.slice(0, 10).n_unique() > 1  # then each time names its day
    table = next(t for t in tables(page(built_site, urls.election("en", "spb-2021")))
                 if t["head"][:3] == ["Reported at", "Source", "Stations reporting"])
    shown = {r["cells"][0]: r["cells"][2:5] for r in table["rows"]}
    assert len(shown) == reports.height
    for r in reports.iter_rows(named=True):
        label = Locale("en").report_time(r["reported_at"], with_date=several_days)
        assert shown[label] == [number(r["n"]), number(r["voters_received_ballot"]), number(r["list"])], label


def test_a_contest_decided_below_the_country_has_its_results_at_its_own_unit(tmp_path):
    """A single-member district: its results on the district's page, a link to it from above."""
    tables_ = synthetic.tables()
    smd_stations = ["r1.d1.1", "r1.d1.2"]
    tables_["contests"] = pl.concat([tables_["contests"], pl.DataFrame([dict(
        contest_id="smd-1", kind="single_member", round=1, scope_unit_id="r1.d1", name_en="District seat 1")])],
        how="diagonal")
    tables_["choices"] = pl.concat([tables_["choices"], pl.DataFrame([
        dict(contest_id="smd-1", choice_id="x", ballot_order=1, kind="candidate", name_en="Candidate X"),
        dict(contest_id="smd-1", choice_id="y", ballot_order=2, kind="candidate", name_en="Candidate Y")])],
        how="diagonal")
    tables_["protocols"] = pl.concat([tables_["protocols"], pl.DataFrame(
        [synthetic.station_protocol(s, contest_id="smd-1") for s in smd_stations])], how="diagonal")
    tables_["votes"] = pl.concat([tables_["votes"], pl.DataFrame([
        dict(contest_id="smd-1", unit_id=s, source_id="official", choice_id=c, votes=v)
        for i, s in enumerate(smd_stations) for c, v in [("x", 300 + i), ("y", 290 - i)]])],
        how="diagonal")
    from ashyq.package_writer import write_package
    write_package(tmp_path / "datasets" / "test-election", synthetic.METADATA, tables_)
    packages = load.load_packages(tmp_path / "datasets")
    db = model.build_model(packages)
    staging = SimpleNamespace(docs_dir=tmp_path / "docs", site_dir=tmp_path / "site", release_dir=tmp_path / "release")
    render_site(db, packages, staging, Progress(quiet=True))

    country = page(staging.site_dir, urls.election("en", "test-election")).read_text(encoding="utf-8")
    assert "District seat 1" in country and 'href="units/r1.d1/"' in country
    assert "Candidate X" not in country  # its results are not mixed into the national page
    district = tables(page(staging.site_dir, urls.unit("en", "test-election", "r1.d1", "district")))
    result = next(t for t in district if t["rows"] and t["rows"][0]["cells"][0] == "Candidate X")
    assert result["rows"][0]["cells"][1] == number(300 + 301)
    station = page(staging.site_dir, station_url("en", "test-election", "r1.d1.2")).read_text(encoding="utf-8")
    assert "District seat 1" in station and "President" in station


SCROLL_BOX = re.compile(r'<div class="ashyq-table-wrap"([^>]*)>')
PICTURE = re.compile(r'<div class="ashyq-(?:chart|map)"([^>]*)>')


def test_every_table_box_takes_focus_and_every_picture_has_a_text(built_site):
    """WCAG 2.1 AA at the source, on every page: a table's scroll box is reachable by keyboard and
    named (axe's scrollable-region-focusable), a chart or map has a non-empty text (role-img-alt)."""
    boxes, pictures, wrong = 0, 0, []
    for path in all_html(built_site):
        text = path.read_text(encoding="utf-8")
        for attrs in SCROLL_BOX.findall(text):
            boxes += 1
            if not re.search(r'tabindex="0" role="region" aria-label="[^"]*\S[^"]*"', attrs):
                wrong.append(f"{path.relative_to(built_site)}: table box {attrs!r}")
        for attrs in PICTURE.findall(text):
            pictures += 1
            if not re.search(r'role="img" aria-label="[^"]*\S[^"]*"', attrs):
                wrong.append(f"{path.relative_to(built_site)}: picture {attrs!r}")
    assert boxes > 1000 and pictures > 100, (boxes, pictures)
    assert not wrong, wrong[:5]
    district = page(built_site, urls.unit("ru", "kz-2011-presidential", "zhambyl.talas", "district"))
    assert f'aria-label="{Locale("ru").t("stations")}"' in district.read_text(encoding="utf-8")


def test_the_theme_frame_is_compacted_without_changing_what_a_reader_sees():
    """Material's indentation goes; what a browser shows, a screen reader reads and code keeps stays."""
    from html.parser import HTMLParser

    from ashyq.render.theme_hooks import compact
    page = ('<nav class="md-nav">\n      \n        <ul>\n          <li><a href="x/" title="a\n    b">\n'
            '            Vote  count\n          </a></li>\n        </ul>\n      </nav>\n'
            '<pre><code>line 1\n\n    indented\n</code></pre>\n    <textarea>\n  kept\n</textarea>\n'
            '<script>\n  var s = "\\n   ";  if (a\n   < b) {}\n</script>\n<style>\n  p { }\n</style>\n'
            '<p>One\n\n   two</p>')
    out = compact(page)
    assert out == ('<nav class="md-nav">\n<ul>\n<li><a href="x/" title="a\n    b">\nVote  count\n</a></li>\n</ul>\n'
                   '</nav>\n<pre><code>line 1\n\n    indented\n</code></pre>\n<textarea>\n  kept\n</textarea>\n'
                   '<script>\n  var s = "\\n   ";  if (a\n   < b) {}\n</script>\n<style>\n  p { }\n</style>\n'
                   '<p>One\ntwo</p>')
    assert compact(out) == out

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.seen = []

        def handle_starttag(self, tag, attrs):
            self.seen.append((tag, attrs))

        def handle_data(self, data):
            self.seen.append(" ".join(data.split()))

    def read(html_text):
        reader = Reader()
        reader.feed(html_text)
        return [x for x in reader.seen if x != ""]
    assert read(out) == read(page)


def test_built_pages_carry_no_indentation(built_site):
    """Every page MkDocs built (the frame, the Markdown's HTML) is already compact; the blocks filled in
    after it (tables, charts) are written compact."""
    pages = sorted((built_site / "en" / "elections").rglob("index.html"))
    assert len(pages) > 50
    from ashyq.render.theme_hooks import compact
    texts = {p: p.read_text(encoding="utf-8") for p in pages}
    loose = [p for p, text in texts.items() if compact(text) != text]
    assert not loose, loose[:3]


def _synthetic_render(directory: Path):
    from ashyq.package_writer import write_package

    write_package(directory / "datasets" / synthetic.METADATA["name"], synthetic.METADATA, synthetic.tables())
    packages = load.load_packages(directory / "datasets")
    db = model.build_model(packages)
    checks.run_checks(db)
    staging = SimpleNamespace(docs_dir=directory / "docs", site_dir=directory / "site", release_dir=directory / "release")
    return db, packages, staging


def _threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("ashyq-")]


def test_the_zip_thread_has_ended_before_mkdocs_starts(tmp_path, monkeypatch):
    """The packages' zips are compressed in a thread while pages are made; no process is started
    (MkDocs', the sheet workers') while it runs: a fork beside a running thread is unsafe."""
    from ashyq import downloads
    from ashyq.publish import release

    db, packages, staging = _synthetic_render(tmp_path)
    seen, run_mkdocs, write_package_zips = [], site.run_mkdocs, downloads.write_package_zips

    def slow(packages, out_dir):  # still compressing when the pages are ready, unless waited for
        time.sleep(3)
        return write_package_zips(packages, out_dir)

    def checking(config_paths, meanwhile=()):
        seen.append(_threads())
        return run_mkdocs(config_paths, meanwhile)

    monkeypatch.setattr(downloads, "write_package_zips", slow)
    monkeypatch.setattr(site, "run_mkdocs", checking)
    render_site(db, packages, staging, Progress(quiet=True))
    assert seen and all(names == [] for names in seen)
    name = release.asset_name(f"{packages[0].id}/{packages[0].id}-datapackage.zip")
    with zipfile.ZipFile(staging.release_dir / name) as archive:
        assert archive.testzip() is None and f"{packages[0].id}/datapackage.json" in archive.namelist()


def test_an_error_in_the_zip_thread_stops_the_build_and_the_thread_is_joined(tmp_path, monkeypatch):
    from ashyq import downloads

    db, packages, staging = _synthetic_render(tmp_path)

    def failing(packages, out_dir):
        raise RuntimeError("the zip could not be written")

    monkeypatch.setattr(downloads, "write_package_zips", failing)
    with pytest.raises(RuntimeError, match="the zip could not be written"):
        render_site(db, packages, staging, Progress(quiet=True))
    assert _threads() == []
