"""Profile the build's own stages (cProfile, in one process), to find what a missed target costs.

Run by hand after ``make benchmark`` (it reuses the package the benchmark imported):
``.venv/bin/python -m benchmarks.profile_build [--stages model,checks,render,publish] [--top 40]``.

Each stage runs in this process under cProfile, as ``ashyq.cli`` runs it (validation is left out unless
asked: ``benchmarks.run`` times it already). The ``mkdocs build`` subprocess and the forked station
stampers are not in the profile: their time shows as ``subprocess.run`` / ``Pool.map``; use
``py-spy record --subprocesses`` for them. Stats go to ``benchmarks/out/profile-<stage>.pstats``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import time
from pathlib import Path

from ashyq import checks, load, model, publish, render, validate
from ashyq.progress import Progress

from .run import OUT

STAGES = ("validate", "model", "checks", "render", "publish")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=OUT / "datasets")
    parser.add_argument("--stages", default="model,checks,render,publish")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    wanted = set(args.stages.split(","))
    progress = Progress()
    packages = load.load_packages(args.datasets)
    state: dict = {}
    site = OUT / "profile-site"

    def run(name: str, call) -> None:
        profiler = cProfile.Profile() if name in wanted else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        call()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"== {name}: {elapsed:.1f} s (profiled: {bool(profiler)}), peak RSS so far {peak:.0f} MB", flush=True)
        if profiler:
            profiler.dump_stats(OUT / f"profile-{name}.pstats")
            _print_top(profiler, args.top)

    if "validate" in wanted:
        run("validate", lambda: validate.validate_packages(packages, progress, use_cache=False))
    run("model", lambda: state.update(db=model.build_model(packages)))
    run("checks", lambda: checks.run_checks(state["db"]))
    with publish.staging(site) as staging:
        run("render", lambda: render.render_site(state["db"], packages, staging, progress))
        if "publish" in wanted:
            run("publish", lambda: publish.finish(packages, staging, progress))
    return 0


def _print_top(profiler: cProfile.Profile, top: int) -> None:
    for key, label in (("cumulative", "cumulative (s)"), ("tottime", "own time (s)")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(f"-- by {label}\n" + text[text.find("   ncalls"):], flush=True)


if __name__ == "__main__":
    sys.exit(main())
