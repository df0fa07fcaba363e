"""Shared HTML fragments: numbers and "not published" cells, tables, breadcrumbs, a chart with its
table and summary, finding badges. Every function takes prepared values and returns escaped HTML."""
from __future__ import annotations

import html
import re

from . import slots, urls
from .escape import h, script_json

_TAG = re.compile(r"<[^>]*>")
# A table tablesort sorts (``table(sortable=True)`` writes the class): a page holding one loads tablesort.
SORTABLE = re.compile(r'<table class="[^"]*\bsortable\b')


def plain(html_text: str) -> str:
    """The words of an HTML fragment as plain text (tags dropped, entities read), for an aria-label."""
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


def num_cell(loc, value, extra: str = "", tag: str = "td", css: str = "num") -> str:
    """A sortable number cell; a missing value is labelled and sorts below every number. ``css=""``
    in a table whose stylesheet aligns its number columns itself (the station table: one cell of
    ten thousand rows)."""
    if value is None:
        return f'<{tag} class="np">{h(loc.not_published)}{extra}</{tag}>'
    classes = f' class="{css}"' if css else ""
    if extra or (isinstance(value, float) and not value.is_integer()):
        # tablesort reads the digits of "1 592" and "1,592" right, but not a decimal comma or marks
        return f'<{tag}{classes} data-sort="{value}">{loc.number(value)}{extra}</{tag}>'
    return f"<{tag}{classes}>{loc.number(value)}</{tag}>"


def pct_cell(loc, value, approximate: bool = False, tag: str = "td", css: str = "num") -> str:
    if value is None:
        return f'<{tag} class="np">{h(loc.not_published)}</{tag}>'
    classes = f' class="{css}"' if css else ""
    if approximate or loc.lang != "en":  # "≈" and a decimal comma would make tablesort misread it
        return f'<{tag}{classes} data-sort="{value:.4f}">{loc.percent(value, approximate)}</{tag}>'
    return f"<{tag}{classes}>{loc.percent(value)}</{tag}>"


def text_cell(text: str, tag: str = "td", attrs: str = "") -> str:
    """A cell of already-escaped HTML."""
    return f"<{tag}{attrs}>{text}</{tag}>"


def table(headers: list[str], rows: list[str], sortable: bool = True, css: str = "",
          caption: str = "", searchable: bool = True, numeric_from: int | None = None,
          text_after: int | None = None, label: str = "") -> str:
    """``headers`` and ``rows`` are escaped HTML (rows are whole ``<tr>`` elements). Columns from
    ``numeric_from`` on (up to ``text_after``) sort as numbers: "not published" would otherwise make
    tablesort fall back to sorting them as text. The table sits in a box that scrolls sideways when
    it is wider than the screen: the box takes keyboard focus (arrow keys scroll it) and is named
    for screen readers by ``label`` (plain text in the reader's language), else by the caption, else
    by the column headers."""
    classes = " ".join(c for c in ("ashyq-table", "sortable" if sortable else "", css) if c)
    search = "" if searchable else " data-search-exclude"
    end = len(headers) if text_after is None else text_after
    head = "".join(
        f'<th data-sort-method="number">{x}</th>' if sortable and numeric_from is not None and numeric_from <= i < end
        else f"<th>{x}</th>" for i, x in enumerate(headers))
    cap = f"<caption>{caption}</caption>" if caption else ""
    name = label or plain(caption) or ", ".join(plain(x) for x in headers)
    return (f'<div class="ashyq-table-wrap" tabindex="0" role="region" aria-label="{h(name)}"{search}>'
            f'<table class="{classes}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def row(cells: list[str], attrs: str = "") -> str:
    return f"<tr{attrs}>{''.join(cells)}</tr>"


def link(from_url: str, to_url: str, text_html: str) -> str:
    return f'<a href="{h(urls.relative(from_url, to_url))}">{text_html}</a>'


def breadcrumbs(loc, from_url: str, trail: list[tuple[str, str]]) -> str:
    """``trail``: (url, name) from the home page down to the current page (last is not a link)."""
    items = []
    for i, (url, label) in enumerate(trail):
        if i == len(trail) - 1:
            items.append(f'<li aria-current="page">{loc.name_html(label)}</li>')
        else:
            items.append(f"<li>{link(from_url, url, loc.name_html(label))}</li>")
    return (f'<nav class="ashyq-breadcrumbs" aria-label="{h(loc.t("breadcrumbs"))}"><ol>{"".join(items)}</ol>'
            "</nav>")


def chart(figure: dict, summary: str, table_html: str) -> str:
    """A Plotly figure (drawn by assets/ashyq.js), its one-line summary, and the numbers in a table."""
    return (f'<figure class="ashyq-chart-block"><div class="ashyq-chart" role="img" aria-label="{h(summary)}"></div>'
            f'<script type="application/json" class="ashyq-figure">{script_json(figure)}</script>'
            f"<figcaption>{h(summary)}</figcaption></figure>{table_html}")


def finding_badges(loc, findings: list[dict]) -> str:
    """Small badges for failed control ratios (status 'failed'), with the reason as a sentence."""
    from .findings import finding_text
    out = []
    for f in findings:
        if f.get("status") != "failed":
            continue
        out.append(f'<span class="ashyq-badge" title="{h(f.get("check_id"))}">⚠ {h(finding_text(loc, f))}</span>')
    return " ".join(out)


def html_block(html_text: str) -> str:
    """Raw HTML for a Markdown page: one block, no blank lines inside, so Markdown leaves it alone;
    marked so a large block can bypass MkDocs (see slots.py)."""
    return slots.mark("\n".join(line for line in html_text.splitlines() if line.strip())) + "\n\n"


def note(text_html: str) -> str:
    return f'<p class="ashyq-note">{text_html}</p>'


def collapsed(summary_html: str, body_html: str, css: str = "") -> str:
    """A block shown as its one-line summary until opened: what a long page keeps one click away."""
    classes = " ".join(c for c in ("ashyq-more", css) if c)
    return f'<details class="{classes}"><summary>{summary_html}</summary>{body_html}</details>'


def not_published_note(loc, labels: list[str]) -> str:
    """One note for the lines (or columns) a table leaves out because nothing in it publishes them;
    a long list is one line (their number) until opened."""
    if not labels:
        return ""
    text = note(h(loc.t("not_published_anywhere", lines="; ".join(labels))))
    if len(labels) <= NOT_PUBLISHED_LISTED:
        return text
    return collapsed(h(loc.t("not_published_anywhere_n", n=loc.number(len(labels)))), text)


# Up to this many lines not published anywhere in a table are named in its note; more are counted first.
NOT_PUBLISHED_LISTED = 5

