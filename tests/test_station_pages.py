"""Polling stations are published on protocol sheets (ashyq/render/pages/station.py, stamp.py,
templates/station.html): one light page per commission and block of 100 station numbers, a column
per station. Every station is on exactly one sheet per language, at the URL urls.station gives it,
with its whole protocol in its column; the language switch leads to the same sheet (carrying the
station's #id); ids are unique; no sheet is heavier than 300 kB."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from ashyq import contract
from ashyq.render import urls
from ashyq.render.finder import FIND_ANCHOR
from ashyq.render.locale import LANGUAGES, Locale
from render_helpers import sheet_columns, sheet_tables, station_page

SPB, KZ11 = "spb-2021", "kz-2011-presidential"
WITH_STATIONS = [KZ11, SPB]  # the bundled elections that publish polling stations
SWITCH = re.compile(r'<nav class="ashyq-languages"[^>]*>(.*?)</nav>', re.DOTALL)
SWITCH_LINK = re.compile(r'<a href="([^"]+)" hreflang="([a-z]+)" lang="([a-z]+)"( aria-current="page")?>')
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([a-z]+)" href="([^"]+)">')
IDS = re.compile(r'\sid="([^"]+)"')
SHEET_LIMIT = 300_000  # bytes of HTML a sheet may weigh (docs/benchmarks.md, "Protocol sheets")


def _sheets(site: Path, election: str, lang: str) -> list[Path]:
    return sorted((site / urls.election(lang, election) / "stations").glob("*/*/index.html"))


def _csv(datasets_dir: Path, election: str, name: str) -> pl.DataFrame:
    return pl.read_csv(datasets_dir / election / f"{name}.csv", infer_schema_length=0)


def _stations(datasets_dir: Path, election: str) -> dict[str, dict]:
    units = _csv(datasets_dir, election, "units").filter(pl.col("level") == "station")
    return {u["unit_id"]: u for u in units.iter_rows(named=True)}


def _squash(text: str) -> str:
    return " ".join(text.split())  # a thin or no-break space in a number is a space


def test_a_station_url_depends_only_on_the_station():
    """Its commission and the block of 100 its own number is in; a number that is not whole: "all"."""
    assert urls.station("kk", "e", "spb.tik1.410", "spb.tik1", "410") == "kk/elections/e/stations/spb.tik1/400-499/#spb.tik1.410"
    assert urls.sheet_range("0499") == "400-499" and urls.sheet_range("500") == "500-599"
    assert urls.sheet_range("7") == "0-99" and urls.sheet_range("12A") == "all" and urls.sheet_range(None) == "all"
    assert urls.sheet_range("٤١٠") == "all"  # digits, but not ASCII ones: not read as a number


@pytest.mark.parametrize("election", WITH_STATIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_station_is_on_exactly_one_sheet_at_its_url(built_site, datasets_dir, election, lang):
    """Every station of the package is the id of exactly one element across the election's sheets,
    on the sheet its URL names; no id is used twice on a page; every link to #id on a sheet resolves."""
    stations = _stations(datasets_dir, election)
    found: Counter = Counter()
    where = {}
    for path in _sheets(built_site, election, lang):
        html = path.read_text(encoding="utf-8")
        ids = IDS.findall(html)
        assert len(ids) == len(set(ids)), (path, [i for i, n in Counter(ids).items() if n > 1][:5])
        for target in re.findall(r'href="#([^"]+)"', html):
            assert target in ids, (path, target)
        for i in ids:
            if i in stations:
                found[i] += 1
                where[i] = path
    assert set(found) == set(stations) and set(found.values()) == {1}, election
    for station_id, unit in stations.items():
        path, fragment = station_page(built_site, urls.station(lang, election, station_id, unit["parent_id"], unit["code"]))
        assert fragment == station_id and where[station_id] == path


@pytest.mark.parametrize("election", WITH_STATIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_station_column_carries_its_whole_protocol(built_site, datasets_dir, election, lang):
    """For every protocol of the package (contest, station, source): every published line under its
    label, in the station's column for that source, as the package has it; a line it does not publish
    is "not published" (or derived from published lines), or named in the note of lines no station on
    the table publishes; every candidate's or party's votes in the column."""
    loc = Locale(lang)
    stations = _stations(datasets_dir, election)
    protocols = _csv(datasets_dir, election, "protocols").filter(pl.col("unit_id").is_in(list(stations)))
    votes = _csv(datasets_dir, election, "votes").filter(pl.col("unit_id").is_in(list(stations)))
    kinds = {s["source_id"]: s["kind"] for s in _csv(datasets_dir, election, "sources").iter_rows(named=True)}
    wanted_votes: dict = {}
    for v in votes.iter_rows(named=True):
        shown = loc.not_published if v["votes"] is None else _squash(loc.number(int(v["votes"])))
        wanted_votes.setdefault((v["contest_id"], v["unit_id"], v["source_id"]), Counter())[shown] += 1
    pages: dict = {}
    notes: dict = {}
    checked = 0
    for p in protocols.iter_rows(named=True):
        station_id, cid = p["unit_id"], p["contest_id"]
        unit = stations[station_id]
        path, _ = station_page(built_site, urls.station(lang, election, station_id, unit["parent_id"], unit["code"]))
        if path not in pages:
            text = path.read_text(encoding="utf-8")
            pages[path] = (text, sheet_tables(text))
        html, parsed = pages[path]
        tables = [t for t in sheet_columns(parsed, station_id) if t["section"] == f"c-{cid}" and "ashyq-sheet" in t["class"]]
        assert tables, (lang, station_id, cid)
        table = tables[0]
        if (path, cid) not in notes:
            section = html.split(f'<h2 id="c-{cid}">', 1)[1].split("<h2 ", 1)[0]
            notes[(path, cid)] = _squash(section.split("</table>", 1)[1].split("<h3", 1)[0].split("<div", 1)[0])
        left_out = notes[(path, cid)]
        kind = loc.source_kind(kinds[p["source_id"]])
        columns = [i for i, s in enumerate(table["sources"]) if s == kind] if table["sources"] else [0]
        assert columns, (lang, station_id, cid, table["sources"])

        def matches(i: int) -> bool:
            for line in contract.line_names():
                label = _squash(loc.line(line))
                value = p[line]
                if value:
                    if _squash(table["rows"].get(label, [""] * (i + 1))[i]) != _squash(loc.number(int(value))):
                        return False
                elif label in table["rows"]:
                    cell = _squash(table["rows"][label][i])
                    assert cell == loc.not_published or re.fullmatch(r"[\d ,]+", cell), (lang, cid, line, cell)
                else:
                    assert _squash(loc.line(line)) in left_out, (lang, cid, line)
            shown = Counter(_squash(cells[i]) for cells in table["rows"].values())
            return not (wanted_votes.get((cid, station_id, p["source_id"]), Counter()) - shown)

        assert any(matches(i) for i in columns), (lang, station_id, cid, p["source_id"])
        checked += 1
    assert checked == protocols.height > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_station_that_differs_between_sources_shows_the_difference(built_site, datasets_dir, lang):
    """2011: the official and the observers' protocols side by side under the station, the difference
    of the two right after the first (in view on a phone), highlighted where they disagree."""
    loc = Locale(lang)
    unit = _stations(datasets_dir, KZ11)["zhambyl.talas.410"]
    path, station_id = station_page(built_site, urls.station(lang, KZ11, "zhambyl.talas.410", unit["parent_id"], unit["code"]))
    table = sheet_columns(path.read_text(encoding="utf-8"), station_id)[0]
    assert table["id"] == station_id
    assert len(table["sources"]) == 3 and table["sources"][1] == loc.t("difference")
    differs = [label for label, classes in table["classes"].items() if "ashyq-diff" in classes[1]]
    assert differs
    for label in differs:
        a, diff, b = (int(x.replace(" ", "").replace(",", "").replace("\u202f", "").replace("\xa0", "").replace("−", "-"))
                      for x in table["rows"][label])
        assert diff == a - b != 0


@pytest.mark.parametrize("election", WITH_STATIONS)
def test_the_language_switch_and_hreflang_lead_to_the_same_sheet(built_site, election):
    """On every sheet in every language: three switch links and three hreflang alternates, each to the
    existing sheet of the same stations in that language, the current language marked; a script
    carries the reader's #station over to the other language."""
    for lang in LANGUAGES:
        pages = _sheets(built_site, election, lang)
        assert pages
        for path in pages:
            html = path.read_text(encoding="utf-8")
            url = path.parent.relative_to(built_site).as_posix() + "/"
            assert f'<html lang="{lang}">' in html
            switch = SWITCH_LINK.findall(SWITCH.search(html).group(1))
            assert [(hreflang, text_lang) for _, hreflang, text_lang, _ in switch] == [(x, x) for x in LANGUAGES]
            assert [hreflang for _, hreflang, _, current in switch if current] == [lang]
            alternates = ALTERNATE.findall(html)
            assert [x for x, _ in alternates] == list(LANGUAGES)
            for other, href in [(x, href) for href, x, _, _ in switch] + alternates:
                target = (path.parent / href / "index.html").resolve()
                assert target == (built_site / urls.in_language(url, other) / "index.html").resolve(), (path, href)
                assert target.is_file(), (path, href)
            assert "a.hash=location.hash" in html


def test_a_sheet_links_home_to_its_commission_and_to_its_elections_finder(built_site, datasets_dir):
    unit = _stations(datasets_dir, KZ11)["zhambyl.talas.410"]
    for lang in LANGUAGES:
        loc = Locale(lang)
        path, _ = station_page(built_site, urls.station(lang, KZ11, "zhambyl.talas.410", unit["parent_id"], unit["code"]))
        html = path.read_text(encoding="utf-8")
        home = re.search(r'<a class="ashyq-site" href="([^"]+)">([^<]+)</a>', html)
        assert home.group(2) == loc.t("site_name")
        assert (path.parent / home.group(1)).resolve() == (built_site / urls.home(lang)).resolve()
        finder = re.search(r'<a class="ashyq-find-link" href="([^"#]+)#([^"]+)">', html)
        election_page = (path.parent / finder.group(1) / "index.html").resolve()
        assert election_page == (built_site / urls.election(lang, KZ11) / "index.html").resolve()
        assert finder.group(2) == FIND_ANCHOR and f'id="{FIND_ANCHOR}"' in election_page.read_text(encoding="utf-8")
        crumbs = re.search(r'<nav class="ashyq-breadcrumbs".*?</nav>', html).group(0)
        commission = re.findall(r'<a href="([^"]+)">', crumbs)[-1]
        assert (path.parent / commission).resolve() == (built_site / urls.unit(lang, KZ11, unit["parent_id"], "district")).resolve()
        assert '<link rel="canonical" href="./">' in html
        block = loc.t("sheet_range", first="400", last="499")
        assert re.search(r"<title>[^<]*" + re.escape(block) + " - " + re.escape(loc.t("site_name")) + "</title>", html)


@pytest.mark.parametrize("election", WITH_STATIONS)
def test_sheets_load_no_theme_javascript_and_stay_light(built_site, election):
    """No Material bundle, config or search worker; only the language switch's few lines inline (and a
    sorting script if a table sorts); no sheet over 300 kB of HTML (100 stations × 4 ballots included)."""
    for lang in LANGUAGES:
        for path in _sheets(built_site, election, lang):
            html = path.read_text(encoding="utf-8")
            scripts = re.findall(r"<script\b[^>]*>", html)
            assert "javascripts/bundle" not in html and 'id="__config"' not in html, path
            if 'class="ashyq-table sortable' not in html:
                assert scripts == ["<script>"], (path, scripts)
            assert len(html.encode("utf-8")) <= SHEET_LIMIT, (path, len(html.encode("utf-8")))


def _frame(html: str, start: str, end: str) -> int:
    """Bytes of a page outside its content (from ``start``'s opening tag to its ``end``)."""
    head, rest = html.split(start, 1)
    return len((head + rest[rest.index(end):]).encode("utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sheets_frame_weighs_a_fraction_of_the_themes_frame(built_site, lang):
    """The theme's frame is what a page MkDocs renders weighs outside its article (the election's
    corrections page); a sheet's frame (outside its body) is under a fifth of it."""
    themed = (built_site / urls.changes(lang, KZ11) / "index.html").read_text(encoding="utf-8")
    theme_frame = _frame(themed, '<article class="md-content__inner md-typeset">', "</article>")
    for election in WITH_STATIONS:
        for path in _sheets(built_site, election, lang)[:50]:
            html = path.read_text(encoding="utf-8")
            assert _frame(html, '<div class="ashyq-station">', "</main>") * 5 < theme_frame, path
