"""WCAG 2.1 AA in a real browser: axe-core (vendored for the tests only, tests/vendor/) on one page of
every kind, in Kazakh, Russian and English, on a desktop (1366 px) and on a phone (390 px): no serious
or critical violation. Then a reader with a keyboard only: from the home page to a station page
through the finder box, and into a wide table's scroll box, which takes focus and scrolls with the
arrow keys."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from test_browser import SHOW_MAPS, browser, pytestmark, server  # noqa: F401  (fixtures and the Chromium skip)

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
KZ11, KZ22, SPB = "kz-2011-presidential", "kz-2022-presidential", "spb-2021"
# One page of every kind (the path after the language prefix), each with what must be drawn first.
PAGES = {
    "home": "",
    "election with a region map": f"elections/{KZ22}/",
    "election with a venue map": f"elections/{SPB}/",
    "region": f"elections/{KZ11}/units/zhambyl/",
    "district": f"elections/{KZ11}/units/zhambyl.talas/",
    "station": f"elections/{KZ11}/stations/zhambyl.talas/400-499/#zhambyl.talas.410",  # its protocol sheet
    "sheet of 4 ballots": f"elections/{SPB}/stations/spb.admiralteysky.tik1/0-99/#spb.admiralteysky.tik1.1",
    "integrity": f"elections/{SPB}/integrity/",
    "downloads": "downloads/",
    "corrections": f"elections/{KZ11}/changes/",
    "methodology": "methodology/",
    "constituency": f"elections/{SPB}/contests/city-smd-1/",
}
LANGUAGES = ("kk", "ru", "en")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
# Wait until every chart and map is drawn: axe then sees the page as a reader does.
DRAWN = ("() => [...document.querySelectorAll('.ashyq-chart, .ashyq-map')]"
         ".every(el => el.querySelector('.main-svg'))")
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, count: v.nodes.length,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])
    }));
}"""


@pytest.fixture(scope="module")
def tabs(browser, server):  # noqa: F811
    """One browser tab per width, reused for every page (the axe script is added to each page)."""
    opened = {}
    for name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.requests, tab.errors = [], []
        tab.on("request", lambda r, tab=tab: tab.requests.append(r.url))
        tab.on("pageerror", lambda e, tab=tab: tab.errors.append(str(e)))
        opened[name] = tab
    yield opened
    for tab in opened.values():
        outside = [u for u in tab.requests if not u.startswith(server)]
        assert not outside, f"requests outside the site: {outside}"
        assert not tab.errors, f"page errors: {tab.errors}"
        tab.context.close()


@functools.cache
def _axe() -> str:
    return AXE.read_text(encoding="utf-8")


def _serious_violations(tab, url: str) -> list[dict]:
    response = tab.goto(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    tab.evaluate(SHOW_MAPS)
    tab.wait_for_function(DRAWN)
    tab.add_script_tag(content=_axe())
    return tab.evaluate(AXE_RUN)


def _message(violations: list[dict], where: str) -> str:
    return f"{where}: " + "; ".join(f"{v['id']} ({v['impact']}, {v['count']} elements) at {v['targets']}"
                                    for v in violations)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violation(tabs, server, kind, lang, width):
    where = f"{kind} page [{lang}, {width}] {lang}/{PAGES[kind]}"
    violations = _serious_violations(tabs[width], f"{server}{lang}/{PAGES[kind]}")
    assert violations == [], _message(violations, where)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_on_the_root_404(tabs, server, width):
    """The root's "page not found" speaks all three languages at once (each in its own lang)."""
    violations = _serious_violations(tabs[width], f"{server}404.html")
    assert violations == [], _message(violations, f"root 404 [{width}]")


def _tab_until(tab, condition: str, limit: int = 80, key: str = "Tab") -> int:
    """Press Tab (or ``key``, e.g. Shift+Tab) until ``condition`` (a JS expression over ``el``, the
    focused element) holds; the number of presses it took. Fails naming the element focus stopped on."""
    for presses in range(1, limit + 1):
        tab.keyboard.press(key)
        if tab.evaluate(f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"):
            return presses
    focused = tab.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{limit} presses of Tab did not reach {condition!r} on {tab.url}; focus is on {focused}")


def test_keyboard_only_from_the_home_page_to_a_station_and_through_its_tables(browser, server):  # noqa: F811
    """A phone-sized window, keyboard only: Tab to the finder box, type a station's number, Tab to a
    match, Enter opens the station page; there, each table's scroll box takes focus in turn. Back up
    to the station's district by its breadcrumb (Shift+Tab, Enter): a table there wider than the
    screen scrolls sideways with the right arrow key."""
    width, height = WIDTHS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.goto(f"{server}en/")
    _tab_until(tab, "el.id === 'ashyq-find-input'")
    tab.keyboard.type("410")
    tab.locator(".ashyq-find-results a").first.wait_for()
    _tab_until(tab, "el.closest('.ashyq-find-results') && el.tagName === 'A'", limit=3)
    target = tab.evaluate("document.activeElement.href")
    assert "/stations/" in target, target
    tab.keyboard.press("Enter")
    tab.wait_for_url(target)
    assert "400" in tab.locator("h1").inner_text() and tab.url.endswith("#zhambyl.talas.410")
    _tab_through_table_boxes(tab)

    # the last link of the breadcrumbs is the station's district
    _tab_until(tab, "el.closest('.ashyq-breadcrumbs') && el.tagName === 'A' && !el.closest('li').nextElementSibling"
                    ".querySelector('a')", key="Shift+Tab")
    district = tab.evaluate("document.activeElement.href")
    tab.keyboard.press("Enter")
    tab.wait_for_url(district)
    assert _tab_through_table_boxes(tab) >= 1, f"no table on {tab.url} is wider than a {width} px screen: nothing to scroll"
    context.close()


def _tab_through_table_boxes(tab) -> int:
    """Tab to each shown table's scroll box in page order (each a named region; those in a closed
    <details> are not shown); scroll every one wider than the screen with the right arrow key.
    Returns how many scrolled."""
    shown = "[...document.querySelectorAll('.ashyq-table-wrap')].filter(el => el.checkVisibility())"
    count = tab.evaluate(f"{shown}.length")
    assert count >= 1
    wide = 0
    for i in range(count):
        _tab_until(tab, "el.classList.contains('ashyq-table-wrap')", limit=200)
        box = tab.evaluate_handle("document.activeElement")
        assert tab.evaluate(f"el => {shown}.indexOf(el)", box) == i
        assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
        if not tab.evaluate("el => el.scrollWidth > el.clientWidth", box):
            continue
        wide += 1
        before = tab.evaluate("el => el.scrollLeft", box)
        for _ in range(3):
            tab.keyboard.press("ArrowRight")
        tab.wait_for_function("([el, x]) => el.scrollLeft > x", arg=[box, before])
    return wide


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_open_search_and_the_finder_with_matches_pass_too(tabs, server, lang, width):
    """The magnifier's dialog, open with matches in it, named in the page's language; and the home
    page's finder box showing its matches: no serious or critical violation either."""
    from ashyq.render.locale import Locale

    tab = tabs[width]
    tab.goto(f"{server}{lang}/")
    dialog = tab.locator(".md-search.ashyq-finder")
    assert dialog.get_attribute("role") == "dialog"
    assert dialog.get_attribute("aria-label") == Locale(lang).t("search_label")
    field = dialog.locator("input")
    magnifier = tab.locator('label.md-header__button[for="__search"]')
    if magnifier.is_visible():  # a phone: the header's magnifier opens the field
        magnifier.click()
    else:
        field.click()
    field.fill("Тал")
    dialog.locator(".ashyq-find-results a").first.wait_for()
    tab.add_script_tag(content=_axe())
    violations = tab.evaluate(AXE_RUN)
    assert violations == [], _message(violations, f"open search [{lang}, {width}]")

    tab.goto(f"{server}{lang}/")
    box = tab.locator("form.ashyq-find")
    box.locator("input").fill("410")
    box.locator(".ashyq-find-results a").first.wait_for()
    tab.add_script_tag(content=_axe())
    violations = tab.evaluate(AXE_RUN)
    assert violations == [], _message(violations, f"finder box with matches [{lang}, {width}]")
