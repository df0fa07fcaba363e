"""The 2022 election map in a real browser: hover a region and read its turnout as published, switch
to a measure it did not publish (hatched, "not published"), click through to the region's page; no
request leaves the site and nothing logs an error (the ``page`` fixture of test_browser.py)."""
from __future__ import annotations

import polars as pl
import pytest

from ashyq import geo
from test_browser import browser, page, pytestmark, server  # noqa: F401  (fixtures and the Chromium skip)

ELECTION = "kz-2022-presidential"


def _region(datasets_dir, unit_id: str) -> dict:
    units = pl.read_csv(datasets_dir / ELECTION / "units.csv", infer_schema_length=0)
    turnout = pl.read_csv(datasets_dir / ELECTION / "turnout.csv", infer_schema_length=0)
    unit = units.filter(pl.col("unit_id") == unit_id).row(0, named=True)
    last = turnout.filter((pl.col("unit_id") == unit_id) & (pl.col("label") == "18:05")).row(0, named=True)
    return {"code": unit["code"], "name": unit["name_en"], "turnout": float(last["turnout_percent"])}


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


@pytest.mark.parametrize("unit_id", ["karaganda", "turkistan"])
def test_hover_a_region_read_its_turnout_and_click_through(page, server, datasets_dir, unit_id):
    region = _region(datasets_dir, unit_id)
    point = geo.regions("kz-adm1-2024")[region["code"]].geometry.representative_point()
    page.goto(f"{server}en/elections/{ELECTION}/")
    page.wait_for_selector(".ashyq-map .main-svg")
    page.locator(".ashyq-map-block").scroll_into_view_if_needed()
    assert page.locator(".ashyq-map-block select").input_value() == page.evaluate(
        "String(JSON.parse(document.querySelector('.ashyq-map-data').textContent).default)")

    text = _hover_at(page, point.x, point.y)
    assert region["name"] in text and f"Turnout at 18:05: {region['turnout']:.2f}%" in text, text

    # the final turnout was not published for this region: hatched and labelled, never 0
    page.select_option(".ashyq-map-block select", label="Turnout")
    assert "published for 2 of 20 regions" in page.locator(".ashyq-map-block figcaption").inner_text()
    page.mouse.move(0, 0)
    text = _hover_at(page, point.x, point.y)
    assert "Turnout: not published" in text and "0.00%" not in text, text
    index = page.evaluate(f"JSON.parse(document.querySelector('.ashyq-map-data').textContent)"
                          f".regions.findIndex(r => r.code === '{region['code']}')")
    assert page.evaluate(f"document.querySelector('.ashyq-map').data[{index}].fillpattern.shape") == "/"

    page.mouse.down()
    page.mouse.up()
    page.wait_for_url(f"**/elections/{ELECTION}/units/{unit_id}/")
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
