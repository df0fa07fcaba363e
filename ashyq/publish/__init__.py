"""Stage 6, publish: swap the built site in atomically, and make it verifiable and mirrorable.

``staging(site_dir)`` wraps render and publish: everything is built aside and swapped in only on
success. ``finish`` runs after render has built the HTML: it takes build dates out, writes the offline
zip, then the manifest (last, so it lists the zip too).
"""
from __future__ import annotations

from .manifest import write_manifest
from .offline import write_offline_zip
from .sitemap import remove_build_dates
from .swap import Staging, staging

__all__ = ["Staging", "staging", "finish"]


def finish(db, packages, staging: Staging, progress) -> None:
    """Make ``staging.site_dir`` ready to publish. ``db`` is unused: publish only reads files."""
    site = staging.site_dir
    if not (site / "index.html").is_file():
        raise RuntimeError(f"render built no index.html in {site}")
    remove_build_dates(site)
    archive, hashed = write_offline_zip(site, packages)
    progress.say(f"[ashyq] offline copy: {archive.relative_to(site)} ({archive.stat().st_size / 1e6:.1f} MB)")
    # The site's files are those the zip was made from, and the zip.
    paths = sorted([*hashed, archive.relative_to(site).as_posix()])
    manifest = write_manifest(site, packages, known=hashed, paths=paths)
    progress.say(f"[ashyq] manifest: {len(manifest['files'])} files, {len(manifest['inputs'])} input package(s)")
