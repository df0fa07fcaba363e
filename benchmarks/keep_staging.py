"""``build.py`` as usual, plus what the benchmark needs to time MkDocs on its own.

Run as ``python -m benchmarks.keep_staging KEEP_DIR <build.py arguments>``. The build is the real one
(``ashyq.cli.main``); only ``render.site.run_mkdocs`` is wrapped, to

- time the ``mkdocs build`` subprocess the render stage runs (printed as ``[bench] mkdocs-in-build: X s``), and
- keep the generated config and docs folder it builds from (hard links into KEEP_DIR, so it costs
  milliseconds, not a copy), because the staging folder is removed when the build ends.

The benchmark then reruns a bare ``mkdocs build`` on exactly those pages. Nothing in ``ashyq/`` changes.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import yaml

from ashyq import cli
from ashyq.render import site


def _keeping(keep_dir: Path, run_mkdocs):
    def run_and_keep(config_paths: list[Path], meanwhile=()) -> None:
        for config_path in map(Path, config_paths):
            config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
            lang = config["theme"]["language"]  # one build per language: each kept beside the others
            shutil.copytree(config["docs_dir"], keep_dir / "docs" / lang, copy_function=os.link)
            config["docs_dir"] = str((keep_dir / "docs" / lang).resolve())
            config["site_dir"] = str((keep_dir / "site" / lang).resolve())
            (keep_dir / f"mkdocs.{lang}.yml").write_text(
                yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        start = time.perf_counter()
        run_mkdocs(config_paths, meanwhile)
        print(f"[bench] mkdocs-in-build: {time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
    return run_and_keep


def main() -> int:
    keep_dir = Path(sys.argv[1])
    if keep_dir.exists():
        shutil.rmtree(keep_dir)
    keep_dir.mkdir(parents=True)
    site.run_mkdocs = _keeping(keep_dir, site.run_mkdocs)
    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
