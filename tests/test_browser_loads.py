"""Each kind of page loads only what it uses (issue 13), opened in Chromium with an empty cache: every
file it fetches is declared by the page itself (its stylesheets, scripts, images, icon) and answers
200; Plotly only where a chart or map is drawn (and then every one is drawn), the map code only with a
map, tablesort only with a sortable table (and then it sorts them), the finder only with its box;
never the theme's search index or worker, a font, or a sitemap; nothing outside the site (the ``page``
fixture of test_browser.py)."""
from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

import pytest

from ashyq.render import urls
from render_helpers import station_url
from test_browser import SHOW_MAPS, browser, page, pytestmark, server  # noqa: F401  (fixtures and the Chromium skip)

KZ11, KZ19, KZ22, SPB = "kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential", "spb-2021"

# One page of every kind: (kind, URL in the site).
PAGES = [
    ("home", urls.home("kk")),
    ("election with charts and a map", urls.election("kk", KZ19)),
    ("election with venue maps", urls.election("kk", SPB)),
    ("region with charts", urls.unit("kk", KZ11, "zhambyl", "region")),
    ("district with charts", urls.unit("kk", KZ11, "zhambyl.talas", "district")),
    ("region without charts", urls.unit("kk", KZ19, "akmola", "region")),
    ("district with venue maps", urls.unit("kk", SPB, "spb.kalininsky", "district")),
    ("constituency with a venue map", urls.contest("kk", SPB, "city-smd-1")),
    ("integrity with charts", urls.integrity("kk", SPB)),
    ("integrity without charts", urls.integrity("kk", KZ19)),
    ("polling station", station_url("kk", KZ11, "zhambyl.talas.410")),
    ("changes", urls.changes("kk", KZ22)),
    ("downloads", urls.downloads("kk")),
    ("methodology", urls.page("kk", "methodology")),
    ("about", urls.page("kk", "about")),
    ("election in Russian", urls.election("ru", KZ22)),
    ("election in English", urls.election("en", KZ11)),
    ("not found", "404.html"),
    ("language chooser", "index.html"),
]

# What the page has (after its scripts ran) and what it declares it needs.
INVENTORY = """() => ({
    charts: document.querySelectorAll('.ashyq-chart').length,
    drawnCharts: document.querySelectorAll('.ashyq-chart.js-plotly-plot').length,
    maps: document.querySelectorAll('.ashyq-map').length,
    drawnMaps: document.querySelectorAll('.ashyq-map.js-plotly-plot').length,
    sortable: document.querySelectorAll('table.sortable').length,
    sorting: document.querySelectorAll('table.sortable[data-sortable="1"]').length,
    finder: document.querySelectorAll('form.ashyq-find').length,
    declared: [document.location.href]
        .concat([...document.querySelectorAll('script[src]')].map(s => s.src))
        .concat([...document.querySelectorAll('link[href][rel~="stylesheet"], link[href][rel~="icon"]')].map(l => l.href))
        .concat([...document.images].map(i => i.currentSrc || i.src)),
})"""



def _name(url: str) -> str:
    return posixpath.basename(urlsplit(url).path)


@pytest.mark.parametrize("kind,url", PAGES, ids=[kind for kind, _ in PAGES])
def test_a_page_loads_only_what_it_uses(page, server, built_site, kind, url):
    path = url.split("#")[0]  # a station's URL names its column on its sheet
    assert (built_site / path if path.endswith(".html") else built_site / path / "index.html").is_file()
    answers, documents = {}, set()  # the chooser sends the browser on to its language's home page
    page.on("response", lambda r: answers.setdefault(r.url.split("#")[0], r.status))
    page.on("request", lambda r: documents.add(r.url.split("#")[0]) if r.is_navigation_request() else None)
    page.goto(server + url, wait_until="load")  # the whole document parsed and its scripts run
    page.wait_for_load_state("networkidle")
    page.evaluate(SHOW_MAPS)  # the reader scrolls to every map (a venue map fetches its points then)
    page.wait_for_load_state("networkidle")
    has = page.evaluate(INVENTORY)
    loaded = set(answers)
    names = {_name(u) for u in loaded}

    assert all(status == 200 for status in answers.values()), {u: s for u, s in answers.items() if s != 200}
    undeclared = sorted(u for u in loaded if u not in set(has["declared"]) | documents)
    assert not undeclared, f"{kind}: fetched without the page asking for it: {undeclared}"

    assert ("plotly-ashyq.min.js" in names) == bool(has["charts"] or has["maps"]), (kind, has)
    assert has["drawnCharts"] == has["charts"] and has["drawnMaps"] == has["maps"]
    assert ("ashyq-map.js" in names) == bool(has["maps"])
    assert ("tablesort.min.js" in names) == bool(has["sortable"]) == ("tablesort.number.min.js" in names)
    assert has["sorting"] == has["sortable"]  # tablesort, when loaded, sorts every sortable table
    assert ("finder.js" in names) == bool(has["finder"])
    assert not any(n.endswith((".woff", ".woff2", ".ttf", ".otf")) for n in names)
    assert not any("search_index" in n or n == "sitemap.xml" or "/workers/" in u for u, n in
                   ((u, _name(u)) for u in loaded))
    assert "plotly-basic.min.js" not in names


def test_venue_points_are_fetched_when_their_map_nears_the_screen(page, server):
    """St Petersburg's election page has two venue maps far down; each fetches its points (one script
    per contest) only when the reader scrolls near it, then draws."""
    fetched = []
    page.on("response", lambda r: fetched.append(_name(r.url)) if _name(r.url).startswith("venues-") else None)
    page.goto(server + urls.election("en", SPB), wait_until="load")
    page.wait_for_load_state("networkidle")
    maps = page.locator(".ashyq-map")
    assert maps.count() == 2 and not fetched
    sets = [page.evaluate("el => JSON.parse(el.parentNode.querySelector('.ashyq-map-data').textContent).points", el)
            for el in maps.element_handles()]
    assert all(posixpath.basename(s).startswith("venues-") for s in sets) and sets[0] != sets[1]
    maps.nth(0).scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.ashyq-map .main-svg').length > 0")
    assert fetched == [posixpath.basename(sets[0])]
    maps.nth(1).scroll_into_view_if_needed()
    page.wait_for_function("el => el.querySelector('.main-svg')", arg=maps.nth(1).element_handle())
    assert fetched == [posixpath.basename(sets[0]), posixpath.basename(sets[1])]
