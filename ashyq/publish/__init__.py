"""Stage 6, publish: swap the built site in atomically, and make it verifiable and mirrorable.

``staging(site_dir)`` wraps render and publish: everything is built aside and swapped in only on
success. ``finish`` runs after render has built the HTML: it takes build dates out, writes the offline
zip into the Release folder, the Release's manifest and SHA256SUMS (whose hash names the Release's
tag), fills the tag and the zip's size and hash into the downloads pages, then writes the site's
manifest (last, so it lists the pages as filled).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..problems import Refusal
from ..render import reuse
from . import release
from .manifest import CHECKSUMS, MANIFEST, file_entry, hash_tree, manifest_files, write_manifest
from .offline import PreviousZip, write_offline_zip
from .sitemap import remove_build_dates
from .swap import Staging, staging

__all__ = ["Staging", "staging", "finish"]


def finish(packages, staging: Staging, progress) -> None:
    """Make ``staging.site_dir`` and ``staging.release_dir`` ready to publish (from files only)."""
    site = staging.site_dir
    if not (site / "index.html").is_file():
        raise RuntimeError(f"render built no index.html in {site}")
    remove_build_dates(site)
    previous = previous_zip(staging)
    try:
        archive, hashed = write_offline_zip(site, packages, target=staging.release_dir / release.OFFLINE_ASSET,
                                            previous=previous)
    finally:
        if previous is not None:
            previous.close()
    progress.say(f"[ashyq] offline copy: {release.RELEASE_FOLDER}/{archive.name} ({archive.stat().st_size / 1e6:.1f} MB"
                 + (f", {len(previous.kept):,} entries kept from the previous copy)" if previous else ")"))
    tag, offline_entry = write_release_manifest(staging.release_dir, packages)
    progress.say(f"[ashyq] release: tag {tag}")
    for path in fill_release_links(site, tag, offline_entry):
        hashed[path] = file_entry(site, path)
    if staging.pages_dir is not None:  # the regions kept from the previous build (render/reuse.py)
        changed = reuse.complete(staging.pages_dir, {path: entry["sha256"] for path, entry in hashed.items()},
                                 offline_entry["sha256"])
        if changed:
            raise Refusal(f"{len(changed)} file(s) of the previous site are not what the build wrote "
                          f"(e.g. {changed[0]}; changed by hand?): delete {staging.previous_pages_dir} "
                          f"and build again")
    manifest = write_manifest(site, packages, known=hashed, paths=sorted(hashed))
    progress.say(f"[ashyq] manifest: {len(manifest['files'])} files, {len(manifest['inputs'])} input package(s)")


def previous_zip(staging: Staging) -> PreviousZip | None:
    """The offline zip published with the site render kept files from, when it is the one published
    with that build (its hash recorded beside the regions; a build killed between the swap of the
    Release and of the site leaves a newer one): its entries for the kept files are reused."""
    if staging.pages_dir is None or staging.previous_pages_dir is None:
        return None
    recorded = reuse.offline_zip(staging.previous_pages_dir)
    try:
        manifest = json.loads((staging.final_release_dir / MANIFEST).read_text(encoding="utf-8"))
        published = next(e["sha256"] for e in manifest["files"] if e["path"] == release.OFFLINE_ASSET)
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    if recorded is None or published != recorded:
        return None
    return PreviousZip.open(staging.final_release_dir / release.OFFLINE_ASSET, reuse.kept_files(staging.pages_dir))


def write_release_manifest(folder: Path, packages) -> tuple[str, dict]:
    """The Release folder's manifest.json and SHA256SUMS; returns its tag and the offline zip's entry."""
    files = [entry for entry in hash_tree(folder) if entry["path"] not in (MANIFEST, CHECKSUMS)]
    manifest_bytes, checksums_bytes = manifest_files(files, packages)
    (folder / MANIFEST).write_bytes(manifest_bytes)
    (folder / CHECKSUMS).write_bytes(checksums_bytes)
    offline = next(entry for entry in files if entry["path"] == release.OFFLINE_ASSET)
    return release.tag_of(checksums_bytes), offline


def fill_release_links(site: Path, tag: str, offline: dict) -> list[str]:
    """Write the tag and the offline zip's size and hash into each language's downloads page;
    returns the pages changed."""
    from ..render.locale import locales
    from ..render import urls

    changed = []
    for loc in locales():
        relative = urls.downloads(loc.lang) + "index.html"
        path = site / relative
        if not path.is_file():
            continue
        page = path.read_text(encoding="utf-8")
        if release.PLACEHOLDER_MARK not in page:
            continue
        path.write_text(release.fill_placeholders(page, tag, loc.size(offline["size"]), offline["sha256"]),
                        encoding="utf-8")
        changed.append(relative)
    return changed
