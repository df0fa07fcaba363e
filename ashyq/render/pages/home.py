"""The home page: every election, and for each what is published at which level (gaps labelled)."""
from __future__ import annotations

from ... import contract
from .. import urls
from ..data import ElectionData
from ..escape import h, md
from ..finder import finder_box
from ..fragments import html_block, link, note, row, table, text_cell
from ..naming import election_title
from ..page import Page
from ..locale import Locale

LEVEL_ORDER = ["country", "region", "area", "district", "station"]


def home_page(loc: Locale, elections: list[ElectionData]) -> Page:
    url = urls.home(loc.lang)
    parts = [f"# {md(loc.t('elections'))}\n\n", html_block(f"<p>{h(loc.t('home_intro'))}</p>"),
             html_block(finder_box(loc.lang, url))]
    for data in elections:
        title = election_title(loc, data)
        parts.append(f"## {loc.name_html(title, md)}\n\n")
        date = data.election.get("date")
        parts.append(html_block(
            f"<p>{link(url, urls.election(loc.lang, data.election_id), loc.name_html(title))} · {h(loc.t('date'))}: {h(loc.date(date))}"
            f" · {link(url, urls.downloads(loc.lang, data.election_id), h(loc.t('downloads')))}</p>"))
        parts.append(html_block(coverage_table(loc, data)))
    return Page(url=url, title=loc.t("elections"), body="".join(parts), hide=["toc"])


def coverage_table(loc: Locale, data: ElectionData) -> str:
    """Per level: units in the package and how many have official protocols with figures, official
    protocols listed without any ("listed, not published"), other sources, votes, turnout."""
    headers = [h(loc.t(k)) for k in ("level", "units", "official_protocols", "listed_not_published", "other_sources",
                                     "votes_by_choice", "turnout_reports")]
    rows = []
    for c in sorted(data.coverage, key=lambda c: LEVEL_ORDER.index(c["level"])):
        total = c["units"]
        cells = [text_cell(h(loc.level(c["level"]))), text_cell(loc.number(total), attrs=' class="num"')]
        for key in ("units_with_official_protocol", "units_listed_not_published", "units_with_other_sources",
                    "units_with_votes", "units_with_turnout_reports"):
            if key == "units_listed_not_published":  # official protocols listed without any figure
                cells.append(text_cell(loc.number(c[key]) if c[key] else "–", attrs=' class="num"'))
                continue
            n = c[key]
            if n:
                cells.append(text_cell(h(loc.t("of_units", n=loc.number(n), total=loc.number(total))), attrs=' class="num"'))
            else:
                cells.append(text_cell(h(loc.not_published), attrs=' class="np"'))
        rows.append(row(cells))
    return table(headers, rows, sortable=False, css="ashyq-coverage",
                 label=f'{loc.t("coverage")}: {election_title(loc, data)}')  # one per election on the home page


def lines_table(loc: Locale, data: ElectionData, lines_published: list[dict]) -> str:
    """Which protocol lines are published at each level and by which kind of source."""
    columns = sorted(lines_published, key=lambda r: (LEVEL_ORDER.index(r["level"]), r["source_kind"] != "official",
                                                     r["source_kind"]))
    if not columns:
        return note(h(loc.not_published))
    headers = [h(loc.t("line"))] + [
        f"{h(loc.level(c['level']))}<br><small>{h(loc.source_kind(c['source_kind']))}</small>" for c in columns]
    rows = []
    for name in contract.line_names():
        cells = [text_cell(h(loc.line(name)))]
        for c in columns:
            n, total = c[name], c["protocols"]
            if n:
                cells.append(text_cell(h(loc.t("of_units", n=loc.number(n), total=loc.number(total))), attrs=' class="num"'))
            else:
                cells.append(text_cell(h(loc.not_published), attrs=' class="np"'))
        rows.append(row(cells))
    return table(headers, rows, sortable=False, css="ashyq-coverage", searchable=False)
