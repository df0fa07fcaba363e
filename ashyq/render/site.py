"""The MkDocs side: hand-written pages copied into each language's staging docs, our assets copied
once into the site, and per language a generated config that INHERITs the top-level mkdocs.yml
(theme language, site name, nav in that language, the language switcher) and one
``mkdocs build --strict`` into ``site/<lang>/``."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..processes import mkdocs_preexec
from . import finder, urls
from .escape import h
from .locale import LANGUAGE_NAMES, LANGUAGES, Locale
from .pages.reference import expand_markers

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__file__).resolve().parents[1] / "assets"
HAND_WRITTEN = ROOT / "docs"
TOP_CONFIG = ROOT / "mkdocs.yml"
OVERRIDES = ROOT / "overrides"
THEME_HOOKS = Path(__file__).with_name("theme_hooks.py")
# Hand-written pages in the order the nav lists them (those present), with their nav title's key;
# others follow by file name under their own title.
REFERENCE_ORDER = {"about.md": "about", "data-dictionary/index.md": "data_dictionary", "methodology.md": "methodology",
                   "datasets.md": "nav_datasets", "import.md": "nav_import", "verify.md": "nav_verify",
                   "add-an-election.md": "add_election", "limits.md": "nav_limits",
                   "benchmarks.md": "nav_benchmarks"}
# Theme files no page loads (tests/test_browser_loads.py): Material's search worker and lunr's
# languages (the magnifier reads the finder's index, overrides/partials/search.html; "search" is where
# Material's search plugin, not used, would put its index), and the source maps of its minified
# files: 2.1 MB in each language's folder.
UNUSED_THEME_FOLDERS = ("search", "assets/javascripts/lunr", "assets/javascripts/workers")
SOURCE_MAP_LINE = re.compile(rb"\n//# sourceMappingURL=[^\n]*\n?$")


def copy_hand_written(docs_dir: Path, context: dict, loc: Locale) -> list[str]:
    """Copy docs/ into one language's build, expanding contract/registry markers in Markdown; the
    pages are in English, and say so in the other languages. Returns the pages."""
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
            text = expand_markers(src.read_text(encoding="utf-8"), context)
            dest.write_text(_english_only(text, loc), encoding="utf-8")
            pages.append(rel.as_posix())
        else:
            shutil.copyfile(src, dest)
    return pages


def _english_only(markdown: str, loc: Locale) -> str:
    """A hand-written page in a kk or ru build: its front matter says it is English only; the
    theme (overrides/main.html) shows a note in the reader's language and marks the body lang="en"."""
    if loc.lang == "en":
        return markdown
    if markdown.startswith("---\n"):
        return "---\nenglish_only: true\n" + markdown[4:]
    return "---\nenglish_only: true\n---\n\n" + markdown


def copy_assets(site_dir: Path) -> None:
    """Our CSS, JS and vendored libraries, once at the site's root (every language links there).
    Notes for maintainers (*.md) stay out of the site."""
    shutil.copytree(ASSETS, Path(site_dir) / urls.asset(""), dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.md"))


def nav(loc: Locale, elections: list[tuple[str, str]], reference_pages: list[str], has_downloads: bool) -> list:
    """Only hand-written pages and the election pages; units and stations are reached by links."""
    lang = loc.lang
    out: list = [{loc.t("home"): urls.source_file(urls.home(lang))}]
    if elections:
        out.append({loc.t("elections"): [{h(title): urls.source_file(urls.election(lang, eid))}
                                         for eid, title in elections]})
    if has_downloads:
        out.append({loc.t("downloads"): urls.source_file(urls.downloads(lang))})
    known = [{loc.t(key): page} for page, key in REFERENCE_ORDER.items() if page in reference_pages]
    rest = sorted(p for p in reference_pages if p not in REFERENCE_ORDER and p != "index.md")
    out.append({loc.t("about"): known + rest})
    return out


def write_config(config_path: Path, loc: Locale, docs_dir: Path, site_dir: Path, nav_items: list) -> None:
    """One language's build: its theme language (Material's strings; Kazakh from overrides/), site
    name, nav, the magnifier's texts and the switcher's languages (links computed per page)."""
    config = {
        "INHERIT": str(TOP_CONFIG),
        "site_name": loc.t("site_name"),
        "site_description": loc.t("site_description"),
        "docs_dir": str(Path(docs_dir).resolve()),
        "site_dir": str(Path(site_dir).resolve()),
        "theme": {"name": "material", "custom_dir": str(OVERRIDES), "language": loc.lang},
        "nav": nav_items,
        # Everything below an election page (units, stations, integrity, …) is reached by links.
        "not_in_nav": "/elections/*/*/\n",
        "markdown_extensions": ["attr_list", "md_in_html", "admonition", "tables",
                                {"toc": {"permalink": True, "permalink_title": loc.t("permalink_heading")}}],
        "hooks": [str(THEME_HOOKS)],  # the frame's indentation compacted
        "plugins": [{"privacy": {"assets_exclude": ["unpkg.com/*"]}}],  # no search: overrides/partials/header.html
        "extra": {
            "generator": False,
            "alternate": [{"name": LANGUAGE_NAMES[lang], "lang": lang} for lang in LANGUAGES],
            "ashyq": {"english_only": loc.t("english_only")},
            "ashyq_search": finder.search_config(loc.lang),  # the magnifier's texts
        },
    }
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def prune_theme(language_dir: Path) -> None:
    """Remove from one language's build the theme files no page loads; the scripts no longer name
    their source maps."""
    for folder in UNUSED_THEME_FOLDERS:
        shutil.rmtree(language_dir / folder, ignore_errors=True)
    for path in sorted((language_dir / "assets").rglob("*.map")):
        path.unlink()
    for script in sorted((language_dir / "assets" / "javascripts").glob("*.js")):
        script.write_bytes(SOURCE_MAP_LINE.sub(b"\n", script.read_bytes()))


def run_mkdocs(config_paths: list[Path], meanwhile=()) -> None:
    """``mkdocs build`` of each config, each in its own process, all started at once; the callables
    in ``meanwhile`` run here while they build. A build that fails raises with its output."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    processes = []
    try:
        for config_path in config_paths:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_path)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                preexec_fn=mkdocs_preexec(os.getpid())))
        for work in meanwhile:
            work()
        outputs = [process.communicate() for process in processes]
    except BaseException:
        for process in processes:
            process.kill()
            process.wait()
        raise
    for process, (stdout, stderr) in zip(processes, outputs):
        if process.returncode != 0:
            raise RuntimeError(f"mkdocs build failed:\n{stdout}\n{stderr}")
