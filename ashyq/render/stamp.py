"""Polling stations are published on protocol sheets (pages/station.py: one page per commission and
block of 100 station numbers, a column per station), written outside MkDocs from their own small
template (``templates/station.html``): a header with the site's name (home), the language switch (the
same sheet in kk, ru, en; a few lines of script carry the reader's ``#station`` along) and a link to
the finder, then the sheet's title and body. No theme frame: station pages are most of a national
election's bytes (97,699 stations × 3 languages), and a page per station was too many files and bytes
for GitHub Pages (docs/benchmarks.md, "Protocol sheets").

The sheets are split over forked workers, one per core; each writes its own pages, so the output
does not depend on how many there are."""
from __future__ import annotations

import gc
import multiprocessing
import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..processes import init_worker
from . import urls
from .data import ElectionData
from .finder import FIND_ANCHOR
from .fragments import SORTABLE
from .locale import LANGUAGE_NAMES, LANGUAGES, Locale
from .pages.station import sheet_html, sheet_url, sheets

# Autoescaping: the title and every interface text are escaped; only the body (escaped HTML built by
# pages/station.py) is trusted Markup.
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                         keep_trailing_newline=True)
# Our CSS, at the site's root: the station page's own rules, then the site's (tables, notes, badges).
STYLES = ("station.css", "ashyq.css")
# Loaded only when the page holds a sortable table (assets/ashyq.js sorts it with tablesort).
SORT_SCRIPTS = ("vendor/tablesort.min.js", "vendor/tablesort.number.min.js", "ashyq.js")

_JOB: dict = {}  # set before forking; workers read it (copy-on-write), nothing is pickled


def stamp_stations(loc: Locale, data: ElectionData, site_dir: Path, workers: int | None = None,
                   regions: list | None = None) -> int:
    """Write the election's protocol sheets in one language; returns how many. ``regions``
    (render/reuse.py): each region's sheets are built from its own view, except those reused."""
    if regions is None:
        groups = [(data, station_ids) for station_ids in sheets(data).values()]
    else:
        groups = []
        for region in regions:
            if not region.reused:
                mine = list(sheets(region.view).values())
                region.files += [sheet_url(loc, region.view, ids[0]) + "index.html" for ids in mine]
                groups += [(region.view, ids) for ids in mine]
    workers = max(1, min(workers or os.cpu_count() or 1, len(groups) // 20 + 1))
    _JOB.update(loc=loc, site_dir=Path(site_dir), groups=groups, workers=workers,
                frame=election_frame(loc, data.election_id))
    try:
        if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
            counts = [_stamp_share(0)]
        else:
            gc.freeze()  # the collector would touch, and so copy, every object the workers share
            with multiprocessing.get_context("fork").Pool(workers, init_worker, (os.getpid(),)) as pool:
                counts = pool.map(_stamp_share, range(workers))
    finally:
        gc.unfreeze()
        _JOB.clear()
    return sum(counts)


def _stamp_share(index: int) -> int:
    loc, site_dir, frame = _JOB["loc"], _JOB["site_dir"], _JOB["frame"]
    count = 0
    for data, station_ids in _JOB["groups"][index::_JOB["workers"]]:
        folder = site_dir / sheet_url(loc, data, station_ids[0])
        os.makedirs(folder, exist_ok=True)
        (folder / "index.html").write_bytes(sheet_page(loc, data, station_ids, frame).encode("utf-8"))
        count += 1
    return count


def election_frame(loc: Locale, election_id: str) -> dict:
    """What every sheet of one election in one language shares: every sheet sits at the same depth,
    so its links to the home page, the finder and our assets are the same."""
    url = urls.sheet(loc.lang, election_id, "_", None)
    return {
        "lang": loc.lang,
        "site_name": loc.t("site_name"),
        "home": urls.relative(url, urls.home(loc.lang)),
        "finder": urls.relative(url, urls.election(loc.lang, election_id) + "#" + FIND_ANCHOR),
        "finder_label": loc.t("find_station"),
        "language_label": loc.t("language"),
        "icon": urls.relative(url, urls.theme_asset(loc.lang, "images/favicon.png")),
        "styles": [urls.relative(url, urls.asset(name)) for name in STYLES],
    }


def sheet_page(loc: Locale, data: ElectionData, station_ids: list[str], frame: dict | None = None) -> str:
    """The whole HTML page of one protocol sheet (``station_ids``: its stations) in ``loc``'s language."""
    frame = frame or election_frame(loc, data.election_id)
    url = sheet_url(loc, data, station_ids[0])
    title, body = sheet_html(loc, data, station_ids)
    languages = [{"lang": lang, "name": LANGUAGE_NAMES[lang], "current": lang == loc.lang,
                  "url": urls.relative(url, urls.in_language(url, lang))} for lang in LANGUAGES]
    scripts = [urls.relative(url, urls.asset(name)) for name in SORT_SCRIPTS] if SORTABLE.search(body) else []
    return _TEMPLATES.get_template("station.html").render(
        frame, title=title, body=Markup(body), languages=languages, scripts=scripts)
