"""Station pages are stamped outside MkDocs (about 10 ms a page there would make 100,000 stations
take a quarter of an hour): MkDocs renders one shell page per election at the station URL depth,
and each station's title and body are filled into a copy of that HTML. All stations sit at the same
depth as the shell, so every relative URL in the theme (CSS, JS, nav) stays right.

Writing 100,000 folders is bound by the file system (about 1 ms a page), so the stations are
split over forked workers, one per core; each writes its own pages, so the output does not depend
on how many there are."""
from __future__ import annotations

import gc
import multiprocessing
import os
import re
import shutil
from pathlib import Path

from ..processes import init_worker
from . import urls
from .data import ElectionData
from .escape import h
from .locale import Locale
from .pages.station import BODY_MARK, TITLE_MARK, station_html

_JOB: dict = {}  # set before forking; workers read it (copy-on-write), nothing is pickled


def stamp_stations(loc: Locale, data: ElectionData, site_dir: Path, workers: int | None = None) -> int:
    """Stamp the election's station pages in one language from that language's shell."""
    shell_dir = Path(site_dir) / urls.station_shell(loc.lang, data.election_id)
    shell = (shell_dir / "index.html").read_text(encoding="utf-8")
    if shell.count(BODY_MARK) != 1:
        raise RuntimeError(f"station shell of {data.election_id} must hold the body marker exactly once")
    # The theme's indentation is a third of a station page; the shell has no <pre>, so it can go.
    head, tail = (re.sub(r"\n\s+", "\n", part) for part in shell.split(BODY_MARK))
    stations = data.stations()
    workers = max(1, min(workers or os.cpu_count() or 1, len(stations) // 500 + 1))
    _JOB.update(loc=loc, data=data, site_dir=Path(site_dir), head=head, tail=tail, stations=stations, workers=workers)
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
    shutil.rmtree(shell_dir)
    return sum(counts)


def _stamp_share(index: int) -> int:
    loc, data, site_dir, head, tail = _JOB["loc"], _JOB["data"], _JOB["site_dir"], _JOB["head"], _JOB["tail"]
    shell_path = f"/stations/{urls.SHELL_ID}/"  # in the language switcher's and hreflang links
    count = 0
    for station_id in _JOB["stations"][index::_JOB["workers"]]:
        title, body = station_html(loc, data, station_id)
        safe_title, own_path = h(title), f"/stations/{station_id}/"
        page = (head.replace(TITLE_MARK, safe_title).replace(shell_path, own_path) + body
                + tail.replace(TITLE_MARK, safe_title).replace(shell_path, own_path))
        folder = site_dir / urls.station(loc.lang, data.election_id, station_id)
        os.makedirs(folder, exist_ok=True)
        (folder / "index.html").write_bytes(page.encode("utf-8"))
        count += 1
    return count
