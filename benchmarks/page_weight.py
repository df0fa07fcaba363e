"""What a reader downloads on a first visit, as GitHub Pages serves it (gzip), measured in Chromium.

``python -m benchmarks.page_weight SITE PAGE [PAGE …]`` serves SITE from a local server that gzips
text files (HTML, CSS, JS, JSON, SVG, XML, CSV) when the browser asks for it, opens each PAGE
(site-relative, e.g. ``kk/elections/kz-2011-presidential/stations/zhambyl.talas.410/``) in a fresh
Chromium context (empty cache), waits until the network is idle, and prints a Markdown table: the page's
HTML (raw and gzip), every file loaded, and the bytes transferred (bodies as sent, plus headers). A
second page in the same context (the cache warm) is measured with ``--then PAGE``; ``--files`` lists
every file each page loaded.

``python -m benchmarks.page_weight --sizes SITE`` prints the site's size and file count, in total and
per election (its pages in every language and its downloads)."""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
GZIP_TYPES = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt", ".md")
GZIP_LEVEL = 6  # what common servers use by default


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves text files gzipped (Content-Encoding: gzip) to a browser that accepts it."""
    cache: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")  # as GitHub Pages sends
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's own URL
            path = os.path.join(path, "index.html")
        if (not path.endswith(GZIP_TYPES) or not os.path.isfile(path)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = self.cache.get(path)
        if body is None:
            body = self.cache[path] = gzip.compress(Path(path).read_bytes(), GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def visit(context, url: str) -> dict:
    """Open ``url`` in ``context``; every response's URL, transferred bytes and decoded size."""
    tab = context.new_page()
    responses = []
    tab.on("requestfinished", lambda request: responses.append(request))
    tab.goto(url, wait_until="networkidle")
    files = []
    for request in responses:
        response = request.response()
        if response is None:
            continue
        sizes = request.sizes()
        files.append({"url": request.url, "status": response.status,
                      "transferred": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                      "body": sizes["responseBodySize"], "decoded": len(response.body() or b"")})
    tab.close()
    return {"url": url, "files": files, "transferred": sum(f["transferred"] for f in files),
            "decoded": sum(f["decoded"] for f in files)}


def weigh(site: Path, pages: list[str], then: str | None = None) -> list[dict]:
    from playwright.sync_api import sync_playwright

    httpd, base = serve(site)
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for page in pages:
                context = browser.new_context()
                html = (site / page / "index.html").read_bytes() if page.endswith("/") or not page else (site / page).read_bytes()
                result = visit(context, base + page)
                result.update(page=page, html=len(html), html_gz=len(gzip.compress(html, GZIP_LEVEL, mtime=0)))
                if then:
                    result["then"] = visit(context, base + then)
                out.append(result)
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return out


def _kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def table(rows: list[dict]) -> str:
    lines = ["| Page | HTML kB (gzip) | files loaded | decoded kB | transferred kB (first visit) | then, cache warm |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        then = f"{_kb(r['then']['transferred'])} ({len(r['then']['files'])} files)" if r.get("then") else ""
        lines.append(f"| `{r['page']}` | {_kb(r['html'])} ({_kb(r['html_gz'])}) | {len(r['files'])} | "
                     f"{_kb(r['decoded'])} | {_kb(r['transferred'])} | {then} |")
    return "\n".join(lines)


def files(rows: list[dict]) -> str:
    """Every file each page loaded: its path in the site, HTTP status, kB transferred and decoded."""
    lines = []
    for r in rows:
        lines.append(f"`{r['page']}`: {len(r['files'])} files, {_kb(r['transferred'])} kB transferred, "
                     f"{_kb(r['decoded'])} kB decoded")
        for f in r["files"]:
            path = f["url"].split("/", 3)[3] if f["url"].startswith("http://127.0.0.1") else f["url"]
            lines.append(f"  {f['status']} {_kb(f['transferred']):>7} {_kb(f['decoded']):>7}  {path}")
    return "\n".join(lines)


def sizes(site: Path) -> str:
    """Total and per-election size and file count (an election: its folder in every language and its
    downloads folder)."""
    def measure(paths):
        files = [p for root in paths if root.exists() for p in root.rglob("*") if p.is_file()]
        return len(files), sum(p.stat().st_size for p in files)

    lines = ["| What | files | MB |", "|---|---:|---:|"]
    n, size = measure([site])
    lines.append(f"| whole site | {n:,} | {size / 1e6:.1f} |")
    langs = sorted(p.name for p in site.iterdir() if (p / "elections").is_dir())
    for election in sorted(p.name for p in (site / langs[0] / "elections").iterdir() if p.is_dir()):
        n, size = measure([site / lang / "elections" / election for lang in langs] + [site / "downloads" / election])
        sn, ssize = measure([site / lang / "elections" / election / "stations" for lang in langs])
        lines.append(f"| `{election}` ({', '.join(langs)}; downloads) | {n:,} | {size / 1e6:.1f} |")
        if sn:
            lines.append(f"| ↳ its station pages | {sn:,} | {ssize / 1e6:.1f} ({ssize / sn / 1000:.1f} kB a page) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--then", help="a second page opened with the cache warm")
    parser.add_argument("--sizes", action="store_true", help="the site's size and file count")
    parser.add_argument("--files", action="store_true", help="also list every file each page loaded")
    args = parser.parse_args(argv)
    if args.sizes:
        print(sizes(args.site))
    if args.pages:
        rows = weigh(args.site, args.pages, args.then)
        print(table(rows))
        if args.files:
            print()
            print(files(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
