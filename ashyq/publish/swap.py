"""Build the site aside, then swap it in: a failed build never touches the published site/.

The staging folder is a hidden sibling of the site folder (``.site-XXXX``), so both live on the same
filesystem and the swap is two renames. An existing folder is only ever replaced if it is empty or
an earlier Ashyq site (it has our manifest): ``--site .`` must not delete a repository.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..problems import InputError, Problem
from .manifest import MANIFEST, MANIFEST_FORMAT


@dataclass(frozen=True)
class Staging:
    root: Path  # the hidden staging folder, removed when the build ends
    docs_dir: Path  # render writes markdown and page assets here
    site_dir: Path  # mkdocs builds the HTML here; publish adds manifest and offline copy
    final_dir: Path  # where the site ends up (the --site argument)


@contextmanager
def staging(site_dir: Path):
    """Yield a ``Staging``; on success swap its site in for ``site_dir``, on any error leave it be."""
    final_dir = Path(site_dir).absolute()
    _refuse_foreign_folder(final_dir)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}-", dir=final_dir.parent))
    stage = Staging(root=root, docs_dir=root / "docs", site_dir=root / "site", final_dir=final_dir)
    stage.docs_dir.mkdir()
    try:
        yield stage
        if not stage.site_dir.is_dir():
            raise RuntimeError(f"nothing was built into {stage.site_dir}")
        _swap_in(stage.site_dir, final_dir, aside=root / "previous-site")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _swap_in(new: Path, final: Path, aside: Path) -> None:
    had_previous = final.exists()
    if had_previous:
        final.rename(aside)
    try:
        new.rename(final)
    except BaseException:
        if had_previous:
            aside.rename(final)  # put the old site back before reporting the failure
        raise


def _refuse_foreign_folder(final_dir: Path) -> None:
    if not final_dir.exists() and not final_dir.is_symlink():
        return
    if final_dir.is_symlink() or not final_dir.is_dir():
        _refuse(final_dir, "exists and is not a folder")
    if not any(final_dir.iterdir()):
        return
    if not _is_ashyq_site(final_dir):
        _refuse(final_dir, f"is a folder that is not an Ashyq site (no {MANIFEST} written by Ashyq)")


def _is_ashyq_site(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT


def _refuse(final_dir: Path, why: str) -> None:
    raise InputError([Problem(str(final_dir), "", f"output {why}: refusing to replace it; "
                              "choose another --site or remove it first", kind="unsafe-output")])
