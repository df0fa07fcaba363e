"""The election page: its root unit's page (national result, regions, turnout) with a "find your
station" box, what is published at which level, and a link to the downloads."""
from __future__ import annotations

from .. import urls
from ..data import ElectionData
from ..escape import h, md, safe_url, script_json
from ..fragments import html_block, link
from ..naming import unit_name
from ..page import Page
from ..text import t
from .home import coverage_table, lines_table
from .contest import contest_pages
from .unit import is_constituency, unit_pages


def election_pages(data: ElectionData, lines_published: list[dict],
                   links: list[tuple[str, str]] | None = None) -> list[Page]:
    """The election page (the root unit) and the pages of every unit above the stations. ``links``:
    (url, title) of further pages of this election (e.g. its Integrity page), listed at the top."""
    url = urls.election(data.election_id)
    targets = [(urls.downloads(data.election_id), t("downloads_link"))] + list(links or [])
    top = [html_block("<p>" + " · ".join(link(url, target, h(title)) for target, title in targets) + "</p>")]
    if data.announced:
        top.insert(0, html_block(announced_lines(data)))
    if data.stations():
        top.append(html_block(find_station_box(data, url)))
    pages = []
    for root in data.roots:
        bottom = (f"## {md(t('coverage'))}\n\n" + html_block(coverage_table(data))
                  + html_block(lines_table(data, lines_published)))
        root_pages = unit_pages(data, root, extra_top="".join(top))
        root_pages[0].body += bottom
        pages.extend(root_pages)
    for unit_id, unit in data.units.items():
        if unit["parent_id"] is not None and unit["level"] != "station":
            pages.extend(unit_pages(data, unit_id))
    for contest in data.contests:
        if is_constituency(contest):
            pages.extend(contest_pages(data, contest))
    return pages


def announced_lines(data: ElectionData) -> str:
    """"Results of N of M polling stations published here", per contest, from what the commission
    announced (each figure with the page it was read from; pages that differ are all cited)."""
    out = []
    by_contest: dict[str, list[dict]] = {}
    for row in data.announced:
        by_contest.setdefault(row["contest_id"], []).append(row)
    for rows in by_contest.values():
        stations = next((r for r in rows if r["stations"] is not None), None)
        if stations is None:
            continue
        voters_row = next((r for r in rows if r["voters"] is not None), None)
        voters = t("announced_voters", voters=f"{voters_row['voters']:,}") if voters_row else ""
        text = t("announced_coverage", n=f"{stations['stations_published']:,}", total=f"{stations['stations']:,}",
                 voters=voters)
        cites = []
        for r in rows:
            url = safe_url(r.get("source_url"))
            label = h(r["note"] or r["source_title"])
            cites.append(f'<a href="{h(url)}" rel="nofollow noopener">{label}</a>' if url else label)
        out.append(f'<p class="ashyq-announced"><strong>{h(text)}</strong><br>'
                   f'<small>{h(t("announced_source"))}: {"; ".join(cites)}</small></p>')
    return "".join(out)


def find_station_box(data: ElectionData, url: str) -> str:
    """A client-side search: station number → its page, from a small JSON loaded on first use."""
    index_url = urls.relative(url, urls.station_index(data.election_id))  # folder of <key>.json
    base = urls.relative(url, urls.election(data.election_id) + "stations/")
    return (f'<form class="ashyq-find" data-index="{h(index_url)}" data-base="{h(base)}" role="search" '
            f'onsubmit="return false"><label>{h(t("find_station"))} '
            f'<input type="search" inputmode="numeric" autocomplete="off" placeholder="{h(t("find_station_hint"))}">'
            f'</label><ul class="ashyq-find-results"></ul></form>')


def index_key(code: str) -> str:
    """Which "find your station" file holds a number: its first letter or digit, "_" otherwise."""
    first = (code or "")[:1].lower()
    return first if first.isascii() and first.isalnum() else "_"


def station_indexes(data: ElectionData) -> dict[str, str]:
    """key → JSON [[number, name, unit_id, parent name], …] for the find-your-station box (sorted)."""
    shards: dict[str, list] = {}
    for station_id in data.stations():
        unit = data.units[station_id]
        parent = data.units.get(unit["parent_id"]) if unit["parent_id"] else None
        code = unit.get("code") or ""
        shards.setdefault(index_key(code), []).append(
            [code, unit_name(unit), station_id, unit_name(parent) if parent else ""])
    return {key: script_json(sorted(rows, key=lambda r: (r[0].zfill(12) if r[0].isdigit() else r[0], r[2])))
            for key, rows in sorted(shards.items())}
