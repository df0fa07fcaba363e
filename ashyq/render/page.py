"""A generated page: its URL, title, body, and front matter flags; written as Markdown for MkDocs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import slots, urls
from .escape import h, yaml_string
from .fragments import SORTABLE


@dataclass
class Page:
    url: str  # site-relative, trailing slash
    title: str  # plain text (escaped when written)
    body: str  # Markdown / raw HTML, already escaped
    charts: bool = False
    search: bool = True
    hide: list[str] = field(default_factory=list)

    def markdown(self, blocks: list[str] | None = None) -> str:
        """The Markdown file; large HTML blocks go to ``blocks`` (placeholders left) when given."""
        meta = [f"title: {yaml_string(h(self.title))}"]
        if self.charts:
            meta.append("charts: true")
        if SORTABLE.search(self.body):  # the page loads tablesort (overrides/main.html)
            meta.append("sortable: true")
        if not self.search:
            meta.append("search:\n  exclude: true")
        if self.hide:
            meta.append("hide:\n" + "".join(f"  - {x}\n" for x in self.hide).rstrip("\n"))
        body = self.body
        if blocks is not None:
            body, kept = slots.split(body)
            blocks.extend(kept)
        return "---\n" + "\n".join(meta) + "\n---\n\n" + slots.unmark(body)

    def write(self, docs_dir: Path) -> Path:
        """Into ``docs_dir/<lang>/`` (one MkDocs build per language; the URL carries the language)."""
        path = Path(docs_dir) / urls.language_of(self.url) / urls.source_file(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        blocks: list[str] = []
        path.write_text(self.markdown(blocks if slots.is_active() else None), encoding="utf-8")
        if blocks:
            slots.save(docs_dir, self.url, blocks)
        return path
