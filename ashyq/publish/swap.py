"""Build the site aside, then swap it in: a failed or killed build never costs the published site/.

The staging folder is a hidden sibling of the site folder (``.site.building-XXXXXXXX``), so both live
on the same filesystem. The swap is one ``renameat2(RENAME_EXCHANGE)`` on Linux: the kernel trades
the two folders in one step, so at every instant ``site/`` is the complete old site or the complete
new one, even under SIGKILL or a power cut. Elsewhere (or on a filesystem without the call) it is two
renames, with the old site put back if the second fails. The first build of a site is one rename.

Around it:

- a lock (``flock`` on ``.site.lock`` beside the site, holding the builder's pid) keeps two builds
  from writing one site; the second is refused at once, naming the first one's pid;
- staging folders left by a killed build are removed by the next build of the same site;
- the GitHub Release's files (release.py) are staged the same way and swapped into ``release/``
  beside the site just before the site;
- what the next build may reuse (the pages MkDocs built, render/page_cache.py; each region's key and
  files, render/reuse.py) is staged too and swapped into ``.<site>.pages/`` just after it, with the
  folders of the site it replaced, emptied of their files (the next build moves them instead of
  making them: folders.py);
- an existing folder is only replaced if it is empty or an earlier Ashyq site holding nothing but
  the files its manifest lists: ``--site ~/Documents`` must not delete anyone's files.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import folders
from ..problems import Refusal
from .manifest import CHECKSUMS, MANIFEST, MANIFEST_FORMAT, list_files
from .release import release_dir

UNKNOWN_FILES_SHOWN = 3
PAGES_MARKER = "ashyq-pages.json"  # a page cache's own file: a folder without it is not ours, left alone
PAGES_FORMAT = "ashyq-page-cache/1"


@dataclass(frozen=True)
class Staging:
    root: Path  # the hidden staging folder, removed when the build ends
    docs_dir: Path  # render writes markdown and page assets here
    site_dir: Path  # mkdocs builds the HTML here; publish adds manifest and offline copy
    final_dir: Path  # where the site ends up (the --site argument)
    release_dir: Path  # publish writes the GitHub Release's files here (release.py)
    final_release_dir: Path  # where they end up: ``release/`` beside the site
    pages_dir: Path | None = None  # what the next build may reuse (render/page_cache.py, render/reuse.py)
    previous_pages_dir: Path | None = None  # the previous build's, when there is one of ours


@contextmanager
def staging(site_dir: Path):
    """Yield a ``Staging``; on success swap its site in for ``site_dir``, on any error leave it be."""
    final_dir = Path(site_dir).absolute()
    final_release = release_dir(final_dir)
    _make_parent(final_dir)
    with site_lock(final_dir):
        _refuse_foreign_folder(final_dir)
        _refuse_foreign_folder(final_release)
        remove_leftovers(final_dir)
        root = Path(tempfile.mkdtemp(prefix=_staging_prefix(final_dir), dir=final_dir.parent))
        final_pages = pages_path(final_dir)
        pages_usable = not final_pages.exists() or is_page_cache(final_pages)  # never replace another's folder
        stage = Staging(root=root, docs_dir=root / "docs", site_dir=root / "site", final_dir=final_dir,
                        release_dir=root / "release", final_release_dir=final_release,
                        pages_dir=root / "pages" if pages_usable else None,
                        previous_pages_dir=final_pages if pages_usable and final_pages.exists() else None)
        try:
            stage.docs_dir.mkdir()
            stage.release_dir.mkdir()
            if stage.pages_dir is not None:
                stage.pages_dir.mkdir()
                (stage.pages_dir / PAGES_MARKER).write_text(json.dumps({"format": PAGES_FORMAT}) + "\n",
                                                            encoding="utf-8")
            yield stage
            if not stage.site_dir.is_dir():
                raise RuntimeError(f"nothing was built into {stage.site_dir}")
            # The Release first, then the site: each swap is atomic; a build killed between the two
            # leaves the previous site with the new release/ (whose files the previous site does
            # not link by URL: its links name the previous tag).
            if any(stage.release_dir.iterdir()):  # publish wrote it (a build always does)
                _swap_in(stage.release_dir, final_release, aside=root / "previous-release")
            _swap_in(stage.site_dir, final_dir, aside=root / "previous-site")
            # Last: a build killed before this keeps the previous cache, which can only miss (its
            # keys hash what each page and region was built from), never serve a stale file.
            if stage.pages_dir is not None and len(os.listdir(stage.pages_dir)) > 1:  # render kept pages
                _keep_folders(stage.site_dir, root / "previous-site", pages_dir=stage.pages_dir)
                _swap_in(stage.pages_dir, final_pages, aside=root / "previous-pages")
        finally:
            remove_tree(root)  # after the swap it holds the previous site


# --- the swap ------------------------------------------------------------------------------------

def _swap_in(new: Path, final: Path, aside: Path) -> None:
    """Put the folder ``new`` at ``final``; the previous ``final`` (if any) ends at ``new``'s path or
    at ``aside``. On Linux one atomic exchange; elsewhere two renames."""
    if not final.exists():
        os.rename(new, final)  # the first build: one atomic rename
        return
    if _rename_exchange(new, final):
        return
    os.rename(final, aside)
    try:
        os.rename(new, final)
    except BaseException:
        os.rename(aside, final)  # put the old site back before reporting the failure
        raise


def _keep_folders(*places: Path, pages_dir: Path) -> None:
    """The site just replaced (at the first of ``places`` that holds it), emptied of its files, goes
    into the new page cache: the next build moves its folders instead of making them (folders.py)."""
    previous = next((place for place in places if place.is_dir() and not place.is_symlink()), None)
    if previous is not None and folders.empty(previous):
        os.rename(previous, pages_dir / folders.SPARE)


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically trade two paths with renameat2(2); False where the system or filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc < 2.28, some musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # old kernel, or a filesystem without it
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


# --- the lock ------------------------------------------------------------------------------------

def pages_path(final_dir: Path) -> Path:
    """The page cache of the site in ``final_dir``: a hidden folder beside it."""
    return final_dir.parent / f".{final_dir.name}.pages"


def is_page_cache(folder: Path) -> bool:
    """``folder`` is a page cache an Ashyq build wrote (its marker file says so)."""
    try:
        return json.loads((folder / PAGES_MARKER).read_text(encoding="utf-8")).get("format") == PAGES_FORMAT
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def lock_path(final_dir: Path) -> Path:
    return final_dir.parent / f".{final_dir.name}.lock"


@contextmanager
def site_lock(final_dir: Path):
    """Hold an exclusive ``flock`` on the site's lock file; refuse at once if another build holds it.

    The file is removed when the build ends. A build that opened it just before may then lock a file
    no longer in the folder, so after locking the path is checked to still name the locked file."""
    path = lock_path(final_dir)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise Refusal(f"another build is writing {final_dir} (pid {holder}); wait for it to finish "
                          "or build into another folder with --site") from None
        try:
            locked = os.fstat(fd)
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and (current.st_dev, current.st_ino) == (locked.st_dev, locked.st_ino):
            break
        os.close(fd)  # the previous holder removed it meanwhile: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield path
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)


# --- leftovers of killed builds ------------------------------------------------------------------

def _staging_prefix(final_dir: Path) -> str:
    return f".{final_dir.name}.building-"


def leftovers(final_dir: Path) -> list[Path]:
    """Staging folders of this site left by builds that were killed (call only holding the lock)."""
    pattern = re.compile(re.escape(_staging_prefix(final_dir)) + r"[a-z0-9_]{8}")  # tempfile's names
    try:
        names = os.listdir(final_dir.parent)
    except OSError:
        return []
    return [final_dir.parent / name for name in sorted(names)
            if pattern.fullmatch(name) and (final_dir.parent / name).is_dir()
            and not (final_dir.parent / name).is_symlink()]


def remove_leftovers(final_dir: Path) -> None:
    for folder in leftovers(final_dir):
        remove_tree(folder)


REMOVERS = 4  # threads: a site's folders are removed side by side (the filesystem waits, not the CPU)


def remove_tree(folder: Path) -> None:
    """``shutil.rmtree(folder, ignore_errors=True)``, its subfolders two levels down removed by
    several threads at once: a previous national site (34,000 files) went in 3.8 s instead of 5.8 s."""
    parts: list[str] = []
    try:
        for top in os.scandir(folder):
            if top.is_dir(follow_symlinks=False):
                parts += [entry.path for entry in os.scandir(top.path) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        parts = []  # a folder that cannot be listed: rmtree alone, which ignores errors too
    if len(parts) > 1:
        with ThreadPoolExecutor(REMOVERS) as pool:
            list(pool.map(lambda path: shutil.rmtree(path, ignore_errors=True), parts))
    shutil.rmtree(folder, ignore_errors=True)


# --- where the site may go -----------------------------------------------------------------------

def _make_parent(final_dir: Path) -> None:
    """The folder that holds the site exists (made if missing) and is a folder."""
    if not final_dir.name or final_dir.name in (".", ".."):
        raise Refusal(f"cannot write the site to {final_dir}: name a folder for it, e.g. --site site")
    parent = final_dir.parent
    for folder in (parent, *parent.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise Refusal(f"cannot write the site to {final_dir}: {folder} is a file, not a folder; "
                              "choose another --site")
            break
    parent.mkdir(parents=True, exist_ok=True)


def _refuse_foreign_folder(final_dir: Path) -> None:
    if not final_dir.exists() and not final_dir.is_symlink():
        return
    if final_dir.is_symlink() or not final_dir.is_dir():
        _refuse(final_dir, "exists and is not a folder")
    if not any(final_dir.iterdir()):
        return
    listed = _manifest_paths(final_dir)
    if listed is None:  # not ours: name what is in it (its top level only: it may be a whole home folder)
        _refuse(final_dir, f"is a folder that is not an Ashyq site (no {MANIFEST} written by Ashyq; it holds "
                           f"{_some(sorted(os.listdir(final_dir)))})")
    unknown = [path for path in list_files(final_dir) if path not in listed]
    if unknown:
        _refuse(final_dir, f"is an Ashyq site holding files the build did not write ({_some(unknown)})")


def _some(paths: list[str]) -> str:
    shown = ", ".join(repr(path) for path in paths[:UNKNOWN_FILES_SHOWN])
    return shown + (f" and {len(paths) - UNKNOWN_FILES_SHOWN} more" if len(paths) > UNKNOWN_FILES_SHOWN else "")


def _manifest_paths(folder: Path) -> set[str] | None:
    """The files an earlier build wrote into ``folder`` (by its manifest); None if it has none of ours."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    files = manifest.get("files")
    listed = {entry.get("path") for entry in files if isinstance(entry, dict)} if isinstance(files, list) else set()
    return listed | {MANIFEST, CHECKSUMS}


def _refuse(final_dir: Path, why: str) -> None:
    raise Refusal(f"--site {final_dir} {why}: refusing to replace it; choose another --site, "
                  "or move those files away first")
