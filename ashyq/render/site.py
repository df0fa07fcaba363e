"""The MkDocs side: hand-written pages and assets copied into the staging docs, a generated config
that INHERITs the top-level mkdocs.yml with an explicit nav (generated leaf pages stay out of it),
and one ``mkdocs build --strict``."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..processes import mkdocs_preexec
from . import finder, urls
from .escape import h
from .pages.reference import expand_markers
from .text import LANGUAGE

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__file__).resolve().parents[1] / "assets"
HAND_WRITTEN = ROOT / "docs"
TOP_CONFIG = ROOT / "mkdocs.yml"
# Hand-written pages in the order the nav lists them (those present); others follow by file name.
REFERENCE_ORDER = ["about.md", "data-dictionary/index.md", "methodology.md", "datasets.md", "import.md", "verify.md",
                   "add-an-election.md"]


def copy_hand_written(docs_dir: Path, context: dict) -> list[str]:
    """Copy docs/ into the build, expanding contract/registry markers in Markdown. Returns the pages."""
    pages = []
    if not HAND_WRITTEN.is_dir():
        return pages
    for src in sorted(HAND_WRITTEN.rglob("*")):
        if src.is_dir():
            continue
        rel = src.relative_to(HAND_WRITTEN)
        dest = docs_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md":
            dest.write_text(expand_markers(src.read_text(encoding="utf-8"), context), encoding="utf-8")
            pages.append(rel.as_posix())
        else:
            shutil.copyfile(src, dest)
    return pages


def copy_assets(docs_dir: Path) -> None:
    # Notes for maintainers (*.md) stay out of the site.
    shutil.copytree(ASSETS, docs_dir / "assets", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))


def nav(elections: list[tuple[str, str]], reference_pages: list[str], has_downloads: bool) -> list:
    """Only hand-written pages and the election pages; units and stations are reached by links."""
    out: list = [{"Home": urls.source_file(urls.home())}]
    if elections:
        out.append({"Elections": [{h(title): urls.source_file(urls.election(eid))} for eid, title in elections]})
    if has_downloads:
        out.append({"Downloads": urls.source_file(urls.downloads())})
    known = [p for p in REFERENCE_ORDER if p in reference_pages]
    rest = sorted(p for p in reference_pages if p not in REFERENCE_ORDER and p != "index.md")
    out.append({"About": known + rest})
    return out


def write_config(config_path: Path, docs_dir: Path, site_dir: Path, nav_items: list) -> None:
    config = {
        "INHERIT": str(TOP_CONFIG),
        "docs_dir": str(Path(docs_dir).resolve()),
        "site_dir": str(Path(site_dir).resolve()),
        "theme": {"name": "material", "custom_dir": str(ROOT / "overrides")},
        "nav": nav_items,
        "extra": {"ashyq_search": finder.search_config(LANGUAGE)},  # the magnifier's texts
        # Everything below an election page (units, stations, integrity, …) is reached by links.
        "not_in_nav": "/elections/*/*/\n",
    }
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run_mkdocs(config_path: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_path)],
                            capture_output=True, text=True, env=env, preexec_fn=mkdocs_preexec(os.getpid()))
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
