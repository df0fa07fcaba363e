"""Station pages are stamped outside MkDocs (about 10 ms a page there would make 100,000 stations
take a quarter of an hour): MkDocs renders one shell page per election at the station URL depth,
and each station's title and body are filled into a copy of that HTML. All stations sit at the same
depth as the shell, so every relative URL in the theme (CSS, JS, nav) stays right."""
from __future__ import annotations

import shutil
from pathlib import Path

from . import urls
from .data import ElectionData
from .escape import h
from .pages.station import BODY_MARK, TITLE_MARK, station_html


def stamp_stations(data: ElectionData, site_dir: Path) -> int:
    shell_dir = Path(site_dir) / urls.station_shell(data.election_id)
    shell = (shell_dir / "index.html").read_text(encoding="utf-8")
    if shell.count(BODY_MARK) != 1:
        raise RuntimeError(f"station shell of {data.election_id} must hold the body marker exactly once")
    head, tail = shell.split(BODY_MARK)
    count = 0
    for station_id in data.stations():
        title, body = station_html(data, station_id)
        safe_title = h(title)
        html = head.replace(TITLE_MARK, safe_title) + body + tail.replace(TITLE_MARK, safe_title)
        out = Path(site_dir) / urls.station(data.election_id, station_id)
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(html, encoding="utf-8")
        count += 1
    shutil.rmtree(shell_dir)
    return count
