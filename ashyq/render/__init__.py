"""Stage 5, render: the site's pages from the model, in Kazakh, Russian and English, built with
MkDocs-Material.

``render_site`` writes the language-neutral files once (downloads, integrity CSVs, our assets) into
``staging.site_dir``; then, per language, Markdown (and HTML fragments) into
``staging.docs_dir/<lang>/`` and one ``mkdocs build`` into ``site/<lang>/`` for the pages people
navigate (home, elections, regions, districts, reference), reusing the pages of the previous build whose
Markdown did not change (page_cache.py); then writes the polling stations' protocol sheets
from its own light template, outside MkDocs (see stamp.py). The bare root chooses
a language (root.py). One module per page kind lives in ``pages/``; every page builder takes the
reader's ``Locale``.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from .. import checks
from . import finder, integrity, maps, page_cache, reuse, root, site, slots, stamp, urls
from .data import load_election, region_views
from .locale import locales
from .naming import election_title
from .pages import election as election_pages
from .pages import changelog, home, reference


# When MkDocs builds at most this many pages per language (a region's, on election night), the three
# languages build at once, and the finder and the integrity CSVs are written meanwhile.
BESIDE_MKDOCS_PAGES = 1000


def render_site(db, packages, staging, progress) -> None:
    with slots.active():
        _render_site(db, packages, staging, progress)


def _render_site(db, packages, staging, progress) -> None:
    docs_dir, site_dir = Path(staging.docs_dir), Path(staging.site_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    site_dir.mkdir(parents=True, exist_ok=True)
    order = [row["election_id"] for row in db.named("elections")]
    by_id = {p.id: p for p in packages}
    packages = [by_id[e] for e in order if e in by_id]
    # The packages' zips are deflated in a thread, on the other core, while the pages are made (zlib
    # and Polars let go of the GIL). It has ended before MkDocs' processes are started, and before a
    # failed build's staging is removed.
    zips = Background(_write_package_zips, packages, site_dir / urls.DOWNLOADS_DIR)
    try:
        _render_pages(db, packages, staging, progress, zips)
    finally:
        zips.join()


class Background(threading.Thread):
    """One call in a thread of its own: ``result`` waits for it and returns or raises what it did."""

    def __init__(self, function, *args):
        super().__init__(name=f"ashyq-{function.__name__}")
        self.function, self.args, self.value, self.error = function, args, None, None
        self.start()

    def run(self) -> None:
        try:
            self.value = self.function(*self.args)
        except BaseException as error:  # raised again where the result is asked for
            self.error = error

    def result(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


def _render_pages(db, packages, staging, progress, zips: Background) -> None:
    docs_dir, site_dir = Path(staging.docs_dir), Path(staging.site_dir)
    downloads_dir, release_dir = site_dir / urls.DOWNLOADS_DIR, Path(staging.release_dir)
    by_id = {p.id: p for p in packages}
    languages = locales()
    # The pages MkDocs built last time, and where this build keeps its own (publish/swap.py); a
    # staging without them (a test rendering on its own) builds every page.
    previous_pages, pages_dir = getattr(staging, "previous_pages_dir", None), getattr(staging, "pages_dir", None)

    # The elections' page data first: the regions' keys decide which downloads are written again.
    # Their figures are loaded once the keys tell which regions are built again (regional.py).
    elections = [load_election(db, package.id, figures=False) for package in packages]
    # Each language's config comes first: a region's key holds the MkDocs context its pages are built in.
    reference_pages, configs = {}, {}
    for loc in languages:
        reference_pages[loc.lang] = site.copy_hand_written(docs_dir / loc.lang, {"packages": packages}, loc)
        reference.data_dictionary_page(loc).write(docs_dir)
        reference_pages[loc.lang] += [urls.source_file(urls.page(loc.lang, "data-dictionary"))]
        configs[loc.lang] = docs_dir.parent / f"mkdocs.{loc.lang}.yml"
        site.write_config(configs[loc.lang], loc, docs_dir / loc.lang, site_dir / loc.lang,
                          site.nav(loc, [(d.election_id, election_title(loc, d)) for d in elections],
                                   reference_pages[loc.lang], True))
    contexts = {lang: page_cache.context(config) for lang, config in configs.items()}
    previous = reuse.Previous(previous_pages, getattr(staging, "final_dir", None))
    regions_of = {}
    for data in elections:
        views = region_views(data)
        regions = list(reuse.regions(views, contexts).values())
        if pages_dir is not None:
            reused = sum(previous.take(region) for region in regions)
            progress.say(f"[ashyq]   {data.election_id}: {reused} of {len(regions)} regions unchanged, reused")
        data.figures.load([region.region_id for region in regions if not region.reused])
        data.figures.settle(data, views)
        regions_of[data.election_id] = regions

    # Language-neutral, once: the downloads (a kept region's own station files are kept with its
    # pages), our assets, the map outlines.
    tables = _write_downloads(db, packages, downloads_dir, release_dir,
                              {e: [r for r in regions if r.reused] for e, regions in regions_of.items()})
    for data in elections:
        reuse.attach_station_downloads(data, regions_of[data.election_id],
                                       [d for d in tables if d.election_id == data.election_id and d.unit_id])
    site.copy_assets(site_dir)
    maps.write_boundaries(site_dir, {p.election["division"] for p in packages if p.election.get("division")})
    contests = {(p.id, row["contest_id"]): row for p in packages for row in db.named("election_contests",
                                                                                    election_id=p.id)}

    for data in elections:
        package, regions = by_id[data.election_id], regions_of[data.election_id]
        lines_published = db.named("election_lines_published", election_id=package.id)
        checked = checks.have_run(db)  # its tables are written as CSV beside MkDocs' builds
        count = 0
        for loc in languages:
            maps.write_venue_scripts(docs_dir, data, data.venues, loc)
            links = []
            if checked:
                integrity_page = integrity.integrity_page(loc, db, data)
                integrity_page.write(docs_dir)
                # the election page's integrity summary: what was checked, in counts, in its first lines
                links.append((integrity_page.url,
                              integrity.integrity_link_text(loc, integrity.integrity_headline(db, package.id))))
            corrections = changelog.changelog_page(loc, db, data)
            corrections.write(docs_dir)
            links.append((corrections.url, loc.t("changes")))
            count = 0
            for page in election_pages.election_pages(loc, data, lines_published, links, regions):
                page.write(docs_dir)
                count += 1
        progress.say(f"[ashyq]   {package.id}: {count} unit pages, {len(data.stations())} stations, "
                     f"{len(languages)} languages")

    # every download: each package's tables, its units' station files, its zip
    downloads = _merge_zips(tables, _zips_to_release(zips.result(), downloads_dir, release_dir, tables))
    for loc in languages:
        reference.downloads_page(loc, packages, downloads, contests).write(docs_dir)

    asides = {}
    for loc in languages:
        home.home_page(loc, elections).write(docs_dir)
        asides[loc.lang] = page_cache.set_aside(docs_dir / loc.lang, contexts[loc.lang], previous_pages, pages_dir,
                                                loc.lang)

    def write_finder() -> None:
        # One finder index for every language, at the site's root (the hand-written pages are in
        # English; the same paths exist under every language's folder).
        files = finder.write_index(site_dir, elections,
                                   finder.hand_written_pages(docs_dir / "en", reference_pages["en"]))
        progress.say(f"[ashyq]   finder and search index: {files} files")

    def write_integrity_csvs() -> None:
        for data in elections:
            integrity.write_integrity_csvs(db, data.election_id, site_dir)  # the checks stage's tables

    # Neither is in a language's folder, which MkDocs empties. On election night, when MkDocs builds
    # a region's pages, the three languages' MkDocs processes run at once, and these two meanwhile.
    # A larger build runs one MkDocs at a time, alone: its processes hold their pages, and the
    # build's peak of memory is then.
    beside = pages_dir is not None and all(len(aside.built) <= BESIDE_MKDOCS_PAGES for aside in asides.values())
    start = time.perf_counter()
    if beside:  # each language's line below gives the time of the three together
        progress.say(f"[ashyq]   mkdocs build ({', '.join(configs)}) …")
        site.run_mkdocs(list(configs.values()), meanwhile=[write_finder, write_integrity_csvs])
    for loc in languages:
        if not beside:
            progress.say(f"[ashyq]   mkdocs build ({loc.lang}) …")
            start = time.perf_counter()
            site.run_mkdocs([configs[loc.lang]])
        # GitHub Pages serves only the root's 404.html (root.py, in the three languages); MkDocs'
        # own would link to absolute paths that do not exist under a language prefix.
        (site_dir / loc.lang / "404.html").unlink(missing_ok=True)
        site.prune_theme(site_dir / loc.lang)
        page_cache.put_back(asides[loc.lang], site_dir / loc.lang, pages_dir)
        progress.say(f"[ashyq]   mkdocs build ({loc.lang}): {time.perf_counter() - start:.1f} s"
                     + (f" ({asides[loc.lang].summary()})" if pages_dir else ""))
    if not beside:
        write_finder()
        write_integrity_csvs()
    linked = previous.link([r for regions in regions_of.values() for r in regions], site_dir)
    if pages_dir is not None:
        progress.say(f"[ashyq]   {linked} files of unchanged regions kept from the previous build")
    filled = slots.fill(docs_dir, site_dir)
    progress.say(f"[ashyq]   tables and charts filled into {filled} pages")
    for data in elections:
        if data.stations():
            start = time.perf_counter()
            count = sum(stamp.stamp_stations(loc, data, site_dir, regions=regions_of[data.election_id])
                        for loc in languages)
            progress.say(f"[ashyq]   {data.election_id}: {count} protocol sheets ({len(data.stations())} stations) written in "
                         f"{time.perf_counter() - start:.1f} s")
    root.write_root_pages(site_dir)
    previous.prune()  # every page is written: the spare folders left empty go
    if pages_dir is not None:  # publish adds the files' hashes (reuse.complete)
        reuse.write_pending(pages_dir, [r for regions in regions_of.values() for r in regions], previous)


def _write_downloads(db, packages, out_dir: Path, release_dir: Path, kept: dict[str, list]) -> list:
    """Every download but the packages' zips (each CSV made spreadsheet-safe); the bulk files
    moved to the GitHub Release's folder (publish/release.py). ``kept``: per election, the regions
    kept from the previous build, whose units' station files are not written again."""
    from .. import downloads

    out_dir.mkdir(parents=True, exist_ok=True)
    written = downloads.write_downloads(db, packages, out_dir, {
        election_id: downloads.KeptUnits({r.region_id for r in regions}, [d for r in regions for d in r.downloads])
        for election_id, regions in kept.items()}, zips=False)
    return downloads.move_to_release(written, out_dir, release_dir)


def _write_package_zips(packages, out_dir: Path) -> list:
    from .. import downloads

    return downloads.write_package_zips(packages, out_dir)


def _zips_to_release(zips: list, out_dir: Path, release_dir: Path, tables: list) -> list:
    from .. import downloads

    return downloads.move_to_release(zips, out_dir, release_dir, taken=[d for d in tables if d.release])


def _merge_zips(tables: list, zips: list) -> list:
    """The downloads in the order ``write_downloads`` gives them in one go: per election, its zip last."""
    order = sorted({d.election_id for d in tables + zips})
    return [d for election_id in order for d in [*(t for t in tables if t.election_id == election_id),
                                                  *(z for z in zips if z.election_id == election_id)]]
