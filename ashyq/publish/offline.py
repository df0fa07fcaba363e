"""The offline copy: the whole site as one zip that works unzipped and opened from disk (file://).

Browsers treat file:// differently from a web server, so the copy differs from the site in two ways
(as MkDocs-Material's own ``offline`` plugin would, done here on the built site):

1. a link to a folder (``../about/``) names its ``index.html``: a browser shows a folder as a listing;
2. ``404.html`` is left out: it is for web servers and its links are root-absolute.

Search needs nothing more: the finder and the magnifier read their index (``find/``) through
``<script>`` elements, which a browser allows from disk. (Material's own search, whose worker and
fetched index needed a shim and a script form of the index on file://, is not shipped.)

The zip holds one folder, ``ashyq-site/``, with its own manifest.json and SHA256SUMS (of the offline
files). It leaves out the site's manifest and itself. Entries are listed sorted (the copy's manifest
and SHA256SUMS are stored last, as they hash the rest), dated 1980-01-01, mode 0644.

The zip is a GitHub Release asset, written to ``release/`` beside the site (release.py), not into
the site. Its downloads pages name Release files by placeholders the copy cannot fill (the tag
depends on the copy): ``release.offline_form`` turns them into a link to the repository's Releases.

Deflate is zlib's, level 2: its output depends only on the bytes, the level and zlib's version.
ISA-L (python-isal), used before for its speed, once deflated the same page to different bytes in
two builds on one machine (docs/benchmarks.md, "The offline zip's deflate, again"): the zip and
the Release tag must be the same for the same input, so the zip pays zlib's CPU (a few seconds at
national scale, shared by the workers).

Speed (100,000 pages, 2.2 GB): no copy is written to disk. Forked workers each take a share of the
files, read each once, rewrite it if a page, hash it (for both manifests) and deflate it; the parent
appends the deflated bytes in order, so the zip does not depend on the number of workers.
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..processes import init_worker
from . import links
from . import release
from .manifest import CHECKSUMS, MANIFEST, list_files, manifest_files

OFFLINE_ZIP = release.OFFLINE_ASSET  # in the release folder, not in the site
ZIP_FOLDER = "ashyq-site"
LEFT_OUT = frozenset({MANIFEST, CHECKSUMS, "404.html"})
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold
COMPRESS_LEVEL = 2  # zlib's fast levels (1-3): 2 is 3% smaller than 1 for the same CPU on the bundled site
_CHUNK_FILES = 64  # files per task handed to a worker: big enough that pickling overhead is small

_JOB: dict = {}  # set before forking; workers read it (copy-on-write), nothing but paths is pickled


@dataclass(frozen=True)
class Entry:
    """One file of the offline copy, deflated: what the zip and the copy's manifest need."""
    path: str
    size: int
    sha256: str
    crc: int
    deflated: bytes


def write_offline_zip(site_dir: Path, packages, workers: int | None = None,
                      target: Path | None = None, previous: PreviousZip | None = None) -> tuple[Path, dict]:
    """Write the offline copy of ``site_dir`` to ``target`` (default: ``ashyq-site-offline.zip`` in the
    release folder beside ``site_dir``).

    Returns the zip's path and ``{path: {path, sha256, size}}`` of every site file read on the way
    (all but the zip and manifests), so the site's manifest need not read 2 GB again.
    ``workers``: processes to use (default: one per core); the bytes written do not depend on it.
    ``previous``: the previous build's zip and the files kept from it unchanged (render/reuse.py),
    whose entries are copied from it as they were deflated there.
    """
    site_dir = Path(site_dir)
    paths = [path for path in list_files(site_dir) if path not in (MANIFEST, CHECKSUMS)]
    folders = {path[:-len("index.html")].rstrip("/") for path in paths
               if path == "index.html" or path.endswith("/index.html")}
    target = Path(target) if target is not None else release.release_dir(site_dir) / OFFLINE_ZIP
    target.parent.mkdir(parents=True, exist_ok=True)
    site_hashes: dict[str, dict] = {}
    offline: list[dict] = []  # the offline files' {path, sha256, size}; their bytes are not kept
    with _RawZip(target) as archive:
        def add(entry: Entry) -> None:
            offline.append({"path": entry.path, "sha256": entry.sha256, "size": entry.size})
            archive.add(f"{ZIP_FOLDER}/{entry.path}", entry)

        for site_entry, entries in _process(site_dir, paths, folders, workers, previous):
            site_hashes[site_entry["path"]] = site_entry
            if entries is None:  # a kept file, as it was: its entry as the previous zip holds it
                entries = [previous.entry(site_entry["path"])]
            for entry in entries:
                add(entry)
        # The copy's own manifest lists every other offline file, so it is deflated last; the zip's
        # central directory is sorted by name all the same.
        manifest_bytes, checksums_bytes = manifest_files(sorted(offline, key=lambda e: e["path"]), packages)
        add(_entry(MANIFEST, manifest_bytes))
        add(_entry(CHECKSUMS, checksums_bytes))
    return target, site_hashes


def _process(site_dir: Path, paths: list[str], folders: set[str], workers: int | None,
             previous: PreviousZip | None = None):
    """``(site entry, offline entries)`` per site file, in ``paths`` order; entries None for a kept
    file the previous zip holds."""
    chunks = [paths[i:i + _CHUNK_FILES] for i in range(0, len(paths), _CHUNK_FILES)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks)))
    _JOB.update(site_dir=site_dir, folders=folders, tags=TagCache(),  # each worker fills its own copy
                kept=previous.kept if previous else {})
    try:
        if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
            for chunk in chunks:
                yield from _process_chunk(chunk)
        else:
            # Objects the parent already has are frozen out of the garbage collector, so the workers'
            # collections do not touch (and copy) the pages of the build's data they inherit.
            gc.freeze()
            try:
                with multiprocessing.get_context("fork").Pool(workers, init_worker, (os.getpid(),)) as pool:
                    for results in pool.imap(_process_chunk, chunks):
                        yield from results
            finally:
                gc.unfreeze()
    finally:
        _JOB.clear()


def _process_chunk(paths: list[str]) -> list[tuple[dict, list[Entry]]]:
    site_dir, folders, tags, kept = os.fspath(_JOB["site_dir"]), _JOB["folders"], _JOB["tags"], _JOB["kept"]
    results = []
    for relative in paths:
        with open(os.path.join(site_dir, relative), "rb") as handle:  # not Path.read_bytes: 100,000 files
            data = handle.read()
        site_entry = {"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        unchanged = kept.get(relative) == site_entry["sha256"]
        results.append((site_entry, None if unchanged else _offline_entries(relative, data, folders, tags)))
    return results


def _offline_entries(relative: str, data: bytes, folders: set[str], tags: TagCache) -> list[Entry]:
    """The offline form of one site file: none, or itself (a page with its links to folders rewritten)."""
    if relative in LEFT_OUT:
        return []
    if relative.endswith(".html"):
        page = offline_page(data.decode("utf-8"), relative, folders, tags)
        if release.PLACEHOLDER_MARK in page:  # a downloads page: its Release links
            page = release.offline_form(page)
        return [_entry(relative, page.encode("utf-8"))]
    return [_entry(relative, data)]


def _entry(path: str, data: bytes) -> Entry:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)  # raw deflate, as in a zip
    deflated = compressor.compress(data) + compressor.flush()
    return Entry(path, len(data), hashlib.sha256(data).hexdigest(), zlib.crc32(data), deflated)


class PreviousZip:
    """The offline zip of the previous build, and the site files kept from it unchanged (``kept``:
    path → SHA-256 they must still have). A kept file's offline form is the same as then: it is the
    same page, and what its links name (its own region's pages, the election's, the reference
    pages) is there as then, since its region is unchanged. Its entry is copied from the previous
    zip, deflated as it was, when its bytes are still those (checked as they are hashed)."""

    def __init__(self, path: Path, kept: dict[str, str]):
        self._zip = zipfile.ZipFile(path)
        manifest = json.loads(self._zip.read(f"{ZIP_FOLDER}/{MANIFEST}"))
        self._offline = {entry["path"]: entry for entry in manifest["files"]}
        # only what the previous zip holds can be copied from it
        self.kept = {path: sha for path, sha in kept.items() if path in self._offline}

    @classmethod
    def open(cls, path: Path, kept: dict[str, str]) -> PreviousZip | None:
        """The previous zip, or None when there is none or it cannot be read as ours."""
        if not kept or not Path(path).is_file():
            return None
        try:
            return cls(path, kept)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return None

    def entry(self, path: str) -> Entry:
        info = self._zip.getinfo(f"{ZIP_FOLDER}/{path}")
        return Entry(path, info.file_size, self._offline[path]["sha256"], info.CRC, stored_bytes(self._zip, info))

    def close(self) -> None:
        self._zip.close()


def stored_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes as the zip stores them (still deflated), read past its local header."""
    handle = archive.fp
    handle.seek(info.header_offset)
    name_length, extra_length = struct.unpack("<HH", handle.read(zipfile.sizeFileHeader)[26:30])
    handle.seek(info.header_offset + zipfile.sizeFileHeader + name_length + extra_length)
    return handle.read(info.compress_size)


class _RawZip:
    """A zip written from entries deflated elsewhere: local headers by ``zipfile.ZipInfo``, the central
    directory (sorted by name) and ZIP64 records by ``zipfile.ZipFile.close``.

    ``zipfile`` cannot take deflated bytes, so ``add`` does what ``ZipFile.writestr`` does after
    compressing (CPython 3.11 ``_open_to_write`` + ``_ZipWriteFile.close``), through ZipFile's
    attributes. tests/test_publish.py reads the result back (zipfile, unzip, Chromium from file://).
    """

    def __init__(self, target: Path):
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
        self._names: dict[str, str] = {}  # case-folded name → name

    def add(self, name: str, entry: Entry) -> None:
        # Unzipped on a case-insensitive disk (Windows, macOS), names that differ only in case are one
        # file: the second would overwrite the first. Validation refuses such ids; this is the backstop.
        folded = name.casefold()
        if folded in self._names:
            raise ValueError(f"two files named {self._names[folded]!r} and {name!r} in the offline copy "
                             "(they differ only in case, and would be one file on Windows and macOS)")
        self._names[folded] = name
        info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
        info.create_system = 3  # Unix, so the mode below is read
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = entry.size, len(entry.deflated), entry.crc
        archive = self._zip
        info.header_offset = archive.fp.tell()
        zip64 = max(info.file_size, info.compress_size) * 1.05 > zipfile.ZIP64_LIMIT
        archive.fp.write(info.FileHeader(zip64))
        archive.fp.write(entry.deflated)
        archive.filelist.append(info)
        archive.NameToInfo[name] = info
        archive.start_dir = archive.fp.tell()
        archive._didModify = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self._zip.filelist.sort(key=lambda info: info.filename)
        self._zip.close()


def offline_page(page: str, relative: str, folders: set[str], tags: TagCache | None = None) -> str:
    """One HTML page for file://: folder links name index.html.

    ``tags``: rewritten tags to reuse across pages (the theme's nav is the same on every page)."""
    def rewrite(url: str) -> str | None:
        return _index_url(url, links.resolve_link(relative, url), folders)

    if tags is None:
        page = links.rewrite_links(page, rewrite)
    else:
        page = links.rewrite_tags(page, tags.rewriter(relative, rewrite))
    return page


class TagCache:
    """Tags already rewritten, keyed by the tag and the part of the page's folder its links depend on.
    One cache serves one site (one set of index folders).

    A relative URL that starts with k ``../`` and has no other ``..`` resolves to a target that depends
    only on the page's depth and its folder's first depth-k parts: ``../../../../about/`` means the
    same on every station page, ``../../units/x/`` on every page of one election. So a tag rewritten
    once is reused on every page that shares that much of the folder; other URLs (k = 0) key on the
    whole folder, which is always right, just rarely reused.
    """

    LIMIT = 200_000  # entries; cleared when full, to bound memory (tags that link to one station are unique)

    def __init__(self):
        self._ups: dict[str, int] = {}  # tag → the fewest '../' of its links (a large number if none)
        self._done: dict[tuple[str, int, str], str] = {}

    def rewriter(self, relative: str, rewrite):
        folder = relative.split("/")[:-1]
        depth = len(folder)
        prefixes = ["/".join(folder[:depth - k]) for k in range(depth + 1)]  # prefixes[k]: k parts dropped

        def rewrite_one(tag: str) -> str:
            ups = self._ups.get(tag)
            if ups is not None:
                key = (tag, depth, prefixes[min(ups, depth)])
                new = self._done.get(key)
                if new is not None:
                    return new
            urls = []

            def recording(url: str) -> str | None:
                urls.append(url)
                return rewrite(url)
            new = links.rewrite_tag(tag, recording)
            ups = min((_leading_ups(url) for url in urls), default=_INDEPENDENT)
            if len(self._done) >= self.LIMIT:
                self._done.clear()
            self._ups[tag] = ups
            self._done[(tag, depth, prefixes[min(ups, depth)])] = new
            return new
        return rewrite_one


_INDEPENDENT = 1 << 30  # a tag without relative links: its rewrite does not depend on the folder


def _leading_ups(url: str) -> int:
    """How many leading ``..`` a relative URL's path has, if its target depends on no more of the
    page's folder than that; 0 (depends on all of it) otherwise; _INDEPENDENT if it is not relative."""
    if not url or links.is_external(url) or url.startswith(("/", "#", "?")):
        return _INDEPENDENT
    parts = [part for part in unquote(urlsplit(url).path).split("/") if part not in ("", ".")]
    ups = 0
    while ups < len(parts) and parts[ups] == "..":
        ups += 1
    return 0 if ".." in parts[ups:] else ups


def _index_url(url: str, target: str | None, folders: set[str]) -> str | None:
    """``url`` with ``index.html`` added when it points at a folder that has one, else None."""
    if target is None or target not in folders:
        return None
    path, rest = links.split_url(url)
    if path and not path.endswith("/"):
        path += "/"
    return f"{path}index.html{rest}"
