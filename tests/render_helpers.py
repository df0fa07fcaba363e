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
            if tag == "th" and self._stack[-1]["rows"]:
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
