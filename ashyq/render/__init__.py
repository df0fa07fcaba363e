"""Stage 5, render: the site's pages from the model, built with MkDocs-Material.

``render_site`` writes Markdown (and HTML fragments) into ``staging.docs_dir``, runs one
``mkdocs build`` into ``staging.site_dir`` for the pages people navigate (home, elections, regions,
districts, reference), then stamps every polling station page into a shell MkDocs rendered once per
election (see stamp.py). One module per page kind lives in ``pages/``.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from . import finder, integrity, maps, site, slots, stamp, urls
from .data import load_election
from .naming import election_title
from .pages import election as election_pages
from .pages import changelog, home, reference, station
from .text import t


def render_site(db, packages, staging, progress) -> None:
    with slots.active():
        _render_site(db, packages, staging, progress)


def _render_site(db, packages, staging, progress) -> None:
    docs_dir, site_dir = Path(staging.docs_dir), Path(staging.site_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    order = [row["election_id"] for row in db.named("elections")]
    by_id = {p.id: p for p in packages}
    packages = [by_id[e] for e in order if e in by_id]

    reference_pages = site.copy_hand_written(docs_dir, {"packages": packages})
    site.copy_assets(docs_dir)
    maps.write_boundaries(docs_dir, {p.election["division"] for p in packages if p.election.get("division")})

    # Downloads first: their tables are freed before the elections' page data is held in memory.
    downloads = _write_downloads(db, packages, docs_dir / "downloads")
    reference.downloads_page(packages, downloads).write(docs_dir)

    elections = []
    for package in packages:
        data = load_election(db, package.id)
        data.station_downloads = _by_unit(d for d in downloads if d.election_id == package.id and d.unit_id)
        maps.write_venue_scripts(docs_dir, data, data.venues)
        lines_published = db.named("election_lines_published", election_id=package.id)
        integrity_page = integrity.write_integrity(db, data, docs_dir)  # checks stage: Integrity page + CSVs
        links = [(integrity_page.url, integrity_page.title.split(" — ")[0])] if integrity_page else []
        corrections = changelog.changelog_page(db, data)
        corrections.write(docs_dir)
        links.append((corrections.url, t("changes")))
        pages = election_pages.election_pages(data, lines_published, links)
        for page in pages:
            page.write(docs_dir)
        if data.stations():
            station.shell_page(package.id).write(docs_dir)
        progress.say(f"[ashyq]   {package.id}: {len(pages)} unit pages, {len(data.stations())} stations")
        elections.append(data)

    home.home_page(elections).write(docs_dir)
    reference.data_dictionary_page().write(docs_dir)
    reference_pages.append(urls.source_file(urls.page("data-dictionary")))

    config = docs_dir.parent / "mkdocs.generated.yml"
    site.write_config(config, docs_dir, site_dir,
                      site.nav([(d.election_id, election_title(d)) for d in elections], reference_pages, True))
    progress.say("[ashyq]   mkdocs build …")
    start = time.perf_counter()
    site.run_mkdocs(config)
    progress.say(f"[ashyq]   mkdocs build: {time.perf_counter() - start:.1f} s")
    # The magnifier reads the finder's index (overrides/partials/search.html): MkDocs' own search index
    # (3.4 MB for the 97,699-station election, never loaded) is not shipped.
    shutil.rmtree(site_dir / "search", ignore_errors=True)
    files = finder.write_index(site_dir, elections, finder.hand_written_pages(docs_dir, reference_pages))
    progress.say(f"[ashyq]   finder and search index: {files} files")
    filled = slots.fill(docs_dir, site_dir)
    progress.say(f"[ashyq]   tables and charts filled into {filled} pages")
    for data in elections:
        if data.stations():
            start = time.perf_counter()
            count = stamp.stamp_stations(data, site_dir)
            progress.say(f"[ashyq]   {data.election_id}: {count} station pages stamped in "
                         f"{time.perf_counter() - start:.1f} s")


def _by_unit(downloads) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for d in downloads:
        grouped.setdefault(d.unit_id, []).append(d)
    return grouped


def _write_downloads(db, packages, out_dir: Path) -> list:
    """Every download (each CSV made spreadsheet-safe, the package zips included)."""
    from .. import downloads

    out_dir.mkdir(parents=True, exist_ok=True)
    return downloads.write_downloads(db, packages, out_dir)
