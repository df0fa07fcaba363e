"""Pages MkDocs built before are reused: a rebuild runs MkDocs only on the pages that changed.

MkDocs turns a generated page's Markdown into HTML inside the theme's frame. That HTML depends only on
the page's Markdown, its path, the language's config (nav included) and the theme (templates, our
hook, the versions of MkDocs and its extensions). Its tables and charts are not in the Markdown: they
are filled in after MkDocs (slots.py). So a key hashing those inputs names the HTML MkDocs would
write, and the cache keeps each built page's HTML under its key.

Before a language's ``mkdocs build``, each page below an election (units, constituencies, integrity,
changes: the pages outside the nav) whose key the previous build kept is set aside: its Markdown is
not given to MkDocs, and its kept HTML is put in place after the build. The pages of the nav are
always built. On election night, when one region's protocols change, MkDocs builds that region's
pages and the election's, instead of every page in three languages.

The cache is kept beside the site (``.<site>.pages/``) and holds one build: the staged build writes
its own cache (kept pages hard-linked from the previous one, built pages added) and it is swapped in
with the site (publish/swap.py). A key hashes content, so a stale or half-swapped cache can only
miss, never serve a wrong page. The suite builds a site with and without the cache and compares
every file.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..fingerprint import ROOT, files_below, fingerprint
from . import urls

FORMAT = "1"  # of the keys: a new format misses every page of an older cache
# What renders Markdown into the theme's frame, besides the config and the overrides.
RENDERERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "jinja2")
THEME_FILES = (ROOT / "mkdocs.yml", Path(__file__).with_name("theme_hooks.py"))
OVERRIDES = ROOT / "overrides"


def cacheable(source: str) -> bool:
    """Pages below an election (``elections/<id>/<page>/…``): outside the nav (site.write_config's
    ``not_in_nav``), built from their own Markdown alone."""
    parts = source.split("/")
    return len(parts) >= 4 and parts[0] == "elections"


@dataclass
class SetAside:
    """One language's pages: the kept ones (served from the cache) and the ones MkDocs builds."""

    lang: str
    kept: dict[str, str] = field(default_factory=dict)  # source → key
    built: dict[str, str] = field(default_factory=dict)  # source → key

    def summary(self) -> str:
        return f"{len(self.kept)} unchanged page(s) reused, {len(self.built)} built"


def set_aside(docs_dir: Path, context_key: str, previous: Path | None, staged: Path | None, lang: str) -> SetAside:
    """Key every cacheable page of one language's ``docs_dir`` (``context_key``: the language's
    ``context``); those the previous cache holds are linked into the staged cache and their Markdown
    removed, so MkDocs does not build them."""
    result = SetAside(lang)
    if staged is None:
        return result
    (staged / lang).mkdir(parents=True, exist_ok=True)
    for path in sorted(docs_dir.rglob("*.md")):
        source = path.relative_to(docs_dir).as_posix()
        if not cacheable(source):
            continue
        key = _key(context_key, source, path.read_bytes())
        if previous is not None and _link(previous / lang / f"{key}.html", staged / lang / f"{key}.html"):
            path.unlink()
            result.kept[source] = key
        else:
            result.built[source] = key
    return result


def put_back(aside: SetAside, site_dir: Path, staged: Path | None) -> None:
    """After MkDocs: the kept pages copied into ``site_dir`` (copies: the slots are filled into the
    site's file in place), the pages MkDocs built added to the staged cache."""
    if staged is None:
        return
    folder = staged / aside.lang
    for source, key in aside.kept.items():
        target = site_dir / urls.built_file(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / f"{key}.html", target)
    for source, key in aside.built.items():
        shutil.copyfile(site_dir / urls.built_file(source), folder / f"{key}.html")


def _link(existing: Path, new: Path) -> bool:
    """Hard-link (else copy) a kept page into the staged cache; False when the previous cache lacks it."""
    try:
        os.link(existing, new)
        return True
    except FileNotFoundError:
        return False
    except OSError:  # a filesystem without hard links
        try:
            shutil.copyfile(existing, new)
            return True
        except FileNotFoundError:
            return False


def _key(context: str, source: str, markdown: bytes) -> str:
    digest = hashlib.sha256(context.encode())
    digest.update(b"\0" + source.encode() + b"\0")
    digest.update(markdown)
    return digest.hexdigest()


def context(config_path: Path) -> str:
    """The language's config (without its folders, which change every build) and the theme."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for folder in ("docs_dir", "site_dir"):
        config.pop(folder, None)
    digest = hashlib.sha256(fingerprint(FORMAT, RENDERERS, [*THEME_FILES, *files_below(OVERRIDES)]).encode())
    digest.update(json.dumps(config, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()
