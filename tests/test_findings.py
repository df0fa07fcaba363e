"""Findings written for people (issue 10): every finding a sentence in the reader's language with the
station and the figures from the package, grouped by check with the CSV's counts, under a headline
that states what was checked; and the text fixes (licence line, breadcrumbs, cut ui_text values,
download sizes)."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import polars as pl
import pytest

from ashyq import checks, load, model
from ashyq.checks.registry import CHECKS, TURNOUT_FLAGS
from ashyq.publish import release
from ashyq.render import urls
from ashyq.render.locale import LANGUAGES, Locale, texts
from paths import ROOT

SPB, KZ11 = "spb-2021", "kz-2011-presidential"
GROUP = re.compile(r'<section class="ashyq-finding-group" data-group="([a-z0-9_]+)" data-count="(\d+)">(.*?)</section>',
                   re.S)


@pytest.fixture(scope="module")
def db():
    packages = [load.load_package(ROOT / "datasets" / name) for name in (SPB, KZ11)
                if (ROOT / "datasets" / name).exists()]
    if len(packages) < 2:
        pytest.skip("spb-2021 and kz-2011-presidential are needed")
    db = model.build_model(packages)
    checks.run_checks(db)
    return db


@pytest.fixture(scope="module")
def pages(db):
    from ashyq.render import data as render_data, integrity

    out = {}
    for eid in (SPB, KZ11):
        data = render_data.load_election(db, eid)
        for lang in LANGUAGES:
            out[eid, lang] = (data, integrity.integrity_page(Locale(lang), db, data).body)
    return out


def groups(body: str) -> dict[str, tuple[int, list[str]]]:
    """Each group of findings: (the count it states, its sentences as plain text)."""
    return {key: (int(count), [html.unescape(re.sub(r"<[^>]+>", "", s)) for s in re.findall(r"<li>(.*?)</li>", inner, re.S)])
            for key, count, inner in GROUP.findall(body)}


def package_rows(eid: str, name: str) -> pl.DataFrame:
    return pl.read_csv(ROOT / "datasets" / eid / f"{name}.csv", infer_schema_length=0)


def first_example(db, eid: str, check_id: str) -> dict:
    """The finding a group shows first (the page's own query)."""
    return next(r for r in db.named("finding_examples", election_id=eid, n=1) if r["check_id"] == check_id)


def unit_label(loc: Locale, data, unit_id: str) -> str:
    from ashyq.render.naming import unit_name
    return str(unit_name(loc, data.units[unit_id]))


def test_every_check_and_turnout_flag_has_a_sentence_in_every_language():
    keys = []
    for check in CHECKS:
        keys += [f"finding_{check.id}_count", f"finding_{check.id}_percent"] if check.kind == "turnout" \
            else [f"finding_{check.id}"]
    keys += [f"finding_{flag}" for flag in TURNOUT_FLAGS] + ["finding_tabulation", "finding_two_sources"]
    for key in keys:
        assert set(texts()[key]) == set(LANGUAGES), key


# What each protocol check compares, read straight from the package's protocols.csv.
def _n(p: dict, *lines: str) -> int:
    return sum(int(p[line] or 0) for line in lines)


FROM_PACKAGE = {
    "ballots_in_boxes_le_issued": lambda p: (_n(p, "ballots_in_mobile_boxes", "ballots_in_stationary_boxes"),
                                             _n(p, "ballots_issued_early", "ballots_issued_in_station",
                                                "ballots_issued_outside")),
    "mobile_boxes_le_issued_outside": lambda p: (_n(p, "ballots_in_mobile_boxes"), _n(p, "ballots_issued_outside")),
    "turnout_exactly_100": lambda p: (_n(p, "voters_on_list"), _n(p, "voters_on_list")),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_protocol_findings_name_the_station_and_its_figures(db, pages, lang):
    loc = Locale(lang)
    data, body = pages[SPB, lang]
    found = groups(body)
    assert set(FROM_PACKAGE) <= set(found)  # the failures St Petersburg's protocols have
    protocols = package_rows(SPB, "protocols")
    for check_id, figures in FROM_PACKAGE.items():
        r = first_example(db, SPB, check_id)
        p = protocols.filter((pl.col("unit_id") == r["unit_id"]) & (pl.col("contest_id") == r["contest_id"])
                             & (pl.col("source_id") == r["source_id"])).row(0, named=True)
        actual, expected = figures(p)
        sentence = found[check_id][1][0]
        assert sentence.startswith(unit_label(loc, data, r["unit_id"])), sentence
        assert loc.number(expected) in sentence and (check_id == "turnout_exactly_100" or loc.number(actual) in sentence)
        assert "detail" not in sentence and r["detail"] not in sentence  # not the CSV's English


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_turnout_fall_says_the_voters_and_the_times_of_both_reports(db, pages, lang):
    loc = Locale(lang)
    data, body = pages[SPB, lang]
    r = first_example(db, SPB, "turnout_never_decreases")
    reports = package_rows(SPB, "turnout").filter((pl.col("unit_id") == r["unit_id"])
                                                  & (pl.col("contest_id") == r["contest_id"]))
    at = {row["reported_at"]: int(row["voters_received_ballot"]) for row in reports.iter_rows(named=True)}
    before, after = r["previous_at"].isoformat(), r["reported_at"].isoformat()
    assert at[before] > at[after]  # the package's own reports go down
    count, sentences = groups(body)["turnout_never_decreases"]
    sentence = sentences[0]
    assert sentence.startswith(unit_label(loc, data, r["unit_id"]))
    for voters, time in ((at[before], r["previous_at"]), (at[after], r["reported_at"])):
        assert loc.number(voters) in sentence and loc.report_time(time, with_date=True) in sentence, sentence


@pytest.mark.parametrize("lang", LANGUAGES)
def test_source_differences_and_turnout_jumps_are_sentences_with_the_figures(db, pages, lang):
    loc = Locale(lang)
    data, body = pages[KZ11, lang]
    protocols = package_rows(KZ11, "protocols")
    count, sentences = groups(body)["source_differences"]
    worst = db.rows("SELECT * FROM source_differences WHERE election_id = $e "
                    "ORDER BY abs(difference) DESC, contest_id, unit_id, field LIMIT 1", {"e": KZ11})[0]
    field = worst["field"]
    if field.startswith("votes:"):
        votes = package_rows(KZ11, "votes").filter((pl.col("unit_id") == worst["unit_id"])
                                                   & (pl.col("choice_id") == field.split(":", 1)[1]))
        values = {row["source_id"]: int(row["votes"]) for row in votes.iter_rows(named=True)}
    else:
        rows = protocols.filter(pl.col("unit_id") == worst["unit_id"])
        values = {row["source_id"]: int(row[field]) for row in rows.iter_rows(named=True)}
    sentence = sentences[0]
    assert sentence.startswith(unit_label(loc, data, worst["unit_id"]))
    assert loc.number(values[worst["source_a"]]) in sentence and loc.number(values[worst["source_b"]]) in sentence
    # turnout jumps (St Petersburg): the increment, its time, the modified z of the checks stage
    data, body = pages[SPB, lang]
    flag = db.rows("SELECT * FROM turnout_flags WHERE election_id = $e AND flag = 'outlier_increment' "
                   "ORDER BY abs(robust_z) DESC, value DESC, contest_id, unit_id, source_id, reported_at LIMIT 1",
                   {"e": SPB})[0]
    sentence = groups(body)["outlier_increment"][1][0]
    assert sentence.startswith(unit_label(loc, data, flag["unit_id"]))
    assert loc.decimal(abs(flag["value"]), 2) in sentence and loc.decimal(flag["robust_z"], 1) in sentence
    assert loc.report_time(flag["reported_at"], with_date=True) in sentence


@pytest.mark.parametrize("eid", [SPB, KZ11])
def test_each_groups_count_is_its_rows_in_the_csv(db, pages, eid, tmp_path):
    from ashyq.render import integrity

    integrity.write_integrity_csvs(db, eid, tmp_path)

    def csv(name):
        return pl.read_csv((tmp_path / urls.integrity_csv(eid, name)).read_bytes()[3:], infer_schema_length=0)

    expected = dict(csv("findings").filter(pl.col("status") == "failed").group_by("check_id").len().iter_rows())
    expected.update(dict(csv("turnout_flags").group_by("flag").len().iter_rows()))
    for name in ("tabulation_differences", "source_differences"):
        if csv(name).height:
            expected[name] = csv(name).height
    for lang in LANGUAGES:
        found = groups(pages[eid, lang][1])
        assert {key: count for key, (count, _) in found.items()} == expected, lang
        for key, (count, sentences) in found.items():
            assert len(sentences) == min(count, integrity.ROWS_SHOWN)


def _headline(body: str) -> dict[str, int]:
    block = re.search(r'<section class="ashyq-headline".*?</section>', body, re.S).group(0)
    return {key: int(re.sub(r"\D", "", value)) for key, value in
            re.findall(r'<li data-count="(\w+)"><strong>([^<]*)</strong>', block)}


def _checks_table(body: str) -> list[list[int]]:
    rows = re.findall(r'<tr data-check="\w+">(.*?)</tr>', body, re.S)
    return [[int(re.sub(r"\D", "", c)) for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', r)] for r in rows]


@pytest.mark.parametrize("eid", [SPB, KZ11])
def test_the_headline_counts_are_the_checks_tables(db, pages, eid):
    totals = db.rows("SELECT sum(checked)::BIGINT AS made, sum(cannot_check)::BIGINT AS cannot, "
                     "sum(failed)::BIGINT AS failed FROM check_counts WHERE election_id = $e", {"e": eid})[0]
    differences = db.rows("SELECT count(*) AS n FROM source_differences WHERE election_id = $e", {"e": eid})[0]["n"]
    for lang in LANGUAGES:
        body = pages[eid, lang][1]
        head, rows = _headline(body), _checks_table(body)
        assert len(rows) == len(CHECKS)
        assert head["made"] == sum(r[0] for r in rows) == totals["made"]
        assert head["cannot"] == sum(r[2] for r in rows) == totals["cannot"]
        assert head["failed"] + head["flagged"] == sum(r[1] for r in rows) == totals["failed"]
        assert head["source_differences"] == differences
        # the headline comes first: before any table of the page
        assert body.index("ashyq-headline") < body.index("<table")


def test_the_headline_never_says_it_adds_up_when_most_checks_could_not_be_made(pages):
    for lang in LANGUAGES:
        loc = Locale(lang)
        head = _headline(pages[KZ11, lang][1])
        assert head["cannot"] > head["made"] > 0 and head["source_differences"] > 0
        verdict = re.search(r'<section class="ashyq-headline".*?<p>(.*?)</p>', pages[KZ11, lang][1], re.S).group(1)
        assert html.unescape(verdict).startswith(loc.t("verdict_mostly_unchecked", cannot=loc.number(head["cannot"]),
                                                       total=loc.number(head["made"] + head["cannot"]),
                                                       made=loc.number(head["made"])))
        assert loc.t("verdict_all_passed") not in verdict
    assert "adds up" not in pages[KZ11, "en"][1]


# ---- the built site: text fixes --------------------------------------------------------------------

class _Elements(HTMLParser):
    """The text of every heading, header cell, summary, link, list item and term of a page."""
    TAGS = {"h1", "h2", "h3", "h4", "th", "summary", "a", "li", "dt", "caption", "label", "button"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append([tag, []])

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                self.texts.append(" ".join("".join(self.open.pop(i)[1]).split()))
                break

    def handle_data(self, data):
        for element in self.open:
            element[1].append(data)


def _ui_values(lang: str) -> list[str]:
    out = []
    for value in texts().values():
        text = value.get(lang)
        for form in (text.values() if isinstance(text, dict) else [text]):
            if isinstance(form, str) and "{" not in form:
                out.append(" ".join(form.split()))
    return out


def _cut(shown: set[str], values: list[str]) -> list[tuple[str, str]]:
    """Texts that are a ui_text value cut where it goes on with a comma (and not a value themselves)."""
    whole = set(values)
    return [(t, v) for t in shown - whole for v in values
            if t and v.startswith(t) and v[len(t):len(t) + 1] in (",", ";")]


def test_no_rendered_label_is_a_ui_text_value_cut_at_a_comma(built_site):
    """"Other sources (summaries" was "Other sources (summaries, observer copies)" split at its comma."""
    from test_languages import pages_of_every_kind

    for lang in LANGUAGES:
        values = _ui_values(lang)
        for kind, path in pages_of_every_kind(built_site, lang).items():
            parser = _Elements()
            parser.feed(path.read_text(encoding="utf-8"))
            assert not _cut(set(parser.texts), values), (lang, kind, _cut(set(parser.texts), values))
        home = _Elements()
        home.feed((built_site / urls.home(lang) / "index.html").read_text(encoding="utf-8"))
        assert Locale(lang).t("other_sources") in home.texts  # the coverage table's header, whole
    # the check finds the header the issue saw
    assert _cut({"Other sources (summaries"}, ["Other sources (summaries, observer copies)"])


def test_the_licence_line_says_it_in_words(built_site):
    for lang in LANGUAGES:
        for page in (urls.page(lang, "about"), urls.downloads(lang)):
            text = (built_site / page / "index.html").read_text(encoding="utf-8")
            assert "(notspecified)" not in text and "notspecified" not in text, page
            assert "&lt;source&gt;" not in text, page
            assert "No licence stated" in text  # the 2011 package's own words, as data


def test_no_breadcrumb_links_to_the_page_it_is_on(built_site):
    import posixpath

    checked = 0
    for path in sorted(built_site.glob("*/elections/**/index.html")):
        here = path.parent.relative_to(built_site).as_posix() + "/"
        if "/stations/" in here and not here.endswith("/zhambyl.talas/400-499/"):
            continue
        trail = re.search(r'<nav class="ashyq-breadcrumbs".*?</nav>', path.read_text(encoding="utf-8"), re.S)
        if not trail:
            continue
        checked += 1
        for href in re.findall(r'<a href="([^"]*)"', trail.group(0)):
            assert posixpath.normpath(posixpath.join(here, href)) + "/" != here, (here, href)
    assert checked > 100


def test_download_sizes_are_in_kb_or_mb_in_the_readers_language(built_site):
    for lang in LANGUAGES:
        loc = Locale(lang)
        page = built_site / urls.downloads(lang) / "index.html"
        links = re.findall(r'<a href="([^"]+)" title="[^"]*">[^<]*</a>&nbsp;<small>([^<]*)</small>',
                           page.read_text(encoding="utf-8"))
        assert len(links) > 50
        for href, size in links:
            href = html.unescape(href)
            if href.startswith(release.releases_page() + "/download/"):  # a GitHub Release asset (release/)
                target = release.release_dir(built_site) / href.rsplit("/", 1)[1]
            else:
                target = (page.parent / href).resolve()
            assert html.unescape(size) == loc.size(target.stat().st_size), (lang, href)
            assert not re.fullmatch(r"[\d\s,.\u00a0]+", html.unescape(size))  # never a bare count of bytes


def test_dates_come_in_the_languages_one_style(built_site):
    """Dates on pages go through Locale ("19 March 2023", "19 марта 2023 г."): no ISO or dotted date in
    a page's own text (data, code and other languages set aside)."""
    from test_languages import _Visible, pages_of_every_kind

    other_style = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\.\d{2}\.\d{2,4}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
    for lang in LANGUAGES:
        for kind, path in pages_of_every_kind(built_site, lang).items():
            parser = _Visible(lang)
            parser.feed(path.read_text(encoding="utf-8"))
            found = other_style.findall(" ".join(parser.text))
            assert not found, (lang, kind, found)
    election = (built_site / urls.home("en") / "index.html").read_text(encoding="utf-8")
    assert "Date: 3 April 2011" in election


def test_the_election_page_says_what_was_checked_in_its_first_lines(built_site):
    for lang in LANGUAGES:
        loc = Locale(lang)
        for eid in (SPB, KZ11):
            integrity = (built_site / urls.integrity(lang, eid) / "index.html").read_text(encoding="utf-8")
            head = _headline(integrity)
            election = (built_site / urls.election(lang, eid) / "index.html").read_text(encoding="utf-8")
            article = election[election.index("<article"):]
            said = loc.t("integrity_link", made=loc.number(head["made"]), failed=loc.number(head["failed"]),
                         cannot=loc.number(head["cannot"]), differ=loc.number(head["source_differences"]))
            assert html.escape(said, quote=False) in article, (lang, eid)
            assert article.index(html.escape(said, quote=False)) < article.index("<table")
