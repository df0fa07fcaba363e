"""The GitHub Release: the offline copy and the bulk downloads, beside the site instead of in it.

GitHub Pages takes a site of at most 1 GB; GitHub's advice for large files is Releases. So a build
writes two folders: ``site/`` (the Pages artifact: pages and the downloads that stay small) and
``release/`` beside it (built aside and swapped in like the site, see swap.py), holding

- the offline copy, ``ashyq-site-offline.zip``;
- the bulk downloads (``in_release``): per election, the whole-package zip and every election-wide
  table with one row per polling station (CSV, Parquet, JSON). Per-region and per-district files,
  and tables of regions and districts, stay on Pages;
- ``manifest.json`` and ``SHA256SUMS`` of those files (``cd release && sha256sum -c SHA256SUMS``).

Release assets have no folders, so ``<election>/<contest>/station.csv`` is the asset
``<election>--<contest>--station.csv`` (``asset_name``); the package zip keeps its name.

The tag is ``data-`` + the first 12 hex digits of the SHA-256 of ``release/SHA256SUMS``: the same
input gives the same tag, and the site links to ``https://github.com/<repository>/releases/download/
<tag>/<file>`` before the workflow creates the Release. The repository is committed configuration
(pyproject.toml ``[tool.ashyq] release_repository``), never the CI's environment, so builds stay
deterministic.

The tag depends on the offline zip, which holds the site's pages: the pages cannot name the tag when
the zip is made. So render writes placeholders (``TAG``, ``OFFLINE_SIZE``, ``OFFLINE_SHA256``) on the
downloads pages; the offline copy gets them as a link to the repository's Releases and a dash
(``offline_form``), and after the Release folder is complete ``fill_placeholders`` writes the tag,
the zip's size and hash into the site's pages.
"""
from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

RELEASE_FOLDER = "release"
OFFLINE_ASSET = "ashyq-site-offline.zip"
TAG_PREFIX = "data-"
TAG = "@@ASHYQ-RELEASE-TAG@@"
OFFLINE_SIZE = "@@ASHYQ-OFFLINE-SIZE@@"
OFFLINE_SHA256 = "@@ASHYQ-OFFLINE-SHA256@@"
PLACEHOLDER_MARK = "@@ASHYQ-"
_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def release_dir(site_dir: Path) -> Path:
    """Where the Release's files go: the folder ``release`` beside the site folder."""
    return Path(site_dir).absolute().parent / RELEASE_FOLDER


def in_release(download) -> bool:
    """The rule: an election's whole-package zip, and its election-wide tables of polling stations.

    Measured (docs/benchmarks.md, "Release assets"): on Russia 2018 these are ~97% of the bytes of all
    downloads; what stays (tables of regions and districts, each region's and district's own station
    files) is small and one click from the page it describes."""
    if download.unit_id is not None:
        return False
    return download.level == "package" and download.format == "zip" or download.level == "station"


def asset_name(path: str) -> str:
    """``<election>/<contest>/station.csv`` → ``<election>--<contest>--station.csv``; a file already
    named by its election (``<election>/<election>-datapackage.zip``) keeps its name."""
    parts = str(path).split("/")
    if len(parts) == 2 and parts[1].startswith(parts[0] + "-"):
        return parts[1]
    return "--".join(parts)


@cache
def repository() -> str:
    """``owner/name`` of the GitHub repository whose Releases hold the files (committed config)."""
    config = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))
    value = config.get("tool", {}).get("ashyq", {}).get("release_repository", "")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
        raise RuntimeError(f"{_PYPROJECT}: [tool.ashyq] release_repository must be owner/name, not {value!r}")
    return value


def releases_page() -> str:
    return f"https://github.com/{repository()}/releases"


def asset_url(name: str, tag: str = TAG) -> str:
    return f"{releases_page()}/download/{tag}/{name}"


def tag_of(checksums: bytes) -> str:
    import hashlib

    return TAG_PREFIX + hashlib.sha256(checksums).hexdigest()[:12]


_ASSET_LINK = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/releases/download/"
                         + re.escape(TAG) + r"/[A-Za-z0-9_.-]+")


def offline_form(page: str) -> str:
    """The downloads page in the offline copy: the copy cannot know the tag (it depends on the copy),
    so Release links go to the repository's Releases, and the copy's own size and hash read "—"."""
    page = _ASSET_LINK.sub(releases_page(), page)
    return page.replace(OFFLINE_SIZE, "—").replace(OFFLINE_SHA256, "—")


def fill_placeholders(page: str, tag: str, offline_size: str, offline_sha256: str) -> str:
    return page.replace(TAG, tag).replace(OFFLINE_SIZE, offline_size).replace(OFFLINE_SHA256, offline_sha256)
