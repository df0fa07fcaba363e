"""Every URL of the site is built here.

Pages exist once per language under its prefix (``kk/``, ``ru/``, ``en/``), with the same path after
the prefix in every language: ``ru/elections/kz-2022-presidential/units/almaty/``. Language-neutral
files (downloads, the integrity CSVs, our vendored assets) exist once, outside the prefixes, and
pages in every language link to them. Paths are site-relative with a trailing slash; links inside
pages are made relative to the page they sit on, so the site works from any folder and offline.
"""
from __future__ import annotations

import posixpath


def home(lang: str) -> str:
    return f"{lang}/"


def election(lang: str, election_id: str) -> str:
    return f"{lang}/elections/{election_id}/"


def language_root(lang: str) -> str:
    """The folder holding the pages of one language (``lang``: kk, ru, en); the finder and the tests
    build links under it, the finder's index sits beside it (``find/``, shared by every language)."""
    return f"{lang}/"


def unit(lang: str, election_id: str, unit_id: str, level: str, is_root: bool = False,
         parent_id: str | None = None, code: str | None = None) -> str:
    """The page of any unit: the root is the election page, a station is a column of its sheet
    (``parent_id`` and ``code`` say which, see ``station``)."""
    if is_root:
        return election(lang, election_id)
    if level == "station":
        if parent_id is None:
            raise ValueError(f"station {unit_id!r}: its URL names its commission (parent_id), none given")
        return station(lang, election_id, unit_id, parent_id, code)
    return f"{election(lang, election_id)}units/{unit_id}/"


def contest(lang: str, election_id: str, contest_id: str) -> str:
    """The page of one contest that is not the election's main result: a single-member constituency."""
    return f"{election(lang, election_id)}contests/{contest_id}/"


# Polling stations are published on protocol sheets: one page per commission (the station's parent
# unit) and block of station numbers, a column per station. A station's address depends only on the
# station itself (its parent and its own number), so it never moves when other stations are added.
SHEET_BLOCK = 100


def sheet_range(code) -> str:
    """The block of station numbers a station's ``code`` falls in ("400-499"), or ``all`` when the
    code is not a whole number (or missing): such stations share one sheet per commission."""
    text = str(code if code is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return "all"
    start = int(text) // SHEET_BLOCK * SHEET_BLOCK
    return f"{start}-{start + SHEET_BLOCK - 1}"


def sheet_key(parent_id: str, code) -> str:
    """The part of a sheet's path after ``stations/``: ``<parent>/<range>``."""
    return f"{parent_id}/{sheet_range(code)}"


def sheet(lang: str, election_id: str, parent_id: str, code) -> str:
    """The protocol sheet holding the station of this parent and code (any station of its block)."""
    return f"{election(lang, election_id)}stations/{sheet_key(parent_id, code)}/"


def station(lang: str, election_id: str, unit_id: str, parent_id: str, code) -> str:
    """A polling station: its column on its sheet (``…/stations/<parent>/<range>/#<station>``)."""
    return f"{sheet(lang, election_id, parent_id, code)}#{unit_id}"


def station_pattern(lang: str, election_id: str) -> str:
    """A station's URL with ``{sheet}`` (``sheet_key``) and ``{id}`` left to fill (the finder's index)."""
    return f"{election(lang, election_id)}stations/{{sheet}}/#{{id}}"


def changes(lang: str, election_id: str) -> str:
    """The corrections page of an election."""
    return f"{election(lang, election_id)}changes/"


def integrity(lang: str, election_id: str) -> str:
    return f"{election(lang, election_id)}integrity/"


def downloads(lang: str, election_id: str | None = None) -> str:
    """The downloads page (one per language); the files themselves are at ``download_file``."""
    return f"{lang}/downloads/" + (f"#{election_id}" if election_id else "")


DOWNLOADS_DIR = "downloads/"


def download_file(path: str) -> str:
    """A downloadable file (language-neutral, once): ``downloads/<election>/<file>``."""
    return f"{DOWNLOADS_DIR}{path}"


def integrity_csv(election_id: str, name: str) -> str:
    """An integrity table as CSV (language-neutral: the contract's column names)."""
    return download_file(f"{election_id}/integrity/{name}.csv")


def page(lang: str, name: str) -> str:
    """A hand-written or reference page by its name (``about``, ``data-dictionary``)."""
    return f"{lang}/{name}/"


def asset(name: str) -> str:
    """Our own CSS, JS and vendored libraries: once, at the site's root."""
    return f"assets/{name}"


def theme_asset(lang: str, name: str) -> str:
    """The theme's own files (Material's CSS, JS, icon): in each language's MkDocs build."""
    return f"{lang}/assets/{name}"


def language_of(url: str) -> str:
    return url.split("/", 1)[0]


def in_language(url: str, lang: str) -> str:
    """The same page in another language (the path after the prefix is the same)."""
    return f"{lang}/{url.split('/', 1)[1]}"


def build_path(url: str) -> str:
    """The URL inside its language's MkDocs build (the prefix is that build's site folder)."""
    return url.split("/", 1)[1]


def source_file(url: str) -> str:
    """The Markdown file (inside the language's build) MkDocs turns into the page at ``url``."""
    url = build_path(url.split("#", 1)[0])
    return (url + "index.md") if url.endswith("/") or not url else url


def built_file(source: str) -> str:
    """The HTML file MkDocs writes for the Markdown file ``source`` (directory URLs)."""
    stem = source[:-len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def relative(from_url: str, to_url: str) -> str:
    """Link from the page at ``from_url`` to ``to_url`` (both site-relative; fragments kept)."""
    target, _, fragment = to_url.partition("#")
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath("/" + target, "/" + base) if target else "."
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./":
        rel = "./"
    return rel + (f"#{fragment}" if fragment else "")
