"""Kazakh, Russian and English everywhere: every page under its language prefix, the same path in
each language, `<html lang>` right, a switcher and hreflang links that keep the reader on the same
page, language-neutral files once, and no English leaking into a Kazakh or Russian page (checked
on one page of every kind: its visible text, data values set aside)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ashyq.render import urls
from ashyq.render.locale import LANGUAGES
from render_helpers import station_page, station_url

KZ11 = "kz-2011-presidential"
# Words that are the same in every language: the project's name, formats, authors cited by name.
ALLOWED = {"ashyq", "csv", "json", "parquet", "zip", "sha", "pnas", "klimek", "et", "al", "kobak", "shpilkin",
           "pshenichnikov", "iglewicz", "hoaglin", "mad", "thurner", "hanel", "sornette", "contract", "yml"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr", "area", "base", "embed", "param", "track"}


class _Visible(HTMLParser):
    """The text a reader sees in <body>, without scripts, code (identifiers) and text marked as
    data or as another language (a name the package lacks in this language, shown marked)."""

    def __init__(self, lang: str):
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.skip, self.text = lang, [], 0, []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        if tag == "body":
            self.in_body = True
        hidden = (tag in ("script", "style", "code", "svg", "template")
                  or "ashyq-data" in (attrs.get("class") or "")
                  or attrs.get("lang") not in (None, self.lang) or "hidden" in attrs)
        self.stack.append((tag, hidden))
        self.skip += hidden

    def handle_endtag(self, tag):
        while self.stack:
            name, hidden = self.stack.pop()
            self.skip -= hidden
            if name == tag:
                break

    def handle_data(self, data):
        if self.in_body and not self.skip:
            self.text.append(data)


def english_words(html: str, lang: str) -> list[str]:
    parser = _Visible(lang)
    parser.feed(html)
    words = LATIN_WORD.findall(" ".join(parser.text))
    return sorted({w for w in words if w.lower() not in ALLOWED})


def pages_of_every_kind(site: Path, lang: str) -> dict[str, Path]:
    constituency = sorted((site / "en" / "elections").glob("*/contests/*/index.html"))
    pages = {
        "home": urls.home(lang),
        "election": urls.election(lang, KZ11),
        "region": urls.unit(lang, KZ11, "zhambyl", "region"),
        "district": urls.unit(lang, KZ11, "zhambyl.talas", "district"),
        "station": station_url(lang, KZ11, "zhambyl.talas.410").split("#")[0],  # its protocol sheet
        "sheet of 4 ballots": station_url(lang, "spb-2021", "spb.admiralteysky.tik1.1").split("#")[0],
        "integrity": urls.integrity(lang, KZ11),
        "corrections": urls.changes(lang, "kz-2019-presidential"),
        "downloads": urls.downloads(lang),
        "data dictionary": urls.page(lang, "data-dictionary"),
    }
    out = {kind: site / url / "index.html" for kind, url in pages.items()}
    if constituency:
        out["constituency"] = site / lang / constituency[0].parent.relative_to(site / "en") / "index.html"
    out["404"] = site / "404.html"
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_leaks_into_a_kazakh_or_russian_page(built_site, lang):
    leaks = {}
    for kind, path in pages_of_every_kind(built_site, lang).items():
        assert path.is_file(), f"{kind}: {path}"
        words = english_words(path.read_text(encoding="utf-8"), lang)
        if words:
            leaks[kind] = words
    assert not leaks, f"English words on {lang} pages: {leaks}"


def test_the_leak_check_finds_english(built_site):
    english = (built_site / urls.election("en", KZ11) / "index.html").read_text(encoding="utf-8")
    assert "Turnout" in english_words(english.replace('lang="en"', 'lang="ru"'), "ru")


def test_every_page_exists_in_every_language_at_the_same_path(built_site):
    paths = {lang: {p.relative_to(built_site / lang) for p in (built_site / lang).rglob("index.html")}
             for lang in LANGUAGES}
    assert len(paths["en"]) > 300
    assert paths["kk"] == paths["ru"] == paths["en"]
    for lang in LANGUAGES:
        html = station_page(built_site, station_url(lang, KZ11, "zhambyl.talas.410"))[0].read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html


def test_language_neutral_files_exist_once(built_site):
    for lang in LANGUAGES:
        assert not (built_site / lang / "downloads" / KZ11).exists()
        assert not list((built_site / lang).rglob("*.csv")) and not list((built_site / lang).rglob("*.parquet"))
        assert not (built_site / lang / "assets" / "vendor").exists()
    assert (built_site / urls.integrity_csv(KZ11, "findings")).is_file()
    assert (built_site / "assets" / "vendor" / "plotly-ashyq.min.js").is_file()


def _links(html: str, rel: str) -> dict[str, str]:
    if rel == "alternate":
        return dict(re.findall(r'<link rel="alternate" hreflang="([a-z]+)" href="([^"]+)"', html))
    # the theme's switcher (a menu of md-select__link) and a station page's (a row of links)
    return dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="([a-z]+)"', html))


@pytest.mark.parametrize("kind", ["station", "district", "integrity", "home", "data dictionary"])
def test_switcher_and_hreflang_lead_to_the_same_page_in_each_language(built_site, kind):
    for lang in LANGUAGES:
        path = pages_of_every_kind(built_site, lang)[kind]
        html = path.read_text(encoding="utf-8")
        for rel in ("alternate", "switcher"):
            links = _links(html, rel)
            assert set(links) == set(LANGUAGES), (kind, lang, rel)
            for other, href in links.items():
                target = (path.parent / href).resolve()
                expected = pages_of_every_kind(built_site, other)[kind].parent.resolve()
                assert target == expected, (kind, lang, rel, other, href)


def test_the_root_chooses_a_language_and_links_all_three(built_site):
    for name in ("index.html", "404.html"):
        html = (built_site / name).read_text(encoding="utf-8")
        for lang in LANGUAGES:
            assert f'href="{lang}/"' in html, (name, lang)
        assert "navigator.languages" in html and "http" not in html.replace("http-equiv", "")


def test_hand_written_pages_say_they_are_english(built_site):
    for lang, note in (("kk", "Бұл бет тек ағылшын тілінде"), ("ru", "Эта страница пока только на английском")):
        html = (built_site / urls.page(lang, "methodology") / "index.html").read_text(encoding="utf-8")
        assert note in html and '<div lang="en">' in html
