"""The scale benchmark: a national election (97,699 polling stations) from import to published site.

Run by hand: ``make benchmark`` (= ``.venv/bin/python -m benchmarks.run``). Not part of the test suite.

Steps, each a separate process measured from outside (wall time, CPU time, peak memory of the whole
process tree):

1. ``build.py import`` the real 2018 Russian presidential table with the shipped mapping;
2. ``build.py validate`` the package it wrote (validation cache off: a cold run);
3. the complete build (``build.py --datasets <only that package> --site ...``, validation cache off), run
   through ``benchmarks.keep_staging`` so the generated MkDocs config and pages are kept;
4. a bare ``mkdocs build`` of exactly those pages, for comparison;
5. the site is walked: pages, bytes, largest HTML page, and every region, territorial commission and
   station is checked to have its page, each station page showing every protocol line the table has;
6. an election of Kazakhstan's size: the table's first whole regions, in file order, up to 10,000
   stations (10,023 in 12 regions), imported and built the same way; its site's size and files;
7. election night: the complete build's site rebuilt after the median region's protocols are
   withdrawn, then again after they arrive (each batch imported and validated as a new batch is:
   the validation cache starts empty before the first, so the second finds only the arriving
   region's rows new); the second rebuild must equal the complete build, file by file.

Figures go to ``benchmarks/out/results.json`` and a dated run section is added to ``docs/benchmarks.md``
(newest first). Peak memory is the largest sum over the process tree of PSS (proportional set size:
shared pages of forked workers counted once), polled from /proc every 0.1 s; the largest single
process's ``ru_maxrss`` (what ``/usr/bin/time -v`` reports) is recorded too.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import json
import os
import platform
import posixpath
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from ashyq.render import urls

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path("/work/shared/realdata/ru-uik-shpilkin/2018.csv")
MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
OUT = ROOT / "benchmarks" / "out"
REPORT = ROOT / "docs" / "benchmarks.md"
ELECTION_ID = "ru-2018"
PY = sys.executable

# The targets, on a 2-core machine.
IMPORT_VALIDATE_S = 60.0
BUILD_S = 300.0
OWN_SHARE = 0.5
PEAK_MB = 2048.0
PAGE_KB = 300.0
PAGES_MB = 1000.0  # GitHub Pages: a published site of at most 1 GB (taken as 10^9 bytes, the stricter)
PAGES_FILES = 200_000  # GitLab Pages' limit, the stricter of the two hosts
SMALL_STATIONS = 10_000  # an election of Kazakhstan's size (~10,000 stations, ~20 regions, ~200 commissions)
SMALL_MB = 100.0  # its site in three languages
NIGHT_S = 60.0  # election night: the rebuild after one region's protocols arrive

STAGE_LINE = re.compile(r"^\[ashyq\] (.+?): done in ([\d.]+) s$")
STAGE_START = re.compile(r"^\[ashyq\] (\S[^\n]*?) …$", re.MULTILINE)
MKDOCS_LINE = re.compile(r"^\[bench\] mkdocs-in-build: ([\d.]+) s$")
REGIONS_LINE = re.compile(r": (\d+) of (\d+) regions unchanged, reused")
PAGES_LINE = re.compile(r"mkdocs build \(\w+\): [\d.]+ s \((\d+) unchanged page\(s\) reused, (\d+) built\)")


# --- measuring a process tree -------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])  # comm may hold spaces and parentheses
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children, out, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def measure(name: str, command: list[str], env: dict | None = None) -> dict:
    """Run ``command``; its stderr goes to OUT/<name>.log. Returns the figures."""
    log_path = OUT / f"{name}.log"
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    peak = {"pss": 0, "rss": 0, "processes": 0}
    stage_peaks: dict[str, float] = {}  # peak tree PSS (MB) while each "[ashyq] <stage> …" line was the last one
    with open(log_path, "w", encoding="utf-8") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                pids = _tree(process.pid)
                sizes = [_memory_kb(pid) for pid in pids]
                peak["pss"] = max(peak["pss"], sum(s[0] for s in sizes))
                peak["rss"] = max(peak["rss"], sum(s[1] for s in sizes))
                peak["processes"] = max(peak["processes"], sum(1 for s in sizes if s[1]))
                started = STAGE_START.findall(log_path.read_text(encoding="utf-8", errors="replace"))
                if started:
                    stage = started[-1]
                    stage_peaks[stage] = max(stage_peaks.get(stage, 0), round(sum(s[0] for s in sizes) / 1024, 1))
                done.wait(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        poller.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        sys.exit(f"benchmark: {name} failed (exit {process.returncode}); see {log_path}:\n{text[-3000:]}")
    stages, mkdocs_in_build = {}, None
    for line in text.splitlines():
        if match := STAGE_LINE.match(line.strip()):
            stages[match.group(1)] = float(match.group(2))
        if match := MKDOCS_LINE.match(line.strip()):
            mkdocs_in_build = (mkdocs_in_build or 0.0) + float(match.group(1))  # one build per language
    figures = {
        "command": " ".join(str(c) for c in command),
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_tree_pss_mb": round(peak["pss"] / 1024, 1),
        "peak_tree_rss_mb": round(peak["rss"] / 1024, 1),
        "peak_processes": peak["processes"],
        "max_single_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stages": stages,
        "stage_peak_pss_mb": stage_peaks,
    }
    if mkdocs_in_build is not None:
        figures["mkdocs_in_build_s"] = mkdocs_in_build
    print(f"  {name}: {figures['wall_s']} s wall, {figures['cpu_s']} s CPU, "
          f"peak {figures['peak_tree_pss_mb']} MB (tree PSS)", flush=True)
    return figures


# --- the site -----------------------------------------------------------------------------------

def walk_site(site: Path) -> dict:
    files = html_pages = total_bytes = html_bytes = 0
    largest = (0, "")
    over_limit, top = [], []
    stack = [site]
    while stack:
        for entry in os.scandir(stack.pop()):
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            size = entry.stat(follow_symlinks=False).st_size
            files += 1
            total_bytes += size
            if entry.name.endswith(".html"):
                html_pages += 1
                html_bytes += size
                rel = Path(entry.path).relative_to(site).as_posix()
                largest = max(largest, (size, rel))
                top.append((size, rel))
                if len(top) > 50:
                    top = sorted(top, reverse=True)[:5]
                if size > PAGE_KB * 1000:
                    over_limit.append((size, rel))
    return {"files": files, "html_pages": html_pages, "bytes": total_bytes, "html_bytes": html_bytes,
            "largest_page_bytes": largest[0], "largest_page": largest[1],
            "pages_over_limit": len(over_limit), "worst_over_limit": sorted(over_limit, reverse=True)[:10],
            "largest_pages": sorted(top, reverse=True)[:5]}


def check_coverage(site: Path, package_dir: Path) -> dict:
    """Every region and commission has its page; every station its permalink with the whole protocol."""
    import polars as pl

    units = pl.read_csv(package_dir / "units.csv", infer_schema_length=0)
    protocols = pl.read_csv(package_dir / "protocols.csv", infer_schema_length=0)
    election = site / "en" / "elections" / ELECTION_ID  # the same pages exist under kk/ and ru/
    by_level = {level: units.filter(pl.col("level") == level)["unit_id"].to_list()
                for level in units["level"].unique().to_list()}
    parents = dict(zip(units["unit_id"], units["parent_id"]))
    codes = dict(zip(units["unit_id"], units["code"]))

    def page_of(unit_id: str, level: str) -> str:
        """The page of a unit after ``en/``: a station's is its protocol sheet (urls.station)."""
        if level == "station":
            return urls.sheet("en", ELECTION_ID, parents[unit_id], codes[unit_id]).removeprefix("en/")
        return f"elections/{ELECTION_ID}/units/{unit_id}/"

    missing = {}
    for level, ids in sorted(by_level.items()):
        if level == "country":
            continue
        missing[level] = [u for u in ids if not (site / "en" / page_of(u, level) / "index.html").is_file()
                          or (level == "station" and f'id="{u}"' not in _page_text(site / "en" / page_of(u, level)))]
    # A station "shows its whole protocol" when every published figure of its protocol row and every
    # candidate's votes appear in its column of its sheet (numbers as rendered: with or without
    # thousands separators).
    lines = [c for c in protocols.columns if c not in ("contest_id", "unit_id", "source_id", "note", "turnout_percent")]
    votes = pl.read_csv(package_dir / "votes.csv", infer_schema_length=0)
    votes_by_station = {unit: list(zip(choices, counts)) for unit, choices, counts in votes.group_by("unit_id").agg(
        pl.col("choice_id"), pl.col("votes")).iter_rows()}
    incomplete = []
    for row in protocols.iter_rows(named=True):
        sheet = site / "en" / page_of(row["unit_id"], "station")
        if not (sheet / "index.html").is_file():
            continue
        # cells joined by "|", not a space: a space between two cells would read as a thousands separator
        numbers = set(re.findall(r"\d+", _digits_only("|".join(_column(_page_text(sheet), row["unit_id"])))))
        figures = [(line, row[line]) for line in lines] + votes_by_station.get(row["unit_id"], [])
        for what, value in figures:
            if value not in (None, "") and value not in numbers:
                incomplete.append((row["unit_id"], what, value))
                break
    reached = reachable_pages(site / "en", f"elections/{ELECTION_ID}/")  # kk/ and ru/ link alike
    unreached = {level: sum(1 for u in ids if page_of(u, level) not in reached)
                 for level, ids in sorted(by_level.items()) if level != "country"}
    return {"levels": {level: len(ids) for level, ids in sorted(by_level.items())},
            "missing_pages": {level: len(ids) for level, ids in missing.items()},
            "not_reachable_by_links": unreached,
            "missing_examples": {level: ids[:5] for level, ids in missing.items() if ids},
            "protocol_lines_checked": lines,
            "stations_with_incomplete_protocol": len(incomplete), "incomplete_examples": incomplete[:5]}


_HREF = re.compile(r'href="([^"#?]+)[^"]*"')  # the page a link opens (a station's: its sheet)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd]([^>]*)>(.*?)</t[hd]>", re.S)
_SPAN = re.compile(r'colspan="(\d+)"')


@functools.lru_cache(maxsize=64)
def _page_text(folder: Path) -> str:
    return (folder / "index.html").read_text(encoding="utf-8")


def _column(html: str, station_id: str) -> list[str]:
    """The cells of a station's columns in the tables of its sheet (its header's colspan wide)."""
    out = []
    for table in html.split("<table")[1:]:
        head, _, body = table.partition("</thead>")
        rows = _ROW.findall(head)
        if not rows or f'id="{station_id}' not in rows[0]:
            continue
        start = 0
        for attrs, _ in _CELL.findall(rows[0]):
            span = int((_SPAN.search(attrs) or [0, 1])[1])
            if re.search(rf'id="{re.escape(station_id)}(?:--\d+)?"', attrs):
                break
            start += span
        for r in _ROW.findall(body):
            at = 0
            for attrs, text in _CELL.findall(r):
                n = int((_SPAN.search(attrs) or [0, 1])[1])
                if start <= at < start + span:
                    out.append(text)
                at += n
    return out


def reachable_pages(site: Path, start: str) -> set[str]:
    """Pages under ``start`` reached by following links from it (station pages are not followed)."""
    seen, todo = {start}, [start]
    while todo:
        url = todo.pop()
        page = site / url / "index.html"
        if "/stations/" in url or not page.is_file():
            continue
        for href in _HREF.findall(page.read_text(encoding="utf-8")):
            if "://" in href or href.startswith(("/", "mailto:")):
                continue
            target = posixpath.normpath(posixpath.join(url, href)) + "/"
            if target.startswith(start) and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


_SEPARATORS = re.compile(r"(?<=\d)[\u00a0\u202f\u2009, ](?=\d{3}\b)")


def _digits_only(html: str) -> str:
    """Numbers with their thousands separators taken out, so 1 234 and 1,234 read as 1234."""
    return _SEPARATORS.sub("", html.replace("&nbsp;", "\u00a0").replace("&#8239;", "\u202f"))


# --- the run ------------------------------------------------------------------------------------

def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "kernel": platform.release()}


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run(keep: bool) -> dict:
    if not TABLE.is_file():
        sys.exit(f"benchmark: {TABLE} is not there (the real 2018 table is needed)")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    datasets, package, site, kept = OUT / "datasets", OUT / "datasets" / ELECTION_ID, OUT / "site", OUT / "kept"
    cold = {"ASHYQ_VALIDATION_CACHE": "off"}
    results = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
               "table": str(TABLE), "mapping": str(MAPPING.relative_to(ROOT)), "load_before": loadavg()}
    print(f"benchmark: {results['machine']['nproc']} cores, {results['machine']['ram_gb']} GB, "
          f"load {results['load_before']}", flush=True)
    results["import"] = measure("import", [PY, "build.py", "import", str(TABLE), "--mapping", str(MAPPING),
                                           "--out", str(package)])
    results["validate"] = measure("validate", [PY, "build.py", "--datasets", str(datasets), "validate"], cold)
    results["build"] = measure("build", [PY, "-m", "benchmarks.keep_staging", str(kept),
                                         "--datasets", str(datasets), "--site", str(site)], cold)
    results["bare_mkdocs"] = measure("bare-mkdocs", [PY, "-m", "mkdocs", "build", "--strict", "--quiet",
                                                     "-f", str(kept / "mkdocs.en.yml")])  # one language of three
    results["load_after"] = loadavg()
    print("  walking the site …", flush=True)
    results["site"] = walk_site(site)
    results["release"] = walk_site(site.parent / "release")  # the GitHub Release's files (publish/release.py)
    results["bare_mkdocs"]["html_pages"] = walk_site(kept / "site")["html_pages"]
    results["coverage"] = check_coverage(site, package)
    results["night"] = election_night(package, site, cold)
    results["small"] = small_election(OUT / "small", cold)
    results["targets"] = targets(results)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if not keep:
        shutil.rmtree(kept, ignore_errors=True)
    return results


def election_night(package: Path, site: Path, env: dict) -> dict:
    """Step 7: one region's protocols withdrawn, then arriving again, each a rebuild of the complete
    build's site (what it kept beside it: render/reuse.py, render/page_cache.py), validating each
    batch as a new batch is (validation/rows.py: the rows the first rebuild confirmed are not sent
    to Frictionless again, the arriving region's are). The second rebuild must give back the
    complete build byte for byte: every file of the site and of the Release is compared."""
    from ashyq.publish.manifest import hash_tree

    def tree(folder: Path) -> dict[str, str]:
        return {entry["path"]: entry["sha256"] for entry in hash_tree(folder)}

    env = {**env, "ASHYQ_VALIDATION_CACHE": str(OUT / "night-validation-cache")}  # empty: nothing confirmed yet
    region = median_region(TABLE)
    before = {"site": tree(site), "release": tree(site.parent / "release")}
    table = OUT / "night-without-region.csv"
    out = {"region": region, "stations": without_region(TABLE, table, region)}
    datasets = package.parent
    for name, source in (("without", table), ("arrives", TABLE)):
        measure(f"night-import-{name}", [PY, "build.py", "--quiet", "import", str(source), "--mapping", str(MAPPING),
                                        "--out", str(package), "--force"])
        out[name] = measure(f"night-{name}", [PY, "build.py", "--datasets", str(datasets), "--site", str(site)], env)
        said = (OUT / f"night-{name}.log").read_text(encoding="utf-8")
        out[name]["pages"] = [[int(kept), int(built)] for kept, built in PAGES_LINE.findall(said)]
        out[name]["regions"] = [int(n) for n in REGIONS_LINE.search(said).groups()]
    after = {"site": tree(site), "release": tree(site.parent / "release")}
    out["identical"] = after == before
    out["differing"] = sorted(path for part in before for path in set(before[part]) | set(after[part])
                              if before[part].get(path) != after[part].get(path))[:20]
    print(f"  night: byte-identical to the complete build: {out['identical']}", flush=True)
    return out


def median_region(table: Path) -> str:
    """The region of median size (stations) in the table."""
    sizes: dict[str, int] = {}
    with table.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        next(reader)
        for row in reader:
            sizes[row[0]] = sizes.get(row[0], 0) + 1
    ranked = sorted(sizes, key=lambda name: (sizes[name], name))
    return ranked[len(ranked) // 2]


def without_region(table: Path, out: Path, region: str) -> int:
    """The table without one region's rows; returns how many stations that region has."""
    dropped = 0
    with table.open(encoding="utf-8", newline="") as source, out.open("w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if row[0] == region:
                dropped += 1
            else:
                writer.writerow(row)
    return dropped


def first_regions(table: Path, out: Path, stations: int) -> dict:
    """The table's first whole regions, in file order, until they hold at least ``stations`` rows."""
    regions, commissions, rows = [], set(), 0
    with table.open(encoding="utf-8", newline="") as source, out.open("w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if row[0] not in regions:
                if rows >= stations:
                    break
                regions.append(row[0])
            writer.writerow(row)
            commissions.add((row[0], row[1]))
            rows += 1
    return {"stations": rows, "regions": len(regions), "commissions": len(commissions)}


def small_election(folder: Path, env: dict) -> dict:
    """Step 6: an election of Kazakhstan's size, imported and built in kk, ru and en; its site walked."""
    folder.mkdir(parents=True)
    table, package, site = folder / "2018-first-regions.csv", folder / "datasets" / ELECTION_ID, folder / "site"
    out = first_regions(TABLE, table, SMALL_STATIONS)
    measure("small-import", [PY, "build.py", "import", str(table), "--mapping", str(MAPPING), "--out", str(package)])
    out["build"] = measure("small-build", [PY, "build.py", "--datasets", str(folder / "datasets"), "--site", str(site)], env)
    out["site"], out["release"] = walk_site(site), walk_site(folder / "release")
    return out


def targets(r: dict) -> list[dict]:
    build = r["build"]
    mkdocs_s = build.get("mkdocs_in_build_s", r["bare_mkdocs"]["wall_s"])
    own_s = build["wall_s"] - mkdocs_s
    peak = max(r[s]["peak_tree_pss_mb"] for s in ("import", "validate", "build"))
    coverage = r["coverage"]
    complete = (not any(coverage["missing_pages"].values()) and not any(coverage.get("not_reachable_by_links", {}).values())
                and not coverage["stations_with_incomplete_protocol"])
    return [
        _target("Import + validation of 97,699 stations", r["import"]["wall_s"] + r["validate"]["wall_s"],
                IMPORT_VALIDATE_S, "s"),
        _target("Complete build", build["wall_s"], BUILD_S, "s"),
        _target("Our own stages (build minus its mkdocs build)", own_s, OWN_SHARE * build["wall_s"], "s",
                note=f"{own_s / build['wall_s']:.0%} of the build; limit = half the build; against half the "
                     f"5-min budget ({OWN_SHARE * BUILD_S:.0f} s): {'pass' if own_s <= OWN_SHARE * BUILD_S else 'miss'}"),
        _target("Peak memory (process tree, PSS)", peak, PEAK_MB, "MB"),
        _target("Pages artifact (`site/`): size", r["site"]["bytes"] / 1e6, PAGES_MB, "MB"),
        _target("Pages artifact (`site/`): files", r["site"]["files"], PAGES_FILES, "files"),
        _target("Largest HTML page", r["site"]["largest_page_bytes"] / 1000, PAGE_KB, "kB",
                note=f"{r['site']['pages_over_limit']} page(s) over"),
        {"name": "Every region, commission and station has its page with the whole protocol",
         "value": "yes" if complete else "no", "limit": "all", "pass": complete, "by": ""},
    ] + ([_target(f"Election of {r['small']['stations']:,} stations in kk, ru and en: `site/`", r["small"]["site"]["bytes"] / 1e6,
                  SMALL_MB, "MB", note=f"{r['small']['site']['files']:,} files")] if "small" in r else []) + (
        [_target(f"Election night: rebuild when one region's protocols arrive ({r['night']['stations']:,} stations)",
                 r["night"]["arrives"]["wall_s"], NIGHT_S, "s"),
         {"name": "Election night: that rebuild is byte-identical to the complete build (site and Release)",
          "value": "yes" if r["night"]["identical"] else "no", "limit": "yes", "pass": r["night"]["identical"],
          "by": ", ".join(r["night"]["differing"][:3])}] if "night" in r else [])


def _target(name: str, value: float, limit: float, unit: str, note: str = "") -> dict:
    ok = value <= limit
    shown = ",.0f" if unit == "files" else ".1f"
    by = "" if ok else f"+{value - limit:{shown}} {unit} ({value / limit - 1:.0%} over)"
    return {"name": name, "value": f"{value:{shown}} {unit}", "limit": f"≤ {limit:,.0f} {unit}", "pass": ok,
            "by": by, "note": note}


# --- docs/benchmarks.md -------------------------------------------------------------------------

HEADER = """# Benchmarks

The scale benchmark builds a national election: the 2018 Russian presidential election, 97,699 polling
stations in 2,778 territorial commissions and 87 regions (/work/shared/realdata/ru-uik-shpilkin/2018.csv),
imported with the shipped mapping (`docs/examples/ru-2018-presidential.mapping.yml`), validated, and built
into the complete site. Run it by hand with `make benchmark` (`.venv/bin/python -m benchmarks.run`); it is not
part of the test suite. Each run adds its section below (newest first); raw figures and logs of the latest
run are in `benchmarks/out/` (not committed).

How it measures: every step is its own process; wall time from outside, CPU time (user + system, the
process and all its children) from `wait4`, stage times from the build's own `[ashyq] <stage>: done in X s`
lines. Peak memory is the largest sum of PSS over the process tree (forked workers' shared pages
counted once), polled every 0.1 s; the largest single process's `ru_maxrss` is shown too (MB here are
MiB, so the 2 GB target is 2,048 MB). The bare
`mkdocs build` reruns MkDocs on exactly the pages and config the render stage generated
(`benchmarks/keep_staging.py` keeps them), in the same run. "Our own stages" is the build's wall
time minus the `mkdocs build` it runs inside the render stage.

Targets (2 cores): import + validation ≤ 60 s; complete build ≤ 5 min with our own stages ≤ half of
it; peak memory ≤ 2 GB; no page over 300 kB of HTML; the site of ~10,000 stations ≤ 100 MB; on election
night, the rebuild after one region's protocols arrive ≤ 60 s and byte-identical to the complete build.

<!-- runs below; benchmarks/run.py inserts each new run right here -->
"""
MARKER = "<!-- runs below; benchmarks/run.py inserts each new run right here -->\n"


def markdown(r: dict, analysis: str = "") -> str:
    m, build = r["machine"], r["build"]
    lines = [f"## Run of {r['date']}", "",
             f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
             f"Linux {m['kernel']}. Load average before/after: {r['load_before']} / {r['load_after']}"
             + (" (other jobs were running: wall times are inflated, CPU times less so)."
                if max(r['load_before'], r['load_after']) > m['nproc'] * 0.5 else "."), "",
             "| Step | Wall s | CPU s | Peak MB (tree PSS) | Peak MB (tree RSS) | Largest process MB |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, label in (("import", "Import"), ("validate", "Validate (cold)"), ("build", "Complete build (cold)"),
                       ("bare_mkdocs", "Bare `mkdocs build` of the generated pages")):
        s = r[key]
        lines.append(f"| {label} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} | {s['peak_tree_pss_mb']:.0f} | "
                     f"{s['peak_tree_rss_mb']:.0f} | {s['max_single_process_rss_mb']:.0f} |")
    lines += ["", "Build stages (from the build's own progress lines):", "",
              "| Stage | s | Peak MB (tree PSS) during the stage |", "|---|---:|---:|"]
    stage_peaks = build.get("stage_peak_pss_mb", {})
    for stage, seconds in build["stages"].items():
        peak = stage_peaks.get(stage)
        lines.append(f"| {stage} | {seconds:.1f} | {'' if peak is None else f'{peak:.0f}'} |")
    if "mkdocs_in_build_s" in build:
        lines.append(f"| ↳ of which `mkdocs build` inside render | {build['mkdocs_in_build_s']:.1f} | |")
    lines.append(f"| ↳ bare `mkdocs build` rerun on the same pages | {r['bare_mkdocs']['wall_s']:.1f} | |")
    import_stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["import"]["stages"].items())
    validate_stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["validate"]["stages"].items())
    site, cov = r["site"], r["coverage"]
    lines += ["", f"Import stages: {import_stages}. Validate command stages: {validate_stages}.", "",
              f"Site: {site['files']:,} files, {site['bytes'] / 1e6:,.1f} MB; {site['html_pages']:,} HTML pages "
              f"({site['html_bytes'] / 1e6:,.1f} MB); largest page `{site['largest_page']}` "
              f"({site['largest_page_bytes'] / 1000:,.1f} kB); {site['pages_over_limit']} page(s) over "
              f"{PAGE_KB:.0f} kB. "
              + ("Next largest: " + ", ".join(f"`{p}` ({b / 1000:,.1f} kB)" for b, p in site["largest_pages"][1:4])
                 + ". " if site.get("largest_pages") else "")
              + f"The bare `mkdocs build` wrote {r['bare_mkdocs']['html_pages']:,} HTML pages."
              + (f" Release assets (`release/`, for the GitHub Release): {r['release']['files']:,} files, "
                 f"{r['release']['bytes'] / 1e6:,.1f} MB." if "release" in r else ""), "",
              "Coverage: units in the package "
              + ", ".join(f"{lvl} {n:,}" for lvl, n in cov["levels"].items())
              + "; missing pages "
              + ", ".join(f"{lvl} {n:,}" for lvl, n in cov["missing_pages"].items())
              + "; pages not reachable by links from the election page "
              + (", ".join(f"{lvl} {n:,}" for lvl, n in cov["not_reachable_by_links"].items())
                 if "not_reachable_by_links" in cov else "not checked in this run")
              + f"; station pages lacking a figure of their protocol: {cov['stations_with_incomplete_protocol']:,} "
              f"(checked: {len(cov['protocol_lines_checked'])} protocol lines and every candidate's votes per station).", "",
              *([f"Election of Kazakhstan's size (step 6): the first {r['small']['regions']} regions of the table, "
                 f"{r['small']['stations']:,} stations in {r['small']['commissions']:,} territorial commissions, built in "
                 f"{r['small']['build']['wall_s']:.1f} s (peak {r['small']['build']['peak_tree_pss_mb']:.0f} MB): site "
                 f"{r['small']['site']['files']:,} files, {r['small']['site']['bytes'] / 1e6:,.1f} MB; Release "
                 f"{r['small']['release']['bytes'] / 1e6:,.1f} MB.", ""] if "small" in r else []),
              *(night_lines(r["night"]) if "night" in r else []),
              "| Target | Measured | Limit | Result | Missed by |", "|---|---:|---:|---|---|"]
    for t in r["targets"]:
        note = f" ({t['note']})" if t.get("note") else ""
        lines.append(f"| {t['name']} | {t['value']}{note} | {t['limit']} | "
                     f"{'pass' if t['pass'] else '**miss**'} | {t['by']} |")
    if analysis:
        lines += ["", analysis.strip()]
    return "\n".join(lines) + "\n\n"


def night_lines(night: dict) -> list[str]:
    """Step 7's two rebuilds: their stages and the pages MkDocs reused and built."""
    lines = [f"Election night (step 7): the complete build's site rebuilt without one region "
             f"({night['region']}, {night['stations']:,} stations), then with it again:", "",
             "| Rebuild | Wall s | CPU s | Peak MB (tree PSS) | Stages (s) | Regions kept | Pages MkDocs reused / built (kk, ru, en) |",
             "|---|---:|---:|---:|---|---|---|"]
    for key, label in (("without", "the region withdrawn"), ("arrives", "the region arrives")):
        run = night[key]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in run["stages"].items())
        pages = ", ".join(f"{kept:,} / {built:,}" for kept, built in run.get("pages", []))
        regions = "{} of {}".format(*run["regions"]) if run.get("regions") else ""
        lines.append(f"| {label} | {run['wall_s']:.1f} | {run['cpu_s']:.1f} | {run['peak_tree_pss_mb']:.0f} | "
                     f"{stages} | {regions} | {pages} |")
    return lines + [""]


def write_report(r: dict, analysis: str = "") -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.is_file() else HEADER
    if MARKER not in text:
        text = HEADER + "\n" + text
    head, tail = text.split(MARKER, 1)
    REPORT.write_text(head + MARKER + "\n" + markdown(r, analysis) + tail.lstrip("\n"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the generated MkDocs pages in benchmarks/out/kept")
    parser.add_argument("--no-report", action="store_true", help="do not add the run to docs/benchmarks.md")
    parser.add_argument("--analysis", type=Path, help="Markdown file appended to this run's section (profile notes)")
    parser.add_argument("--from-results", type=Path,
                        help="no run: add the run saved in this results.json to docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.from_results:
        results = json.loads(args.from_results.read_text(encoding="utf-8"))
        results["targets"] = targets(results)
        write_report(results, args.analysis.read_text(encoding="utf-8") if args.analysis else "")
        return 0
    results = run(args.keep)
    for t in results["targets"]:
        print(f"  {'PASS' if t['pass'] else 'MISS'}  {t['name']}: {t['value']} (limit {t['limit']}) {t['by']}")
    if not args.no_report:
        analysis = args.analysis.read_text(encoding="utf-8") if args.analysis else ""
        write_report(results, analysis)
        print(f"benchmark: results in {OUT / 'results.json'}, run added to {REPORT.relative_to(ROOT)}")
    return 0 if all(t["pass"] for t in results["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
