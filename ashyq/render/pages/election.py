"""The election page: its root unit's page (national result, regions, turnout) with the finder box
(unit.py), what is published at which level, and a link to the downloads."""
from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from ..data import ElectionData, region_views
from ..escape import data_text, h, md, safe_url
from ..fragments import collapsed, html_block, link
from ..page import Page
from ..reuse import Region
from ..locale import Locale
from .home import coverage_table, lines_table
from .contest import contest_pages
from .unit import is_constituency, unit_pages


def election_pages(loc: Locale, data: ElectionData, lines_published: list[dict],
                   links: list[tuple[str, str]] | None = None, regions: list | None = None) -> Iterator[Page]:
    """The election page (the root unit) and the pages of every unit above the stations, one by one
    (the caller writes each as it comes: at national scale they are ~100 MB of text per language,
    not held at once). ``links``:
    (url, title) of further pages of this election (e.g. its Integrity page), listed at the top.
    ``regions`` (render/reuse.py): each region's pages are built from its own view of the election,
    except those reused from the previous build; by default every region is built."""
    if regions is None:
        regions = [Region(data.election_id, region_id, view, key="") for region_id, view in region_views(data).items()]
    url = urls.election(loc.lang, data.election_id)
    targets = [(urls.downloads(loc.lang, data.election_id), loc.t("downloads_link"))] + list(links or [])
    top = [html_block("<p>" + " · ".join(link(url, target, h(title)) for target, title in targets) + "</p>")]
    if data.announced:
        top.insert(0, html_block(announced_lines(loc, data)))
    for root in data.roots:
        bottom = (f"## {md(loc.t('coverage'))}\n\n"  # two tables, one click away: the page stays short on a phone
                  + html_block(collapsed(h(loc.t("coverage_tables")),
                                         coverage_table(loc, data) + lines_table(loc, data, lines_published))))
        root_pages = unit_pages(loc, data, root, extra_top="".join(top))
        root_pages[0].body += bottom
        yield from root_pages
    for region in regions:
        if region.reused:
            continue
        view = region.view
        for unit_id, unit in view.units.items():
            if unit["parent_id"] is not None and unit["level"] != "station":
                built = unit_pages(loc, view, unit_id)
                region.files += [page.url + "index.html" for page in built]
                yield from built
    for region in regions:  # where each station's row is: the single-member contests' pages link there
        data.row_pages.update(region.view.row_pages)
        data.row_contests.update(region.view.row_contests)
    for contest in data.contests:
        if is_constituency(contest):
            yield from contest_pages(loc, data, contest)


def announced_lines(loc: Locale, data: ElectionData) -> str:
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
        voters = loc.t("announced_voters", voters=loc.number(voters_row['voters'])) if voters_row else ""
        text = loc.t("announced_coverage", n=loc.number(stations['stations_published']), total=loc.number(stations['stations']),
                 voters=voters)
        cites = []
        for r in rows:
            url = safe_url(r.get("source_url"))
            label = data_text(r["note"] or r["source_title"])
            cites.append(f'<a href="{h(url)}" rel="nofollow noopener">{label}</a>' if url else label)
        out.append(f'<p class="ashyq-announced"><strong>{h(text)}</strong><br>'
                   f'<small>{h(loc.t("source"))}: {"; ".join(cites)}</small></p>')
    return "".join(out)
