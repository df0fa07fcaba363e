"""The offline copy: the whole site as one zip that works unzipped and opened from disk (file://).

Browsers treat file:// differently from a web server, so the copy differs from the site in four ways
(what MkDocs-Material's own ``offline`` plugin does, done here on the built site and with no CDN):

1. a link to a folder (``../about/``) names its ``index.html``: a browser shows a folder as a listing;
2. the search index is also a script, ``search/search_index.js`` (``var __index = …``), because
   fetch() of a file:// URL is blocked; Material loads that script itself when on file://;
3. every page loads the iframe-worker shim (vendored, MIT) before Material's bundle: on file://
   ``new Worker()`` is blocked, and the shim runs Material's search worker in a hidden iframe;
4. ``404.html`` is left out: it is for web servers and its links are root-absolute.

The zip holds one folder, ``ashyq-site/``, with its own manifest.json and SHA256SUMS (of the offline
files). It leaves out the site's manifest and itself. Entries are sorted, dated 1980-01-01, mode 0644.
"""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from . import links
from .manifest import CHECKSUMS, MANIFEST, write_manifest

OFFLINE_ZIP = "downloads/ashyq-site-offline.zip"
ZIP_FOLDER = "ashyq-site"
LEFT_OUT = frozenset({MANIFEST, CHECKSUMS, OFFLINE_ZIP, "404.html"})
SHIM_SOURCE = Path(__file__).with_name("vendor") / "iframe-worker.js"
SHIM = "assets/ashyq-offline/iframe-worker.js"
SEARCH_INDEX = "search/search_index.json"
SEARCH_SCRIPT = "search/search_index.js"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold


def write_offline_zip(site_dir: Path, work_dir: Path, packages) -> Path:
    """Write ``site_dir/downloads/ashyq-site-offline.zip``; ``work_dir`` holds the copy meanwhile."""
    site_dir = Path(site_dir)
    copy = Path(work_dir) / ZIP_FOLDER
    make_offline_copy(site_dir, copy)
    write_manifest(copy, packages)
    target = site_dir / OFFLINE_ZIP
    target.parent.mkdir(parents=True, exist_ok=True)
    write_zip(copy, target, ZIP_FOLDER)
    shutil.rmtree(copy)
    return target


def make_offline_copy(site_dir: Path, copy: Path) -> None:
    """The file:// version of ``site_dir`` in the new folder ``copy``."""
    site_dir = Path(site_dir)
    folders = links.index_folders(site_dir)
    made = set()  # folders already created: one mkdir per folder, not per file
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(site_dir).as_posix()
        if relative in LEFT_OUT:
            continue
        target = copy / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if relative.endswith(".html"):
            page = path.read_text(encoding="utf-8")
            target.write_text(offline_page(page, relative, folders), encoding="utf-8", newline="")
        elif relative == SEARCH_INDEX:
            index = offline_search_index(path.read_text(encoding="utf-8"), folders)
            target.write_text(index, encoding="utf-8", newline="")
            (copy / SEARCH_SCRIPT).write_text(f"var __index = {index}", encoding="utf-8", newline="")
        else:
            _link_or_copy(path, target)
    shim = copy / SHIM
    shim.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIM_SOURCE, shim)


def offline_page(page: str, relative: str, folders: set[str]) -> str:
    """One HTML page for file://: folder links name index.html; Material pages load the shim."""
    def rewrite(url: str) -> str | None:
        return _index_url(url, links.resolve_link(relative, url), folders)

    page = links.rewrite_links(page, rewrite)
    if 'id="__config"' in page and "</head>" in page:
        up = "../" * relative.count("/")
        page = page.replace("</head>", f'<script src="{up}{SHIM}"></script></head>', 1)
    return page


def offline_search_index(text: str, folders: set[str]) -> str:
    """Material's search index with each result's location naming its index.html."""
    index = json.loads(text)
    for doc in index.get("docs", []):
        location = doc.get("location", "")
        # Locations are relative to the site root; '' is the home page.
        target = links.resolve_link("index.html", location) if location else ""
        doc["location"] = _index_url(location, target, folders) or location
    return json.dumps(index, separators=(",", ":"), default=str)


def _index_url(url: str, target: str | None, folders: set[str]) -> str | None:
    """``url`` with ``index.html`` added when it points at a folder that has one, else None."""
    if target is None or target not in folders:
        return None
    path, rest = links.split_url(url)
    if path and not path.endswith("/"):
        path += "/"
    return f"{path}index.html{rest}"


def write_zip(source: Path, target: Path, folder: str) -> None:
    """Zip every file under ``source`` as ``folder/<path>``, byte-for-byte the same on every run."""
    source = Path(source)
    paths = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w") as archive:
        for relative in paths:
            info = zipfile.ZipInfo(f"{folder}/{relative}", date_time=ZIP_DATE)
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (source / relative).read_bytes(), compresslevel=6)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # same filesystem: no bytes copied
    except OSError:
        shutil.copyfile(source, target)
