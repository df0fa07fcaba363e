"""The longest pages on a phone (issue 10): St Petersburg's Integrity page and the downloads page stay
within 15 screens of a 390 × 844 phone in Chromium, in every language, and the Integrity page opens
with what was checked."""
from __future__ import annotations

import pytest

from ashyq.render import urls
from ashyq.render.locale import LANGUAGES
from test_browser import SPB, browser, pytestmark, server  # noqa: F401 (fixtures and the skip mark)

PHONE = {"width": 390, "height": 844}
SCREENS = 15


def test_integrity_and_downloads_pages_fit_in_15_phone_screens(browser, server, datasets_dir):  # noqa: F811
    if not (datasets_dir / SPB).exists():
        pytest.skip(f"{SPB} not bundled")
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    heights = {}
    for lang in LANGUAGES:
        for name, url in (("integrity", urls.integrity(lang, SPB)), ("downloads", urls.downloads(lang))):
            tab.goto(server + url)
            tab.wait_for_load_state("load")
            heights[lang, name] = tab.evaluate("document.documentElement.scrollHeight")
            assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, (lang, name)
        tab.goto(server + urls.integrity(lang, SPB))
        # the first screen says what was checked
        headline = tab.locator(".ashyq-headline").first
        assert headline.bounding_box()["y"] < PHONE["height"], lang
    context.close()
    too_tall = {page: h for page, h in heights.items() if h > SCREENS * PHONE["height"]}
    assert not too_tall, f"taller than {SCREENS} phone screens: {too_tall}"
