"""The finder and search index at national scale: build ``find/`` alone from a package's model, serve
it with a small page holding the finder box, and measure in Chromium (bytes fetched, time from the
last keystroke to the first result) for the queries readers type. Also over file://.

    python -m benchmarks.finder_bench <datasets folder> <out folder> [query …]

Used for docs/benchmarks.md ("Finding a polling station and the site search"); timings are printed,
never asserted.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import sys
import threading
import time
from pathlib import Path

from ashyq import load, model
from ashyq.render import finder
from ashyq.render.data import load_election
from ashyq.render.site import ASSETS

QUERIES = ["410", "УИК №410", "Алейская", "Алейской", "Москва", "410 Москва", "Zzyzx"]


def build(datasets: Path, out: Path) -> dict:
    packages = load.load_packages(datasets)
    db = model.build_model(packages)
    start = time.perf_counter()
    elections = [load_election(db, row["election_id"]) for row in db.named("elections")]
    loaded = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    files = finder.write_index(out, elections)
    took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
    shutil.copy(ASSETS / "finder.js", out / "assets" / "finder.js")
    (out / "index.html").write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>finder</title>"
        + finder.finder_box("en", "") + "</html>", encoding="utf-8")
    sizes = sorted((p.stat().st_size for p in (out / "find").iterdir()), reverse=True)
    return {"stations": sum(len(e.stations()) for e in elections), "files": files, "index_seconds": round(took, 1), "index_cpu_seconds": round(took_cpu, 1),
            "load_seconds": round(loaded, 1), "bytes": sum(sizes), "largest": sizes[:3],
            "manifest": (out / "find" / finder.MANIFEST_FILE).stat().st_size}


def measure(site: Path, queries: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for where, url in (("http", f"http://127.0.0.1:{httpd.server_address[1]}/"), ("file", (site / "index.html").as_uri())):
            for query in queries:
                page = browser.new_page()
                fetched, bad = [], []
                page.on("response", lambda r: fetched.append(r) if "/find/" in r.url else None)
                page.on("response", lambda r: bad.append(r.url) if r.status >= 400 else None)
                page.goto(url)
                box = page.locator(".ashyq-find input")
                box.press_sequentially(query[:-1])
                page.wait_for_timeout(400)
                start = time.perf_counter()
                box.press_sequentially(query[-1])  # the last keystroke
                page.wait_for_function("document.querySelector('.ashyq-find-status').textContent"
                                       f".indexOf({json.dumps(query)}) >= 0", timeout=20_000)
                took = (time.perf_counter() - start) * 1000
                size = sum(len(r.body()) for r in fetched) if where == "http" else None
                results.append({"where": where, "query": query, "ms": round(took), "bytes": size, "files": len(fetched),
                                "status": page.locator(".ashyq-find-status").inner_text(), "errors": bad})
                page.close()
        browser.close()
    httpd.shutdown()
    return results


def main(argv: list[str]) -> int:
    datasets, out = Path(argv[0]), Path(argv[1])
    facts = build(datasets, out)
    print(json.dumps(facts, indent=1))
    for row in measure(out, argv[2:] or QUERIES):
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
