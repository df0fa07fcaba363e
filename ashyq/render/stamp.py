"""Polling station pages are written outside MkDocs, from their own small template
(``templates/station.html``): a header with the site's name (home), the language switch (the same
station in kk, ru, en) and a link to the finder, then the station's title and body (pages/station.py).
No theme frame, no JavaScript unless a table on the page sorts: a station page is most of a national
election's files (97,699 stations × 3 languages), and Material's frame was two thirds of each.

Writing 100,000 folders is bound by the file system (about 1 ms a page), so the stations are
split over forked workers, one per core; each writes its own pages, so the output does not depend
on how many there are."""
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
from .locale import LANGUAGE_NAMES, LANGUAGES, Locale
from .pages.station import station_html

# Autoescaping: the title and every interface text are escaped; only the body (escaped HTML built by
# pages/station.py) is trusted Markup.
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                         keep_trailing_newline=True)
# Our CSS, at the site's root: the station page's own rules, then the site's (tables, notes, badges).
STYLES = ("station.css", "ashyq.css")
# Loaded only when the page holds a sortable table (assets/ashyq.js sorts it with tablesort).
SORT_SCRIPTS = ("vendor/tablesort.min.js", "vendor/tablesort.number.min.js", "ashyq.js")
SORTABLE = 'class="ashyq-table sortable'

_JOB: dict = {}  # set before forking; workers read it (copy-on-write), nothing is pickled


def stamp_stations(loc: Locale, data: ElectionData, site_dir: Path, workers: int | None = None) -> int:
    """Write the election's station pages in one language; returns how many."""
    stations = data.stations()
    workers = max(1, min(workers or os.cpu_count() or 1, len(stations) // 500 + 1))
    _JOB.update(loc=loc, data=data, site_dir=Path(site_dir), stations=stations, workers=workers,
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
    loc, data, site_dir, frame = _JOB["loc"], _JOB["data"], _JOB["site_dir"], _JOB["frame"]
    count = 0
    for station_id in _JOB["stations"][index::_JOB["workers"]]:
        folder = site_dir / urls.station(loc.lang, data.election_id, station_id)
        os.makedirs(folder, exist_ok=True)
        (folder / "index.html").write_bytes(station_page(loc, data, station_id, frame).encode("utf-8"))
        count += 1
    return count


def election_frame(loc: Locale, election_id: str) -> dict:
    """What every station page of one election in one language shares: every station sits at the
    same depth, so its links to the home page, the finder and our assets are the same."""
    url = urls.station(loc.lang, election_id, "_")
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


def station_page(loc: Locale, data: ElectionData, station_id: str, frame: dict | None = None) -> str:
    """The whole HTML page of one station in ``loc``'s language."""
    frame = frame or election_frame(loc, data.election_id)
    url = urls.station(loc.lang, data.election_id, station_id)
    title, body = station_html(loc, data, station_id)
    languages = [{"lang": lang, "name": LANGUAGE_NAMES[lang], "current": lang == loc.lang,
                  "url": urls.relative(url, urls.in_language(url, lang))} for lang in LANGUAGES]
    scripts = [urls.relative(url, urls.asset(name)) for name in SORT_SCRIPTS] if SORTABLE in body else []
    return _TEMPLATES.get_template("station.html").render(
        frame, title=title, body=Markup(body), languages=languages, scripts=scripts)
