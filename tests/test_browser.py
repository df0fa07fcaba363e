"""The built site in a real browser (Debian's Chromium through Playwright): click from the home page
down to a polling station, check the charts are drawn, the tables hold the data's numbers, sorting
and the station finder work, nothing logs an error and no request leaves the local server."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import polars as pl
import pytest

from render_helpers import number

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SPB = "spb-2021"

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

    page.goto(server)
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

    row.get_by_role("link", name=station["name_en"], exact=False).click()
    page.wait_for_selector("table.ashyq-protocol")
    assert f"/elections/{SPB}/stations/{station['unit_id']}/" in page.url
    assert _cell(page, "table.ashyq-protocol", "Voters on the list", 1) == number(expected)
    crumbs = page.locator(".ashyq-breadcrumbs li").all_inner_texts()
    assert crumbs[-3:] == [area["name_en"], tik["name_en"], page.locator("h1").inner_text()]


def test_station_table_sorts_by_a_column(page, server, datasets_dir):
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    tik = _csv(datasets_dir, "units").filter(pl.col("level") == "district").sort("unit_id")["unit_id"][0]
    page.goto(f"{server}elections/{SPB}/units/{tik}/")
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


def test_find_your_station_and_search(page, server, datasets_dir):
    if not (datasets_dir / "kz-2011-presidential").exists():
        pytest.skip("kz-2011-presidential not bundled")
    page.goto(f"{server}elections/kz-2011-presidential/")
    page.locator("form.ashyq-find input").press_sequentially("410")
    page.locator(".ashyq-find-results a").first.click()
    page.wait_for_selector("table.ashyq-protocol")
    assert page.url.endswith("/elections/kz-2011-presidential/stations/zhambyl.talas.410/")
    assert "1,592" in page.locator("table.ashyq-protocol").inner_text()

    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Talas")
    page.wait_for_selector(".md-search-result__item")
    assert "Talas" in page.locator(".md-search-result").inner_text()


def test_readable_on_a_phone(browser, server, datasets_dir):
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    tab = context.new_page()
    tab.goto(f"{server}elections/{SPB}/")
    tab.wait_for_selector(".ashyq-chart .main-svg")
    # the page itself does not scroll sideways; wide tables scroll inside their own box
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    width = tab.locator(".ashyq-chart .main-svg").first.bounding_box()["width"]
    assert 250 <= width <= 375
    context.close()
