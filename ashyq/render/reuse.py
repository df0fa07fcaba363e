"""Election night: a region whose protocols did not change is not built again.

A region's pages (its own, its districts', their protocol sheets, in every language) are built from
the region's view of the election alone (``data.region_views``). Its key hashes that view (its units
and figures hashed in DuckDB, without loading them: regional.py; the rest pickled), the code and
templates of Ashyq, the versions of what renders it and each language's MkDocs context (config,
nav, theme: ``page_cache``). Same key, same bytes: the previous build's files of that region
are hard-linked into the new site instead of being built again (the previous site stays as it was
until the new one is swapped in, and nothing writes into a linked file).

The keys and the files of each region are kept in the page cache beside the site
(``.<site>.pages/regions.json``), with each file's SHA-256. Publish checks every reused file against
it once it has hashed the new site (``complete``): a file changed by hand in the previous site stops
the build instead of being published again.

A region's own downloads (the station files of its units: downloads.py) are kept with its pages:
they hold its stations' protocols, votes, codes and names, in its order, which its view holds too.
The offline zip copies the entries of the kept files from the previous zip (publish/offline.py).

The election's own pages (its page, integrity, changes, single-member contests), its other downloads
and the finder are built in full every time: they add up every region. So are all regions of an
election with maps of polling venues: those maps share one scale across the election.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import folders
from ..downloads import Download
from ..fingerprint import ROOT, files_below, fingerprint
from . import urls
from .data import ElectionData

INDEX = "regions.json"
PENDING = "regions.pending.json"  # written by render, completed with the files' hashes by publish
FORMAT = "ashyq-regions/1"
PACKAGE = Path(__file__).resolve().parents[1]
VERSIONS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "markupsafe", "plotly",
            "babel", "polars", "duckdb", "pyyaml")


@dataclass
class Region:
    """One region of one election in this build."""

    election_id: str
    region_id: str
    view: ElectionData
    key: str
    reused: bool = False
    files: list[str] = field(default_factory=list)  # site-relative files written for it (every language)
    downloads: list[Download] = field(default_factory=list)  # its units' station files (downloads.py)


def regions(views: dict[str, ElectionData], contexts: dict[str, str]) -> dict[str, Region]:
    """The regions of one election with their keys (``contexts``: each language's MkDocs context)."""
    common = hashlib.sha256(code_fingerprint().encode())
    common.update(json.dumps(contexts, sort_keys=True).encode())
    inputs = {region_id: _inputs(region_id, view) for region_id, view in views.items()}
    if any(view.venues for view in views.values()):  # venue maps: one scale for the whole election
        for region_id in sorted(inputs):
            common.update(inputs[region_id])
    out = {}
    for region_id, view in views.items():
        digest = common.copy()
        digest.update(inputs[region_id])
        out[region_id] = Region(view.election_id, region_id, view, digest.hexdigest())
    return out


def _inputs(region_id: str, view: ElectionData) -> bytes:
    """Everything a region's pages read (the view before any page is built): its units and figures,
    hashed in DuckDB (regional.py), and what it holds of the whole election."""
    figures, _ = view.figures.digests()[region_id]
    above = {unit_id: row for unit_id, row in view.units.items() if view.figures.region_of.get(unit_id) != region_id}
    shared = (view.election_id, view.election, above, view.contests, view.choices, view.sources, view.bodies,
              view.venues, view.contest_results, view.extra_lines)
    return hashlib.sha256(figures + pickle.dumps(shared, protocol=5)).digest()


class Previous:
    """The regions the previous build of this site kept: their keys, files and hashes."""

    def __init__(self, pages_dir: Path | None, site_dir: Path | None):
        self.site_dir = site_dir
        self.entries: dict[tuple[str, str], dict] = {}
        # the folders of the site before the previous one, emptied (folders.py): the kept files' folders
        self.spare = folders.Spare(pages_dir / folders.SPARE if pages_dir is not None and site_dir is not None
                                   else None)
        if pages_dir is None or site_dir is None:
            return
        try:
            index = json.loads((pages_dir / INDEX).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return  # no index (a first build, an older cache): every region is built
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            return
        for entry in index.get("regions", []):
            self.entries[(entry["election_id"], entry["region_id"])] = entry

    def take(self, region: Region) -> bool:
        """Whether the region is reused: its key is unchanged and the previous site still has each of
        its files. Its stations' table rows are restored (the contests' pages link to them)."""
        entry = self.entries.get((region.election_id, region.region_id))
        if entry is None or entry["key"] != region.key:
            return False
        if not all((self.site_dir / path).is_file() for path in entry["files"]):
            return False
        region.reused = True
        region.files = list(entry["files"])
        region.downloads = [Download(**d) for d in entry["downloads"]]
        region.view.row_pages.update(entry["row_pages"])
        region.view.row_contests.update(entry["row_contests"])
        return True

    def link(self, regions: list[Region], target_site: Path) -> int:
        """Hard-link the reused regions' files from the previous site into ``target_site`` (after
        MkDocs, which empties its folders), in folders moved from the spare; returns how many. Paths
        as strings: 34,000 files."""
        paths = [path for region in regions if region.reused for path in region.files]
        if not paths:  # nothing kept (a first build, or a render without a previous site)
            return 0
        source, target = os.fspath(self.site_dir), os.fspath(target_site)
        self.spare.make(target, {os.path.dirname(path) for path in paths})
        for path in paths:
            old, new = os.path.join(source, path), os.path.join(target, path)
            try:
                os.link(old, new)
            except OSError as error:
                if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                    raise
                shutil.copyfile(old, new)  # no hard links here: a copy
        return len(paths)

    def prune(self) -> int:
        """Once every file of the site is written: remove the spare's folders moved in that hold none."""
        return self.spare.prune()

    def hashes(self, region: Region) -> dict[str, str]:
        entry = self.entries[(region.election_id, region.region_id)]
        return dict(zip(entry["files"], entry["sha256"]))


def attach_station_downloads(data: ElectionData, regions: list[Region], downloads: list[Download]) -> None:
    """Give the election and each region's view the station files of their units (``downloads``: the
    election's, kept and written); a region built now records its own among its files."""
    data.station_downloads = {}
    for download in downloads:
        data.station_downloads.setdefault(download.unit_id, []).append(download)
    for region in regions:
        region.view.station_downloads = {unit_id: files for unit_id, files in data.station_downloads.items()
                                         if unit_id in region.view.units}
        if not region.reused:
            region.downloads = [d for files in region.view.station_downloads.values() for d in files]
            region.files += [urls.download_file(d.path) for d in region.downloads]


def write_pending(pages_dir: Path, regions: list[Region], previous: Previous) -> None:
    """Render's half of the new index: each region's key, files and its stations' table rows; the
    reused regions' files carry the hashes they must still have."""
    entries = []
    for region in regions:
        entries.append({"election_id": region.election_id, "region_id": region.region_id, "key": region.key,
                        "files": sorted(region.files), "downloads": [asdict(d) for d in region.downloads],
                        "row_pages": region.view.row_pages,
                        "row_contests": region.view.row_contests,
                        "expected": previous.hashes(region) if region.reused else {}})
    (pages_dir / PENDING).write_text(json.dumps({"format": FORMAT, "regions": entries}, ensure_ascii=False),
                                     encoding="utf-8")


def kept_files(pages_dir: Path) -> dict[str, str]:
    """The files render kept from the previous site, with the SHA-256 each must still have."""
    pending_path = pages_dir / PENDING
    if not pending_path.is_file():
        return {}
    pending = json.loads(pending_path.read_text(encoding="utf-8"))
    return {path: sha for entry in pending["regions"] for path, sha in entry["expected"].items()}


def offline_zip(pages_dir: Path | None) -> str | None:
    """The SHA-256 of the offline zip published with the regions of ``pages_dir``'s index, if any."""
    try:
        index = json.loads((pages_dir / INDEX).read_text(encoding="utf-8"))
    except (TypeError, OSError, UnicodeDecodeError, ValueError):
        return None
    return index.get("offline_zip") if isinstance(index, dict) and index.get("format") == FORMAT else None


def complete(pages_dir: Path, hashes: dict[str, str], offline_zip_sha256: str) -> list[str]:
    """Publish's half: every region's files with their SHA-256 in the new site (``hashes``: path →
    sha256), and the offline zip published with them. Returns the reused files whose bytes are not
    what the previous build wrote."""
    pending_path = pages_dir / PENDING
    if not pending_path.is_file():
        return []
    pending = json.loads(pending_path.read_text(encoding="utf-8"))
    changed, entries = [], []
    for entry in pending["regions"]:
        changed += [path for path, sha in entry.pop("expected").items() if hashes.get(path) != sha]
        entry["sha256"] = [hashes[path] for path in entry["files"]]
        entries.append(entry)
    (pages_dir / INDEX).write_text(json.dumps({"format": FORMAT, "offline_zip": offline_zip_sha256,
                                               "regions": entries}, ensure_ascii=False), encoding="utf-8")
    pending_path.unlink()
    return changed


def code_fingerprint() -> str:
    """Ashyq's code, texts, templates and assets, the theme's overrides and the versions of what
    renders them: any change there builds every region again."""
    return fingerprint(FORMAT, VERSIONS, [ROOT / "mkdocs.yml", *files_below(PACKAGE), *files_below(ROOT / "overrides")])
