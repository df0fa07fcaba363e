"""Folders kept from the previous site, so that a rebuild does not make them again.

Every page of the site is an ``index.html`` in a folder of its own (its stable URL), so a national
site has ~34,000 folders. On the cloud disk measured here, making a folder costs 0.1–0.7 ms and
renaming one ~0.02 ms: making the folders of the regions an election-night rebuild keeps took 6–15 s,
more than any other part of that rebuild (docs/benchmarks.md, 2026-12-01).

So once a build has swapped its site in, the site it replaced is emptied of its files, its folders
kept (``empty``), and put in the page cache beside the site (``.<site>.pages/folders``,
publish/swap.py). The next build moves whole folders from there into its site wherever it needs one
(``Spare.make``: moving a folder moves everything below it), and once its pages are written removes
those it moved in but did not fill (``Spare.prune``). The new site has the folders a fresh build
makes, no more.

The spare holds folders and nothing else: a previous site is put there only once every one of its
files is unlinked, and is removed with the build's staging folder when one cannot be.
"""
from __future__ import annotations

import os
from pathlib import Path

SPARE = "folders"  # its name in the page cache


def empty(folder: Path) -> bool:
    """Unlink every file and symbolic link below ``folder``, keeping its folders; False when one
    cannot be unlinked (the folder must not then be used as a spare)."""
    stack = [os.fspath(folder)]
    try:
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        os.unlink(entry.path)
    except OSError:
        return False
    return True


class Spare:
    """The empty folders of the site before the previous one, lent to this build's site."""

    def __init__(self, folder: Path | None):
        usable = folder is not None and folder.is_dir() and not folder.is_symlink()
        self.folder = os.fspath(folder) if usable else None
        self.moved: list[str] = []  # the folders of the new site moved in from the spare

    def make(self, root: str, folders) -> None:
        """Make ``folders`` (relative to ``root``, with "/") and their parents: each moved from the
        spare, with what is below it, where the spare has it; made where it does not."""
        wanted: set[str] = set()
        for folder in folders:
            while folder and folder not in wanted:
                wanted.add(folder)
                folder = os.path.dirname(folder)
        os.makedirs(root, exist_ok=True)
        for folder in sorted(wanted, key=lambda f: (f.count("/"), f)):  # parents first
            target = os.path.join(root, folder)
            if os.path.isdir(target):  # written by render already, or moved in with its parent
                continue
            if self.folder is not None:
                try:
                    os.rename(os.path.join(self.folder, folder), target)
                    self.moved.append(target)
                    continue
                except OSError:  # not in the spare
                    pass
            try:
                os.mkdir(target)
            except FileExistsError:
                pass

    def prune(self) -> int:
        """Remove the folders moved in from the spare that hold no file (after every page is
        written); returns how many."""
        removed: set[str] = set()
        for top in self.moved:
            for folder, subfolders, files in os.walk(top, topdown=False):
                if files or not all(os.path.join(folder, name) in removed for name in subfolders):
                    continue
                try:
                    os.rmdir(folder)
                except OSError:
                    continue
                removed.add(folder)
        return len(removed)
