"""The built site in a real browser (Debian's Chromium through Playwright): click from the home page
down to a polling station, check the charts are drawn, the tables hold the data's numbers, sorting
and the station finder work, nothing logs an error and no request leaves the local server."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from ashyq.render import urls
from ashyq.render.locale import Locale
from render_helpers import number

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SPB = "spb-2021"  # St Petersburg 2021, all four ballots and the polling venues (issue 11)
# A venue map fetches its points when it nears the screen (assets/ashyq-map.js): scroll to each map in
# turn, wait until it is drawn, then back to the top.
SHOW_MAPS = """async () => {
    for (const map of document.querySelectorAll('.ashyq-map')) {
        map.scrollIntoView();
        await new Promise(done => { const seen = () => map.querySelector('.main-svg') ? done() : setTimeout(seen, 50); seen(); });
    }
    window.scrollTo(0, 0);
}"""

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                                reason="Debian Chromium not installed (make chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.requests, tab.errors = [], []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    outside = [u for u in tab.requests if not u.startswith(server)]
    assert not outside, f"requests outside the site: {outside}"
    assert not tab.errors, f"console errors: {tab.errors}"
    context.close()


def _csv(datasets_dir: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(datasets_dir / SPB / f"{name}.csv", infer_schema_length=0)


def _cell(tab, table_selector: str, row_text: str, column: int) -> str:
    return tab.locator(f"{table_selector} tr", has_text=row_text).first.locator("td").nth(column).inner_text()


def test_click_from_home_to_a_station(page, server, datasets_dir):
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    duma = pl.col("contest_id") == "duma-list"  # the first ballot on every page: the State Duma's party list
    units = _csv(datasets_dir, "units")
    protocols, votes = _csv(datasets_dir, "protocols").filter(duma), _csv(datasets_dir, "votes").filter(duma)
    united = votes.filter(pl.col("choice_id") == "united_russia")

    page.goto(server + "en/")
    page.get_by_role("link", name="St Petersburg, State Duma", exact=False).first.click()
    page.wait_for_selector(".ashyq-chart .main-svg")
    assert page.locator(".ashyq-chart .main-svg").count() >= 2  # result, districts, turnout
    total = united["votes"].cast(pl.Int64).sum()
    assert _cell(page, "article table.ashyq-table", "United Russia", 1).startswith(number(total))

    area = units.filter(pl.col("level") == "area").sort("unit_id").row(0, named=True)
    page.locator("article a", has_text=area["name_en"]).first.click()
    page.wait_for_selector(".ashyq-chart .main-svg")
    in_area = units.filter(pl.col("unit_id").str.starts_with(area["unit_id"] + ".") & (pl.col("level") == "station"))
    area_total = united.filter(pl.col("unit_id").is_in(in_area["unit_id"].implode()))["votes"].cast(pl.Int64).sum()
    assert _cell(page, "article table.ashyq-table", "United Russia", 1).startswith(number(area_total))

    tik = units.filter(pl.col("parent_id") == area["unit_id"]).row(0, named=True)
    page.locator("article a", has_text=tik["name_en"]).first.click()
    page.wait_for_selector("table.ashyq-stations")
    station = units.filter(pl.col("parent_id") == tik["unit_id"]).sort("unit_id").row(0, named=True)
    row = page.locator(f'tr[id="s-{station["unit_id"]}"]')
    expected = protocols.filter(pl.col("unit_id") == station["unit_id"])["voters_on_list"][0]
    assert number(expected) in row.inner_text()

    # the row names the station by its number; the link opens its protocol sheet at its column
    row.get_by_role("link", name=f"{station['commission']} {station['code']}", exact=True).click()
    page.wait_for_selector("table.ashyq-sheet")
    sheet = urls.sheet_key(tik["unit_id"], station["code"])
    assert page.url.endswith(f"/elections/{SPB}/stations/{sheet}/#{station['unit_id']}"), page.url
    assert _station_cell(page, station["unit_id"], "Voters on the list") == number(expected)
    # the reader's column is highlighted and in view beside the sticky label column
    column = _target_column(page, station["unit_id"])
    assert column["background"] == "rgb(255, 243, 196)" and column["visible"], column
    crumbs = page.locator(".ashyq-breadcrumbs li").all_inner_texts()
    assert crumbs[-3:-1] == [area["name_en"], tik["name_en"]]
    assert page.locator("h1").inner_text() == f"{tik['name_en']} — {crumbs[-1]}"


def _station_cell(tab, station_id: str, label: str) -> str:
    """The text of a station's first column on its sheet, in the row whose label starts with ``label``."""
    return tab.evaluate("""([id, label]) => {
        const th = document.getElementById(id);
        const table = th.closest('table');
        let column = 0;
        for (const cell of th.parentElement.children) { if (cell === th) break; column += cell.colSpan; }
        const row = [...table.tBodies[0].rows].find(r => r.cells[0].innerText.trim().startsWith(label));
        let at = 0;
        for (const cell of row.cells) { if (at >= column) return cell.innerText.trim(); at += cell.colSpan; }
    }""", [station_id, label])


def _target_column(tab, station_id: str) -> dict:
    """The background of the station's <col> and whether its header starts on screen, right of the labels
    (a station with several sources may be wider than a phone)."""
    return tab.evaluate("""(id) => {
        const th = document.getElementById(id);
        const index = [...th.parentElement.children].indexOf(th);
        const col = th.closest('table').querySelectorAll('colgroup > col')[index];
        const box = th.getBoundingClientRect();
        const labels = th.parentElement.children[0].getBoundingClientRect();
        return {background: getComputedStyle(col).backgroundColor, left: box.left, labels: labels.right,
                visible: box.left >= labels.right - 1 && box.left < window.innerWidth - 40 && box.top >= 0
                         && box.top < window.innerHeight};
    }""", station_id)


def test_station_table_sorts_by_a_column(page, server, datasets_dir):
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    tik = _csv(datasets_dir, "units").filter(pl.col("level") == "district").sort("unit_id")["unit_id"][0]
    page.goto(f"{server}en/elections/{SPB}/units/{tik}/")
    table = page.locator("table.ashyq-stations").first  # the State Duma's party list; the city's follows
    header = table.locator("th", has_text="Voters on the list")
    column = table.locator("th").all_inner_texts().index(header.inner_text())

    def values() -> list[int]:
        cells = table.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()
        return [int(c.replace(",", "")) for c in cells if c[:1].isdigit()]
    header.click()
    first = values()
    header.click()
    second = values()
    assert len(first) > 5
    assert sorted(first) in (first, first[::-1]) and second == first[::-1]
    # Its number cells carry no class of their own (one per cell of ten thousand rows): the table's
    # stylesheet aligns every column between the station and its findings as figures.
    styles = table.locator("tbody tr").first.evaluate(
        "tr => [...tr.children].map(td => [td.className, getComputedStyle(td).textAlign, "
        "getComputedStyle(td).fontVariantNumeric])")
    assert styles[0][1] in ("left", "start")
    assert all(align == "right" and figures == "tabular-nums" for css, align, figures in styles[1:-1] if css != "np")
    assert styles[-1][1] in ("left", "start")


def _finder_station(datasets_dir: Path) -> tuple[dict, str]:
    """A St Petersburg station and a street word found in its venue's address and no other venue's."""
    from ashyq.render.finder import tokens

    def read(name: str) -> pl.DataFrame:
        return pl.read_csv(datasets_dir / SPB / f"{name}.csv", infer_schema_length=0)
    venues = read("venues")
    counts: dict[str, int] = {}
    for address in venues["address"].fill_null(""):
        for word in set(tokens(address)):
            counts[word] = counts.get(word, 0) + 1
    stations = read("units").filter((pl.col("level") == "station") & pl.col("venue_id").is_not_null())
    for station in stations.iter_rows(named=True):
        address = venues.filter(pl.col("venue_id") == station["venue_id"])["address"][0] or ""
        street = [w for w in tokens(address) if counts[w] == 1 and w.isalpha() and len(w) >= 6]
        if street:
            return station, street[0]
    pytest.fail("no St Petersburg venue has a street of its own")


def _type_and_wait(tab, box, query: str) -> tuple[float, str]:
    """Type ``query`` into the finder; (ms from the last keystroke to the answer, the answer's words)."""
    status = box.locator(".ashyq-find-status")
    box.locator("input").fill("")
    box.locator("input").press_sequentially(query[:-1])
    start = time.perf_counter()
    box.locator("input").press_sequentially(query[-1])
    tab.wait_for_function("([el, q]) => el.textContent.includes(q)", arg=[status.element_handle(), query])
    return (time.perf_counter() - start) * 1000, status.inner_text()


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_finder_finds_a_station_by_number_by_no_form_and_by_street(page, server, datasets_dir, lang):
    """The finder box of an election page, in each language: the station by its number, by "№"/"УИК №"
    forms and by the street of its venue; "no match" in words; nothing missing is fetched."""
    from ashyq.render import urls
    from ashyq.render.locale import Locale

    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    station, street = _finder_station(datasets_dir)
    bad, index_bytes = [], []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("response", lambda r: index_bytes.append(len(r.body())) if "/find/" in r.url else None)
    page.goto(server + urls.election(lang, SPB))
    box = page.locator("form.ashyq-find")
    assert box.get_attribute("data-lang") == lang  # the language the page is in
    loc = Locale(lang)
    assert box.locator("input").get_attribute("id") == box.locator("label").get_attribute("for")
    target = urls.station(lang, SPB, station["unit_id"], station["parent_id"], station["code"]).removeprefix(
        urls.language_root(lang))
    for query in [station["code"], f"№{station['code']}", f"№ {station['code']}", f"УИК №{station['code']}",
                  street.capitalize()]:
        took, words = _type_and_wait(page, box, query)
        links = [a.get_attribute("href") for a in box.locator(".ashyq-find-results a").all()]
        assert any(link.endswith(target) for link in links), (query, links)
        assert words.startswith(loc.t("find_matches", q=query, n="").rstrip()), words
        print(f"finder [{lang}] {query!r}: {took:.0f} ms after the last keystroke, "
              f"{sum(index_bytes):,} index bytes fetched so far ({len(index_bytes)} files)")
    took, words = _type_and_wait(page, box, "Zzyzx")
    assert words == loc.t("find_no_match", q="Zzyzx") and box.locator(".ashyq-find-results a").count() == 0
    box.locator("input").fill(street.capitalize())
    box.locator(".ashyq-find-results a", has_text=station["code"]).first.click()
    page.wait_for_selector("table.ashyq-sheet")
    assert page.url.endswith(target) and _target_column(page, station["unit_id"])["visible"]
    assert bad == []


def test_magnifier_searches_places_stations_and_pages_in_cyrillic(page, server, datasets_dir):
    """The header's search: a Russian place name in another case (stemmed), a Kazakh name, a page."""
    if not (datasets_dir / "kz-2011-presidential").exists():
        pytest.skip("kz-2011-presidential not bundled")
    page.goto(f"{server}en/about/")
    dialog = page.locator(".md-search.ashyq-finder")
    field = dialog.locator("input")
    field.click()  # on a wide screen the field is in the header; on a phone the magnifier button opens it
    for query, expected in [("Таласского", "/units/zhambyl.talas/"), ("Жамбыл облысы", "/units/zhambyl/"),
                            ("Methodology", "methodology/")]:
        field.fill(query)
        dialog.locator(f'.ashyq-find-results a[href*="{expected}"]').first.wait_for()
    field.fill("Таласского")
    dialog.locator('.ashyq-find-results a[href*="/units/zhambyl.talas/"]').first.click()
    page.wait_for_selector("h1")
    assert page.url.endswith("/units/zhambyl.talas/")


def test_readable_on_a_phone(browser, server, datasets_dir):
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    tab = context.new_page()
    tab.goto(f"{server}en/elections/{SPB}/")
    tab.wait_for_selector(".ashyq-chart .main-svg")
    # the page itself does not scroll sideways; wide tables scroll inside their own box
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    width = tab.locator(".ashyq-chart .main-svg").first.bounding_box()["width"]
    assert 250 <= width <= 375
    context.close()


PHONE = {"width": 390, "height": 844}
PHONE_SCREENS = 15  # the longest page, in screens of a phone held upright


def _headers_in_view(tab, table_selector: str) -> tuple[list[str], list[str]]:
    """(every heading of the table, the headings whose column is wholly within the screen and its box)."""
    return tuple(tab.evaluate("""(sel) => {
        const table = document.querySelector(sel);
        const box = table.closest('.ashyq-table-wrap').getBoundingClientRect();
        const right = Math.min(box.right, window.innerWidth) + 1;
        const heads = [...table.querySelectorAll('thead th')];
        const text = th => th.innerText.split('\\n')[0].trim();
        return [heads.map(text), heads.filter(th => th.getBoundingClientRect().right <= right).map(text)];
    }""", table_selector))


def test_key_columns_fit_a_phone(browser, server, datasets_dir):
    """At 390 px a district's station table shows the station, voters, turnout and the leading party
    without scrolling; a station page shows the difference between its two sources; the St Petersburg
    election page (two bodies, four ballots) stays under 15 screens."""
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tik = _csv(datasets_dir, "units").filter(pl.col("level") == "district").sort("unit_id")["unit_id"][0]
    tab.goto(f"{server}en/elections/{SPB}/units/{tik}/")
    heads, seen = _headers_in_view(tab, "table.ashyq-stations")
    assert heads[:3] == ["Polling station", "Voters on the list", "Turnout, %"]
    assert seen[:4] == heads[:4]  # and the party with the most votes in the district

    tab.goto(f"{server}en/elections/{KZ11}/units/zhambyl.talas/")
    heads, seen = _headers_in_view(tab, "table.ashyq-stations")
    assert heads[:2] == ["Polling station", "Nursultan Nazarbayev"] and seen[:2] == heads[:2]

    tab.goto(f"{server}en/elections/{KZ11}/stations/zhambyl.talas/400-499/#zhambyl.talas.410")
    heads, seen = _headers_in_view(tab, "table.ashyq-sheet")
    assert heads.index("Difference") < 4 and "Difference" in seen  # Line, PEC 410, its first source, Difference

    tab.goto(f"{server}en/elections/{SPB}/")
    tab.wait_for_selector(".ashyq-chart .main-svg")
    height = tab.evaluate("document.documentElement.scrollHeight")
    assert height <= PHONE_SCREENS * PHONE["height"], height
    context.close()


KZ11 = "kz-2011-presidential"
SWITCH_PAGES = [f"elections/{KZ11}/stations/zhambyl.talas/400-499/#zhambyl.talas.410",  # the station is kept
                f"elections/{KZ11}/units/zhambyl.talas/",
                f"elections/{KZ11}/integrity/"]


@pytest.mark.parametrize("path", SWITCH_PAGES)
def test_the_language_switcher_keeps_the_reader_on_the_same_page(page, server, path):
    page.goto(f"{server}en/{path}")
    heading = page.locator("h1").first.inner_text()
    for lang in ("ru", "kk", "en"):
        if page.locator(".ashyq-languages button").count():  # the theme's menu opens on hover or focus;
            page.locator(".ashyq-languages button").hover()  # a station page's links are always shown
        page.locator(f'.ashyq-languages a[hreflang="{lang}"]').click()
        page.wait_for_url(f"{server}{lang}/{path}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").count() >= 1
    assert page.locator("h1").first.inner_text() == heading  # back where it started


def test_a_station_page_on_a_phone_in_kazakh(browser, server, datasets_dir):
    """The light protocol sheet at 390 px: its header (home, the three languages, the finder), the
    breadcrumbs and the station's protocol with the package's numbers, the page not scrolling sideways
    (the table scrolls in its box, the station's column in view beside the labels); no script file
    loaded, nothing logged, nothing requested outside the site; the language switch keeps the station."""
    station = "zhambyl.talas.410"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    requests, errors = [], []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(f"{server}kk/elections/{KZ11}/stations/zhambyl.talas/400-499/#{station}")
    assert tab.locator("html").get_attribute("lang") == "kk"
    home = tab.locator("header a.ashyq-site")
    assert home.is_visible() and home.inner_text() == "Ashyq — сайлаудың ашық нәтижелері"
    switch = tab.locator("header nav.ashyq-languages a")
    assert [switch.nth(i).get_attribute("hreflang") for i in range(switch.count())] == ["kk", "ru", "en"]
    assert all(switch.nth(i).is_visible() for i in range(3))
    assert tab.locator("header a.ashyq-find-link").is_visible()
    crumbs = tab.locator("nav.ashyq-breadcrumbs li")
    assert crumbs.last.is_visible() and crumbs.count() == 5
    votes = pl.read_csv(datasets_dir / KZ11 / "votes.csv", infer_schema_length=0)
    published = votes.filter(pl.col("unit_id") == station)["votes"].drop_nulls().to_list()
    protocol = tab.locator("table.ashyq-sheet").first
    assert protocol.is_visible() and published
    shown = " ".join(protocol.inner_text().split())  # a no-break space in "1 592" is a space
    assert _target_column(tab, station)["visible"]
    for value in published:
        assert " ".join(Locale("kk").number(int(value)).split()) in shown, value
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert not [u for u in requests if u.endswith(".js")], requests
    switch.nth(1).click()
    tab.wait_for_url(f"{server}ru/elections/{KZ11}/stations/zhambyl.talas/400-499/#{station}")
    assert tab.locator("html").get_attribute("lang") == "ru"
    assert not [u for u in requests if not u.startswith(server)], requests
    assert not errors, errors
    context.close()


@pytest.mark.parametrize("accept, expected", [("ru-RU", "ru"), ("en-GB", "en"), ("kk-KZ", "kk"), ("de-DE", "kk")])
def test_the_bare_root_chooses_the_browsers_language(browser, server, accept, expected):
    context = browser.new_context(locale=accept)
    tab = context.new_page()
    tab.goto(server)
    tab.wait_for_url(f"{server}{expected}/")
    assert tab.locator("html").get_attribute("lang") == expected
    context.close()
