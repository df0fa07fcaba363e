"""The 2022 election map in a real browser, in Kazakh, Russian and English: hover a region and read its
name and turnout as published, in the reader's language and number format; switch to a measure it did
not publish (hatched, "not published"), click through to the region's page; no request leaves the site
and nothing logs an error (the ``page`` fixture of test_browser.py)."""
from __future__ import annotations

import polars as pl
import pytest

from ashyq import geo
from ashyq.render.locale import Locale
from test_browser import browser, page, pytestmark, server  # noqa: F401  (fixtures and the Chromium skip)

ELECTION = "kz-2022-presidential"


def _region(datasets_dir, unit_id: str, loc: Locale) -> dict:
    units = pl.read_csv(datasets_dir / ELECTION / "units.csv", infer_schema_length=0)
    turnout = pl.read_csv(datasets_dir / ELECTION / "turnout.csv", infer_schema_length=0)
    unit = units.filter(pl.col("unit_id") == unit_id).row(0, named=True)
    last = turnout.filter((pl.col("unit_id") == unit_id) & (pl.col("label") == "18:05")).row(0, named=True)
    return {"code": unit["code"], "name": str(loc.name(unit)), "turnout": float(last["turnout_percent"])}


def _hover_at(tab, lon: float, lat: float) -> str:
    """Move the mouse onto (lon, lat) of the map and return the hover label's text."""
    x, y = tab.evaluate("""([lon, lat]) => {
        const gd = document.querySelector('.ashyq-map');
        const L = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + L._size.l + L.xaxis.l2p(lon), box.top + L._size.t + L.yaxis.l2p(lat)];
    }""", [lon, lat])
    tab.mouse.move(x - 3, y - 3)
    tab.mouse.move(x, y)
    tab.wait_for_function("document.querySelector('.ashyq-map .hoverlayer').textContent.length > 0")
    return tab.locator(".ashyq-map .hoverlayer").text_content()


def _published_for(loc: Locale, n: int, total: int) -> str:
    """The summary's "published for n of total regions" part, in the reader's language."""
    return loc.t("map_summary").split("{measure}: ")[1].split(";")[0].format(n=loc.number(n), total=loc.number(total))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("unit_id", ["karaganda", "turkistan"])
def test_hover_a_region_read_its_turnout_and_click_through(page, server, datasets_dir, unit_id, lang):
    loc = Locale(lang)
    region = _region(datasets_dir, unit_id, loc)
    point = geo.regions("kz-adm1-2024")[region["code"]].geometry.representative_point()
    page.goto(f"{server}{lang}/elections/{ELECTION}/")
    page.wait_for_selector(".ashyq-map .main-svg")
    page.locator(".ashyq-map-block").scroll_into_view_if_needed()
    assert page.locator(".ashyq-map-block select").input_value() == page.evaluate(
        "String(JSON.parse(document.querySelector('.ashyq-map-data').textContent).default)")

    text = _hover_at(page, point.x, point.y)
    turnout = f"{loc.t('map_turnout_at', time='18:05')}: {loc.percent(region['turnout'])}"  # "70,96 %" / "70.96%"
    assert region["name"] in text and turnout in text, (turnout, text)

    # the final turnout was not published for this region: hatched and labelled, never 0
    page.select_option(".ashyq-map-block select", label=loc.t("turnout"))
    assert _published_for(loc, 2, 20) in page.locator(".ashyq-map-block figcaption").inner_text()
    page.mouse.move(0, 0)
    text = _hover_at(page, point.x, point.y)
    assert f"{loc.t('turnout')}: {loc.not_published}" in text and loc.percent(0) not in text, text
    index = page.evaluate(f"JSON.parse(document.querySelector('.ashyq-map-data').textContent)"
                          f".regions.findIndex(r => r.code === '{region['code']}')")
    assert page.evaluate(f"document.querySelector('.ashyq-map').data[{index}].fillpattern.shape") == "/"

    # the navigation is awaited from before the click (a wait begun after it can miss a quick one), until
    # the region's page is parsed (its charts may still be drawing: on a busy machine "load" takes long)
    page.wait_for_timeout(200)  # Plotly handles hovers at most every 50 ms: the click must find this one done
    with page.expect_navigation(url=f"**/{lang}/elections/{ELECTION}/units/{unit_id}/", wait_until="domcontentloaded"):
        page.mouse.down()
        page.mouse.up()
    assert page.locator("h1").inner_text().strip().rstrip("¶") == region["name"]


def test_the_map_fits_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    tab = context.new_page()
    tab.goto(f"{server}en/elections/{ELECTION}/")
    tab.wait_for_selector(".ashyq-map .main-svg")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    box = tab.locator(".ashyq-map .main-svg").first.bounding_box()
    assert 250 <= box["width"] <= 375 and box["height"] >= 150
    context.close()
