"""Polling station pages are light (ashyq/render/stamp.py, templates/station.html): written outside
MkDocs, each carries its station's whole protocol, a language switch to the same station in every
language, a link home and to the finder, and no theme JavaScript; the page is a fraction of what the
theme's frame alone weighed."""
from __future__ import annotations

import re
from collections import Counter
from html import unescape
from pathlib import Path

import polars as pl
import pytest

from ashyq import contract
from ashyq.render import urls
from ashyq.render.finder import FIND_ANCHOR
from ashyq.render.locale import LANGUAGES, Locale
from render_helpers import _Tables

SPB, KZ11 = "spb-2021", "kz-2011-presidential"
SWITCH = re.compile(r'<nav class="ashyq-languages"[^>]*>(.*?)</nav>', re.DOTALL)
SWITCH_LINK = re.compile(r'<a href="([^"]+)" hreflang="([a-z]+)" lang="([a-z]+)"( aria-current="page")?>')
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([a-z]+)" href="([^"]+)">')


def _station_pages(site: Path, election: str, lang: str) -> list[Path]:
    return sorted((site / urls.election(lang, election) / "stations").glob("*/index.html"))


def _csv(datasets_dir: Path, election: str, name: str) -> pl.DataFrame:
    return pl.read_csv(datasets_dir / election / f"{name}.csv", infer_schema_length=0)


def _tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _squash(text: str) -> str:
    return " ".join(text.split())  # a thin or no-break space in a number is a space


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_station_page_carries_its_whole_protocol(built_site, datasets_dir, lang):
    """Every published line of every ballot's protocol, under its label, and every candidate's or
    party's votes, as the package has them."""
    loc = Locale(lang)
    protocols = _csv(datasets_dir, SPB, "protocols")
    votes = _csv(datasets_dir, SPB, "votes")
    one_source = protocols.group_by("unit_id").agg(pl.col("source_id").n_unique().alias("n"),
                                                    pl.col("contest_id").n_unique().alias("ballots"))
    station = one_source.filter((pl.col("n") == 1) & (pl.col("ballots") >= 2)).sort("unit_id")["unit_id"][0]
    html = (built_site / urls.station(lang, SPB, station) / "index.html").read_text(encoding="utf-8")
    rows = protocols.filter(pl.col("unit_id") == station)
    assert rows.height >= 2
    for p in rows.iter_rows(named=True):
        cid = p["contest_id"]
        section = html.split(f'<h2 id="{cid}">', 1)[1].split("<h2 ", 1)[0]
        table = next(t for t in _tables(section) if "ashyq-protocol" in t["class"])
        cells = {_squash(r["cells"][0]): _squash(r["cells"][1]) for r in table["rows"]}
        # lines the station's protocols publish nowhere are named once, in the note under the table
        left_out = _squash(unescape(section.split("</table>", 1)[1].split("<h3", 1)[0]))
        for line in contract.line_names():
            label = _squash(loc.line(line))
            if p[line]:
                assert cells[label] == _squash(loc.number(int(p[line]))), (lang, station, cid, line)
            elif label in cells:  # not published by this source, or summed from published lines ("derived")
                assert cells[label] == loc.not_published or cells[label].replace(" ", "").isdigit(), (lang, cid, line)
            else:
                assert label in left_out, (lang, cid, line)
        shown = Counter(_squash(r["cells"][1]) for r in table["rows"])
        wanted = Counter(_squash(loc.number(int(v))) for v in
                         votes.filter((pl.col("unit_id") == station) & (pl.col("contest_id") == cid))["votes"])
        assert wanted and not wanted - shown, (lang, station, cid)


@pytest.mark.parametrize("election", [KZ11, SPB])
def test_the_language_switch_and_hreflang_lead_to_the_same_station(built_site, election):
    """On every station page in every language: three switch links and three hreflang alternates,
    each to an existing page of the same station in that language; the current language marked."""
    for lang in LANGUAGES:
        pages = _station_pages(built_site, election, lang)
        assert pages
        for path in pages:
            html = path.read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
            switch = SWITCH_LINK.findall(SWITCH.search(html).group(1))
            assert [(hreflang, text_lang) for _, hreflang, text_lang, _ in switch] == [(x, x) for x in LANGUAGES]
            assert [hreflang for _, hreflang, _, current in switch if current] == [lang]
            alternates = ALTERNATE.findall(html)
            assert [x for x, _ in alternates] == list(LANGUAGES)
            for other, href in [(x, href) for href, x, _, _ in switch] + alternates:
                target = (path.parent / href / "index.html").resolve()
                assert target == (built_site / urls.in_language(urls.station(lang, election, path.parent.name), other)
                                  / "index.html").resolve(), (path, other, href)
                assert target.is_file(), (path, href)


def test_a_station_page_links_home_and_to_its_elections_finder(built_site):
    for lang in LANGUAGES:
        path = built_site / urls.station(lang, KZ11, "zhambyl.talas.410") / "index.html"
        html = path.read_text(encoding="utf-8")
        home = re.search(r'<a class="ashyq-site" href="([^"]+)">([^<]+)</a>', html)
        assert home.group(2) == Locale(lang).t("site_name")
        assert (path.parent / home.group(1)).resolve() == (built_site / urls.home(lang)).resolve()
        finder = re.search(r'<a class="ashyq-find-link" href="([^"#]+)#([^"]+)">', html)
        election_page = (path.parent / finder.group(1) / "index.html").resolve()
        assert election_page == (built_site / urls.election(lang, KZ11) / "index.html").resolve()
        assert finder.group(2) == FIND_ANCHOR and f'id="{FIND_ANCHOR}"' in election_page.read_text(encoding="utf-8")
        assert '<link rel="canonical" href="./">' in html
        assert re.search(r"<title>[^<]*410[^<]* - " + re.escape(Locale(lang).t("site_name")) + "</title>", html)


@pytest.mark.parametrize("election", [KZ11, SPB])
def test_station_pages_load_no_theme_javascript(built_site, election):
    """No Material bundle, config or search worker; a script only to sort a sortable table."""
    for lang in LANGUAGES:
        for path in _station_pages(built_site, election, lang):
            html = path.read_text(encoding="utf-8")
            scripts = re.findall(r"<script\b[^>]*>", html)
            assert "javascripts/bundle" not in html and 'id="__config"' not in html, path
            if 'class="ashyq-table sortable' not in html:
                assert not scripts, (path, scripts)
            assert all("assets/javascripts" not in s for s in scripts), path


def _frame(html: str, start: str, end: str) -> int:
    """Bytes of a page outside its content (from ``start``'s opening tag to its ``end``)."""
    head, rest = html.split(start, 1)
    return len((head + rest[rest.index(end):]).encode("utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_station_page_weighs_less_than_the_themes_frame_alone(built_site, lang):
    """The theme's frame is what a page MkDocs renders at the same depth weighs outside its article
    (the election's corrections page); a station page's frame (outside its body) is under a fifth of
    it, and a station with one ballot weighs less, whole, than that frame with no content."""
    themed = (built_site / urls.changes(lang, KZ11) / "index.html").read_text(encoding="utf-8")
    theme_frame = _frame(themed, '<article class="md-content__inner md-typeset">', "</article>")
    for election in (KZ11, SPB):
        for path in _station_pages(built_site, election, lang)[:50]:
            html = path.read_text(encoding="utf-8")
            assert _frame(html, '<div class="ashyq-station">', "</main>") * 5 < theme_frame, path
    small = (built_site / urls.station(lang, KZ11, "zhambyl.talas.410") / "index.html").read_bytes()
    assert len(small) < theme_frame
