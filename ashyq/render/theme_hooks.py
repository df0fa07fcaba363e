"""MkDocs hooks for every language's build (named in the generated config, site.write_config).

Material's templates indent the page frame (header, nav, footer) for their own reading: ~5.6 kB of
every page is runs of blank lines and spaces (the About page: 36.2 → 30.6 kB). A browser reads any
run of white space between words or tags as one space, so each run that holds a line break becomes
that line break: the page renders and reads the same (text, links, screen readers).
Runs without a line break (a double space in a name from the data) and everything inside a tag
(attribute values), ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>`` are left as they are."""
from __future__ import annotations

import re

# A part kept whole (an element whose white space matters or is code, or one tag), or a run of white
# space that holds a line break.
_KEPT_OR_BREAK_RUN = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>|<[^>]*>)|[ \t\r\n\f]*\n[ \t\r\n\f]*",
                                re.DOTALL | re.IGNORECASE)


def compact(html: str) -> str:
    """``html`` with every run of white space that holds a line break, outside tags and kept
    elements, reduced to one line break."""
    return _KEPT_OR_BREAK_RUN.sub(lambda match: match.group(1) or "\n", html)


def on_post_page(output: str, page, config) -> str:  # noqa: ARG001 (MkDocs' hook signature)
    return compact(output)
