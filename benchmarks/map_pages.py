"""Weight of every page with a map: ``python -m benchmarks.map_pages site/`` prints a Markdown table
(HTML, the map's inline JSON, the outlines script and the map code it loads; raw and gzipped).
Plotly itself (plotly-ashyq.min.js) is left out: every page with a chart loads it already."""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

MAP_DATA = re.compile(r'<script type="application/json" class="ashyq-map-data">(.*?)</script>', re.DOTALL)
SCRIPTS = re.compile(r'<script src="([^"]*(?:assets/maps/[^"]+|ashyq-map\.js))"></script>')


def _kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def map_pages(site: Path) -> list[dict]:
    out = []
    for page in sorted(site.rglob("index.html")):
        html = page.read_bytes()
        text = html.decode("utf-8")
        data = MAP_DATA.findall(text)
        if not data:
            continue
        scripts = sorted({(page.parent / src).resolve() for src in SCRIPTS.findall(text)})
        script_bytes = b"".join(p.read_bytes() for p in scripts)
        out.append({
            "page": page.relative_to(site).parent.as_posix() + "/",
            "html": len(html), "html_gz": len(gzip.compress(html, 9, mtime=0)),
            "json": sum(len(d.encode()) for d in data),
            "scripts": len(script_bytes), "scripts_gz": len(gzip.compress(script_bytes, 9, mtime=0)),
            "files": ", ".join(p.name for p in scripts),
        })
    return out


def table(rows: list[dict]) -> str:
    lines = ["| Page | HTML kB (gzip) | of which map JSON kB | outlines + map code kB (gzip) | total kB (gzip) |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['page']}` | {_kb(r['html'])} ({_kb(r['html_gz'])}) | {_kb(r['json'])} | "
                     f"{_kb(r['scripts'])} ({_kb(r['scripts_gz'])}) | {_kb(r['html'] + r['scripts'])} "
                     f"({_kb(r['html_gz'] + r['scripts_gz'])}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(map_pages(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))))
