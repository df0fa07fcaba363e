"""Charts in a real browser (issue 10): at 390 px and 1366 px the St Petersburg stacked chart names
every area on its axis and its legend lies inside the chart's box; each chart downloads as PNG and
as SVG (a real file, named after the page and the chart); no request leaves the site, nothing logs
an error (the ``page`` fixture of test_browser.py)."""
from __future__ import annotations

import pytest

from test_browser import browser, page, pytestmark, server  # noqa: F401  (fixtures and the Chromium skip)

SPB = "spb-2021"


def _inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


@pytest.mark.parametrize("width", [390, 1366])
def test_stacked_chart_labels_every_area_and_keeps_its_legend_inside(page, server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server}en/elections/{SPB}/")
    page.wait_for_selector(".ashyq-chart-legend")
    block = page.locator("figure.ashyq-chart-block", has=page.locator(".ashyq-chart-legend")).first
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    legend = block.locator(".ashyq-chart-legend")
    assert legend.locator("li").count() == 9  # 8 parties and "Others"
    assert _inside(legend.bounding_box(), box)
    for entry in legend.locator("li").all():
        assert _inside(entry.bounding_box(), box)
    svg = block.locator(".ashyq-chart .main-svg").first
    assert _inside(svg.bounding_box(), box)
    areas = page.evaluate("""(el) => el.querySelector('.ashyq-chart').data[0].y.length""", block.element_handle())
    labels = block.locator(".ashyq-chart .yaxislayer-above .ytick text")
    assert areas >= 18 and labels.count() == areas
    assert all(label.text_content().strip() for label in labels.all())
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the phone


@pytest.mark.parametrize("fmt, magic", [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_a_chart_downloads_as_png_and_svg(page, server, fmt, magic):
    page.goto(f"{server}en/elections/{SPB}/")
    block = page.locator("figure.ashyq-chart-block", has=page.locator(".ashyq-chart-legend")).first
    button = block.locator(f"button.ashyq-chart-download[data-format={fmt}]")
    assert button.get_attribute("aria-label") == f"Download the chart as {fmt.upper()}"
    button.focus()  # reachable by keyboard: a real button, pressed with Enter
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    # Plotly hands the PNG over as a blob: URL of the page itself, not a request to anywhere
    page.requests[:] = [u for u in page.requests if not u.startswith(f"blob:{server}")]
    assert download.suggested_filename == f"en-elections-{SPB}-by-unit.{fmt}"
    content = open(download.path(), "rb").read()
    assert content.startswith(magic) and len(content) > 5_000
    if fmt == "svg":
        text = content.decode("utf-8")
        assert "Others" in text and "United Russia" in text  # the legend is in the file
