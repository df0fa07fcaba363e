"""Links in the built site: none broken, none loading anything from outside the site.

The checker (``ashyq.publish.links.check_site``) parses every HTML page's href/src/srcset and every
CSS ``url()``, resolves relative links against the file they are in, and wants the target file (or a
folder's index.html) and the #anchor to exist. It is first shown to catch each kind of problem on a
small site made for that, then run on the whole site built from the bundled datasets.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ashyq.publish import links, offline, release

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def external(problems: list[str]) -> list[str]:
    return [p for p in problems if "external resource" in p]


def test_checker_reports_every_kind_of_problem(tmp_path):
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text('<h2 id="who">Who</h2>', encoding="utf-8")
    (tmp_path / "style.css").write_text("@font-face{src:url(https://fonts.example/f.woff2)}", encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="style.css"><script src="https://cdn.example/x.js"></script>'
        '<a href="about/#who">ok</a> <a href="about/#nobody">bad anchor</a> <a href="missing/">gone</a>'
        '<img srcset="logo.png 1x, logo@2x.png 2x"> <a href="../outside.html">out</a>'
        '<a href="https://example.org/">a link to click is fine</a>'
        '<div style="background:url(//cdn.example/bg.png)"></div>', encoding="utf-8")
    problems = links.check_site(tmp_path)
    assert len(problems) == 8, problems
    assert "index.html: broken anchor (no id 'nobody' in about/index.html): about/#nobody" in problems
    assert "index.html: broken link (no file 'missing'): missing/" in problems
    assert sum("broken link (no file 'logo" in p for p in problems) == 2
    assert "index.html: link leaves the site: ../outside.html" in problems
    assert sorted(p.split(": ")[0] for p in external(problems)) == ["index.html", "index.html", "style.css"]
    assert links.check_site(tmp_path, folder_links=False).count(
        "index.html: link to a folder, not its index.html: about/#who") == 1


@pytest.fixture(scope="module")
def site_problems(built_site) -> list[str]:
    return links.check_site(built_site)


def test_built_site_has_no_broken_internal_link(site_problems):
    problems = [p for p in site_problems if "external resource" not in p]
    assert problems == [], f"{len(problems)} broken link(s), first ones:\n" + "\n".join(problems[:20])


def test_built_site_loads_nothing_from_outside(site_problems):
    problems = external(site_problems)
    assert problems == [], "\n".join(problems[:20])


@pytest.fixture(scope="module")
def offline_copy(built_site, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("offline-real")
    with zipfile.ZipFile(release.release_dir(built_site) / offline.OFFLINE_ZIP) as archive:
        archive.extractall(target)
    return target / offline.ZIP_FOLDER


def test_offline_copy_of_built_site_links_only_to_files_it_has(offline_copy):
    problems = links.check_site(offline_copy, folder_links=False)
    assert problems == [], f"{len(problems)} problem(s), first ones:\n" + "\n".join(problems[:20])


def _pages_with_charts(site: Path, count: int) -> list[Path]:
    pages = sorted(p for p in site.rglob("*.html") if "plotly" in p.read_text(encoding="utf-8").lower())
    return pages[:count]


def test_pages_request_nothing_outside_the_site_in_a_browser(built_site):
    """Scripts may fetch at run time what no attribute shows (fonts, map tiles): watch a real browser."""
    from playwright.sync_api import sync_playwright

    pages = [built_site / "index.html", *_pages_with_charts(built_site, 3)]
    assert len(pages) == 4, "the built site should have pages with charts"
    outside = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (outside.append(route.request.url), route.abort()))
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("networkidle")
        browser.close()
    assert outside == []
