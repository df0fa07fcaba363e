"""Escaping of text from data: for HTML, for Markdown, and for JSON inside a <script> element.

Every string that comes from a package (names, titles, notes, URLs) passes through one of these
before it reaches a page, so a candidate called ``<script>`` or ``[x](javascript:…)`` shows as text.
"""
from __future__ import annotations

import html
import json
import re

# What Python-Markdown can escape (its ESCAPED_CHARS, and '|' with the tables extension). Escaping any
# other character (':', '=', '~', '^') would show its backslash: "Almaty\: Medeu".
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def h(value) -> str:
    """Text for HTML element content or a quoted attribute (control characters dropped)."""
    return html.escape(_CONTROL.sub("", "" if value is None else str(value)), quote=True)


def md(value) -> str:
    """Text for a Markdown line (headings, list items): HTML-escaped, then Markdown punctuation escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", h(value).replace("\n", " "))


def safe_url(value) -> str | None:
    """A URL from data only if it is plain http(s)/mailto; anything else (javascript:, data:) is dropped."""
    if not value:
        return None
    text = str(value).strip()
    return text if _SAFE_URL.match(text) else None


def script_json(value) -> str:
    """JSON that is safe inside <script>: no '<', '>', '&', U+2028 or U+2029 appear literally."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def yaml_string(value) -> str:
    """A scalar for the page's YAML front matter (JSON strings are valid YAML)."""
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def data_text(value) -> str:
    """Free text from a package (a note, a source's title) in whatever language the package wrote it:
    escaped, and marked as data so it is told apart from the interface's own text."""
    return f'<span class="ashyq-data">{h(value)}</span>' if value not in (None, "") else ""
