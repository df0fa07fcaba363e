"""Reading the built pages back in tests: tables as rows of cell texts, with row ids."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append({"class": attrs.get("class", ""), "head": [], "rows": []})
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1]["rows"].append({"id": attrs.get("id"), "class": attrs.get("class"), "cells": [],
                                            "head": False})
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "th" and attrs.get("scope") != "row" and self._stack[-1]["rows"]:
                self._stack[-1]["rows"][-1]["head"] = True
        elif tag == "small" and self._cell is not None:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            table = self._stack.pop()
            heads = [r for r in table["rows"] if r["head"]]
            table["head"] = heads[0]["cells"] if heads else []
            table["rows"] = [r for r in table["rows"] if not r["head"]]
            self.tables.append(table)
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            self._stack[-1]["rows"][-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "small" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")


def tables(path: Path) -> list[dict]:
    """Every table of a page: {"class", "head": [texts], "rows": [{"id", "cells": [texts]}]} (<small> left out)."""
    parser = _Tables()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser.tables


def number(value) -> str:
    """How pages print a count (1592 → "1,592")."""
    return f"{int(value):,}"


def not_published_note(html: str, after: str) -> list[str]:
    """The lines or columns named in the "Not published anywhere in this table" note of the first table
    after ``after`` in the page's HTML ([] when that table has no such note)."""
    import html as _html
    import re

    start = html.index(after)
    end = html.find("</table>", start)
    following = html.find("<table", end)
    rest = html[end:following if following != -1 else len(html)]
    found = re.search(r'<p class="ashyq-note">Not published anywhere in this table: (.*?)\.</p>', rest)
    return [_html.unescape(x) for x in found.group(1).split("; ")] if found else []


class _SheetTables(HTMLParser):
    """The tables of a protocol sheet with each cell's id, span and class, and the section (the
    ``<h2 id>``) each table is under."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._section = None
        self._depth = 0
        self._head = False
        self._cell: dict | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self._section = attrs.get("id")
        elif tag == "table":
            self._depth += 1
            self.tables.append({"section": self._section, "class": attrs.get("class", ""), "head": [], "rows": []})
        elif not self._depth:
            return
        elif tag in ("thead", "tbody"):
            self._head = tag == "thead"
        elif tag == "tr":
            (self.tables[-1]["head"] if self._head else self.tables[-1]["rows"]).append([])
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "id": attrs.get("id"), "span": int(attrs.get("colspan") or 1),
                          "class": attrs.get("class") or "", "text": []}
        elif tag == "small" and self._cell is not None:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            self._depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = " ".join("".join(self._cell["text"]).split())
            (self.tables[-1]["head"] if self._head else self.tables[-1]["rows"])[-1].append(self._cell)
            self._cell = None
        elif tag == "small" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell["text"].append(data)

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and self._cell is not None:
            self._cell["text"].append(" ")


def _flat(cells: list[dict]) -> list[dict]:
    return [c for c in cells for _ in range(c["span"])]


def sheet_tables(html: str) -> list[dict]:
    """The tables of a protocol sheet, parsed once (for ``sheet_columns``)."""
    parser = _SheetTables()
    parser.feed(html)
    return parser.tables


def sheet_columns(html: str | list[dict], station_id: str) -> list[dict]:
    """A station's columns on its protocol sheet, one entry per table it is in: {"section": the id of
    the h2 above (``c-<contest>``), "id": its header's id, "sources": the second header row's texts
    over its columns ([] with one header row), "rows": {row label: [cell texts of its columns]},
    "classes": {row label: [cell classes]}, "corner": the label column's header} (<small> left out). ``html``: the page, or its ``sheet_tables``."""
    out = []
    for table in (sheet_tables(html) if isinstance(html, str) else html):
        if not table["head"]:
            continue
        start = 0
        for cell in table["head"][0]:
            if cell["id"] == station_id or (cell["id"] or "").startswith(station_id + "--"):
                break
            start += cell["span"]
        else:
            continue
        span = cell["span"]
        sources = ([c["text"] for c in ([None] + _flat(table["head"][1]))[start:start + span]]
                   if len(table["head"]) > 1 else [])
        if "flat" not in table:
            table["flat"] = [(r[0]["text"], _flat(r)) for r in table["rows"]]
        rows, classes = {}, {}
        for label, flat in table["flat"]:
            rows[label] = [c["text"] for c in flat[start:start + span]]
            classes[label] = [c["class"] for c in flat[start:start + span]]
        out.append({"section": table["section"], "id": cell["id"], "sources": sources, "rows": rows,
                    "classes": classes, "class": table["class"], "corner": table["head"][0][0]["text"]})
    return out


def station_page(site: Path, url: str) -> tuple[Path, str]:
    """(the file of a station's sheet, the station's id) from its URL (``urls.station``)."""
    path, _, fragment = url.partition("#")
    return Path(site) / path / "index.html", fragment


def station_url(lang: str, election: str, unit_id: str) -> str:
    """``urls.station`` of a station whose id is ``<parent>.<number>`` (every bundled and synthetic one)."""
    from ashyq.render import urls

    parent, _, code = unit_id.rpartition(".")
    return urls.station(lang, election, unit_id, parent, code)
