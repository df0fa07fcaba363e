"""Every URL of the site is built here, so a language prefix can be added in one place later.

Paths are site-relative with a trailing slash (``elections/kz-2011/units/r1/``); links inside pages
are made relative to the page they sit on, so the site works from any folder and offline.
"""
from __future__ import annotations

import posixpath

LANGUAGE_PREFIX = ""  # e.g. "ru/" once pages are translated


def home() -> str:
    return LANGUAGE_PREFIX


def language_root(lang: str) -> str:
    """The folder holding the pages of one language (``lang``: kk, ru, en); the finder and the tests
    build links under it, the finder's index sits beside it (``find/``, shared by every language)."""
    return LANGUAGE_PREFIX


def election(election_id: str) -> str:
    return f"{LANGUAGE_PREFIX}elections/{election_id}/"


def unit(election_id: str, unit_id: str, level: str, is_root: bool = False) -> str:
    """The page of any unit: the root is the election page, stations have their own folder."""
    if is_root:
        return election(election_id)
    if level == "station":
        return station(election_id, unit_id)
    return f"{election(election_id)}units/{unit_id}/"


def contest(election_id: str, contest_id: str) -> str:
    """The page of one contest that is not the election's main result: a single-member constituency."""
    return f"{election(election_id)}contests/{contest_id}/"


def station(election_id: str, unit_id: str) -> str:
    return f"{election(election_id)}stations/{unit_id}/"


def station_shell(election_id: str) -> str:
    """The page MkDocs renders once per election at the depth of every station page."""
    return station(election_id, "_shell")


def changes(election_id: str) -> str:
    """The corrections page of an election."""
    return f"{election(election_id)}changes/"


def downloads(election_id: str | None = None) -> str:
    return f"{LANGUAGE_PREFIX}downloads/" + (f"#{election_id}" if election_id else "")


def page(name: str) -> str:
    """A hand-written or reference page by its name (``about``, ``data-dictionary``)."""
    return f"{LANGUAGE_PREFIX}{name}/"


def asset(name: str) -> str:
    return f"assets/{name}"


def source_file(url: str) -> str:
    """The Markdown file MkDocs turns into the page at ``url`` (directory URLs)."""
    url = url.split("#", 1)[0]
    return (url + "index.md") if url.endswith("/") or not url else url


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
