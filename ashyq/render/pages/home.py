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
from ..text import LANGUAGE, level_label, line_label, not_published, source_kind_label, t

LEVEL_ORDER = ["country", "region", "area", "district", "station"]


def home_page(elections: list[ElectionData]) -> Page:
    url = urls.home()
    parts = [f"# {md(t('elections'))}\n\n", html_block(f"<p>{h(t('home_intro'))}</p>"),
             html_block(finder_box(LANGUAGE, url))]
    for data in elections:
        title = election_title(data)
        parts.append(f"## {md(title)}\n\n")
        date = data.election.get("date")
        parts.append(html_block(
            f"<p>{link(url, urls.election(data.election_id), h(title))} · {h(t('date'))}: {h(date or not_published())}"
            f" · {link(url, urls.downloads(data.election_id), h(t('downloads')))}</p>"))
        parts.append(html_block(coverage_table(data)))
    return Page(url=url, title=t("elections"), body="".join(parts), hide=["toc"])


def coverage_table(data: ElectionData) -> str:
    """Per level: units in the package and how many have official protocols with figures, official
    protocols listed without any ("listed, not published"), other sources, votes, turnout."""
    headers = [h(t("level")), h(t("units")), h(t("official_protocols")), h(t("listed_not_published")),
               h(t("other_sources")), h(t("votes_by_choice")), h(t("turnout_reports"))]
    rows = []
    for c in sorted(data.coverage, key=lambda c: LEVEL_ORDER.index(c["level"])):
        total = c["units"]
        cells = [text_cell(h(level_label(c["level"]))), text_cell(f"{total:,}", attrs=' class="num"')]
        for key in ("units_with_official_protocol", "units_listed_not_published", "units_with_other_sources",
                    "units_with_votes", "units_with_turnout_reports"):
            if key == "units_listed_not_published":  # official protocols listed without any figure
                cells.append(text_cell(f"{c[key]:,}" if c[key] else "–", attrs=' class="num"'))
                continue
            n = c[key]
            if n:
                cells.append(text_cell(h(t("of_units", n=f"{n:,}", total=f"{total:,}")), attrs=' class="num"'))
            else:
                cells.append(text_cell(h(not_published()), attrs=' class="np"'))
        rows.append(row(cells))
    return table(headers, rows, sortable=False, css="ashyq-coverage")


def lines_table(data: ElectionData, lines_published: list[dict]) -> str:
    """Which protocol lines are published at each level and by which kind of source."""
    columns = sorted(lines_published, key=lambda r: (LEVEL_ORDER.index(r["level"]), r["source_kind"] != "official",
                                                     r["source_kind"]))
    if not columns:
        return note(h(not_published()))
    headers = [h(t("line"))] + [
        f"{h(level_label(c['level']))}<br><small>{h(source_kind_label(c['source_kind']))}</small>" for c in columns]
    rows = []
    for name in contract.line_names():
        cells = [text_cell(h(line_label(name)))]
        for c in columns:
            n, total = c[name], c["protocols"]
            if n:
                cells.append(text_cell(h(t("of_units", n=f"{n:,}", total=f"{total:,}")), attrs=' class="num"'))
            else:
                cells.append(text_cell(h(not_published()), attrs=' class="np"'))
        rows.append(row(cells))
    return table(headers, rows, sortable=False, css="ashyq-coverage", searchable=False)
