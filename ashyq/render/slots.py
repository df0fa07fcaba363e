"""Large HTML blocks skip MkDocs: a page's tables and charts are already HTML, and Python-Markdown
spends most of a build re-parsing them (75 ms for a district page of 200 stations instead of 10).
``html_block`` marks each block; when a generated page is written, large blocks are replaced by a
placeholder and kept beside the docs folder, and ``fill`` puts them back into the built HTML.
MkDocs still builds every page (theme, nav, headings, search on titles and headings)."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

OPEN, CLOSE = "\x01", "\x02"  # never in page text: escape.h() drops control characters
_BLOCK = re.compile("\x01(.*?)\x02", re.DOTALL)
MIN_SLOT_CHARS = 1000
FILE = "slots.json"


_active = [False]


@contextmanager
def active():
    """Within render_site: pages written now keep their large blocks aside (fill puts them back).
    Outside it (a page written on its own, e.g. in a test) the Markdown holds everything inline."""
    _active[0] = True
    try:
        yield
    finally:
        _active[0] = False


def is_active() -> bool:
    return _active[0]


def placeholder(index: int) -> str:
    return f'<div data-ashyq-slot="{index}"></div>'


def mark(html_text: str) -> str:
    return OPEN + html_text + CLOSE


def unmark(text: str) -> str:
    """Hand-written pages keep their blocks inline."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def split(body: str) -> tuple[str, list[str]]:
    """(Markdown with placeholders, the large blocks in order)."""
    kept: list[str] = []

    def replace(match: re.Match) -> str:
        block = match.group(1)
        if len(block) < MIN_SLOT_CHARS:
            return block
        kept.append(block)
        return placeholder(len(kept) - 1)
    return _BLOCK.sub(replace, body), kept


def slots_dir(docs_dir: Path) -> Path:
    docs_dir = Path(docs_dir)
    return docs_dir.parent / f"{docs_dir.name}-slots"


def save(docs_dir: Path, url: str, blocks: list[str]) -> None:
    path = slots_dir(docs_dir) / url / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(blocks, ensure_ascii=False), encoding="utf-8")


def fill(docs_dir: Path, site_dir: Path) -> int:
    """Put every kept block back into the page MkDocs built. Returns the number of pages filled."""
    root = slots_dir(docs_dir)
    count = 0
    for path in sorted(root.rglob(FILE)):
        url = path.parent.relative_to(root).as_posix()
        url = "" if url == "." else url + "/"
        page = Path(site_dir) / url / "index.html"
        html = page.read_text(encoding="utf-8")
        for index, block in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            mark_ = placeholder(index)
            if html.count(mark_) != 1:
                raise RuntimeError(f"{url}: placeholder {index} not found once in the built page")
            html = html.replace(mark_, block)
        page.write_text(html, encoding="utf-8")
        count += 1
    return count
