"""Benchmark the validate stage on a national-size package (issue 5: ~100k stations in ≤ 60 s on 2 cores).

Run by hand: ``.venv/bin/python benchmarks/validate_bench.py [--stations N] [--out DIR]``.

The package is built from the real 2018 Russian presidential protocols
(/work/shared/realdata/ru-uik-shpilkin/2018.csv: 97,699 stations, 8 candidates → ~100k protocol rows and
~800k votes rows) when that file is there, otherwise synthetically with the same shape. It is written with
``write_package``, so it has exactly the contract's layout. Timings printed:

- cold: full validation, no cache (fast path + Frictionless on every resource, in parallel workers);
- warm: the same package again, answered from the content-hash cache;
- fast path alone, and Frictionless alone, for comparison.

Wall and CPU seconds are printed: on a shared machine, compare the CPU seconds too (the target is
2 cores, so wall ≥ CPU / 2).
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ashyq import contract  # noqa: E402
from ashyq.load import load_package  # noqa: E402
from ashyq.package_writer import write_package  # noqa: E402
from ashyq.progress import Progress  # noqa: E402

SHPILKIN_2018 = Path("/work/shared/realdata/ru-uik-shpilkin/2018.csv")
# Columns 4..15 of the 2018 file, in file order, as contract protocol lines.
SHPILKIN_LINES = [
    "voters_on_list", "ballots_received", "ballots_issued_early", "ballots_issued_in_station",
    "ballots_issued_outside", "ballots_cancelled", "ballots_in_mobile_boxes", "ballots_in_stationary_boxes",
    "ballots_invalid", "ballots_valid", "ballots_lost", "ballots_unaccounted",
]
CANDIDATES = 8
METADATA = {
    "name": "bench-national",
    "title": "Benchmark: a national presidential election",
    "version": "1.0.0",
    "licenses": [{"name": "CC0-1.0"}],
    "sources": [{"title": "benchmark"}],
    "election": {"date": "2018-03-18", "country": "RU", "type": "presidential",
                 "title": {"en": "Benchmark", "ru": "Бенчмарк", "kk": "Бенчмарк"}},
}


def station_table(stations: int | None) -> pl.DataFrame:
    """region, tik, uik, the protocol lines and candidate votes: real rows if available."""
    if SHPILKIN_2018.is_file():
        raw = pl.read_csv(SHPILKIN_2018, infer_schema_length=0)
        if stations:
            raw = raw.head(stations)
        columns = raw.columns
        frame = raw.select(
            pl.col(columns[0]).alias("region"),
            pl.col(columns[1]).alias("tik"),
            pl.col(columns[2]).alias("uik"),
            *[pl.col(columns[3 + i]).cast(pl.Int64).alias(name) for i, name in enumerate(SHPILKIN_LINES)],
            *[pl.col(columns[15 + i]).cast(pl.Int64).alias(f"c{i + 1}") for i in range(CANDIDATES)],
        )
        return frame
    rng = random.Random(2018)
    stations = stations or 97_699
    rows = []
    for n in range(stations):
        on_list = rng.randint(200, 3000)
        votes = [rng.randint(0, on_list // CANDIDATES) for _ in range(CANDIDATES)]
        valid = sum(votes)
        rows.append({"region": f"Region {n % 85}", "tik": f"{n % 2778} TIK", "uik": str(n),
                     "voters_on_list": on_list, "ballots_received": on_list, "ballots_valid": valid,
                     "ballots_invalid": rng.randint(0, 20),
                     **{f"c{i + 1}": v for i, v in enumerate(votes)}})
    return pl.DataFrame(rows)


def make_package(out_dir: Path, stations: int | None = None) -> Path:
    """A valid package of ``stations`` polling stations (all of them when None)."""
    table = station_table(stations)
    regions = table.select("region").unique(maintain_order=True).with_row_index("r", 1)
    table = table.join(regions, on="region")
    tiks = table.select("region", "tik").unique(maintain_order=True).with_row_index("t", 1)
    table = table.join(tiks, on=["region", "tik"]).with_columns(
        pl.format("r{}-s{}", "r", "uik").alias("unit_id"),
        pl.format("r{}", "r").alias("region_id"),
        pl.format("t{}", "t").alias("tik_id"),
    )
    table = table.unique("unit_id", keep="first", maintain_order=True)

    units = pl.concat([
        pl.DataFrame({"unit_id": ["ru"], "parent_id": [None], "level": ["country"], "name_en": ["Russia"]},
                     schema={"unit_id": pl.String, "parent_id": pl.String, "level": pl.String, "name_en": pl.String}),
        table.select(pl.col("region_id").alias("unit_id"), pl.lit("ru").alias("parent_id"),
                     pl.lit("region").alias("level"), pl.col("region").alias("name_en")).unique("unit_id", maintain_order=True),
        table.select(pl.col("tik_id").alias("unit_id"), pl.col("region_id").alias("parent_id"),
                     pl.lit("district").alias("level"), pl.col("tik").alias("name_en")).unique("unit_id", maintain_order=True),
        table.select(pl.col("unit_id"), pl.col("tik_id").alias("parent_id"),
                     pl.lit("station").alias("level"), pl.format("УИК №{}", "uik").alias("name_en")),
    ])
    contests = pl.DataFrame({"contest_id": ["president"], "kind": ["presidential"], "round": [1],
                             "scope_unit_id": ["ru"], "name_en": ["President"]})
    choices = pl.DataFrame({"contest_id": ["president"] * CANDIDATES,
                            "choice_id": [f"c{i + 1}" for i in range(CANDIDATES)],
                            "ballot_order": list(range(1, CANDIDATES + 1)),
                            "kind": ["candidate"] * CANDIDATES,
                            "name_en": [f"Candidate {i + 1}" for i in range(CANDIDATES)]})
    sources = pl.DataFrame({"source_id": ["cec"], "kind": ["official"], "title": ["CEC results"],
                            "url": ["http://www.vybory.izbirkom.ru/"], "published_on": ["2018-03-19"]})
    lines = [c for c in contract.line_names() if c in table.columns]
    protocols = table.select(pl.lit("president").alias("contest_id"), "unit_id",
                             pl.lit("cec").alias("source_id"), *lines)
    votes = table.select("unit_id", *[f"c{i + 1}" for i in range(CANDIDATES)]).unpivot(
        index="unit_id", variable_name="choice_id", value_name="votes"
    ).select(pl.lit("president").alias("contest_id"), "unit_id", pl.lit("cec").alias("source_id"),
             "choice_id", "votes")
    return write_package(out_dir, METADATA, {"units": units, "contests": contests, "choices": choices,
                                             "sources": sources, "protocols": protocols, "votes": votes})


def cpu_seconds() -> float:
    """CPU time of this process and of its finished workers (the machine may be shared: wall time alone
    would measure the neighbours too)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timed(label: str, function) -> float:
    start, cpu = time.perf_counter(), cpu_seconds()
    function()
    elapsed = time.perf_counter() - start
    print(f"{label:<40} {elapsed:7.1f} s wall {cpu_seconds() - cpu:7.1f} s CPU", flush=True)
    return elapsed


def main() -> int:
    from ashyq import validate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=None, help="limit the number of stations")
    parser.add_argument("--out", type=Path, default=None, help="keep the package in this folder")
    parser.add_argument("--skip-parts", action="store_true", help="only time cold and warm validation")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ashyq-validate-bench-"))
    try:
        out = args.out or work / "bench-national"
        timed("generate package", lambda: make_package(out, args.stations))
        package = load_package(out)
        for resource, path in package.resource_paths.items():
            rows = sum(1 for _ in path.open("rb")) - 1
            print(f"  {resource:<12} {rows:>9,} rows  {path.stat().st_size / 1e6:6.1f} MB")
        progress = Progress(quiet=True)
        cache = work / "cache"
        timed("cold: full validation (no cache)", lambda: validate.validate_packages([package], progress, cache_dir=cache))
        timed("warm: unchanged package (cache hit)", lambda: validate.validate_packages([package], progress, cache_dir=cache))
        if not args.skip_parts:
            timed("fast path alone (Polars)", lambda: validate.fast_problems(package))
            timed("Frictionless alone (parallel workers)", lambda: validate.frictionless_problems(package))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
