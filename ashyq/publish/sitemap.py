"""Take the build date out of MkDocs' sitemap, so the same input gives the same bytes on any day.

MkDocs stamps every ``<lastmod>`` with the day of the build and writes the day into the gzip header of
``sitemap.xml.gz``. The date says nothing about the results (the input packages carry their own), so
the ``<lastmod>`` elements (optional in the sitemap protocol) are removed and the gzip copy is
rewritten from the cleaned sitemap with a zero timestamp and no file name.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

SITEMAP = "sitemap.xml"
_LASTMOD = re.compile(r"\s*<lastmod>[^<]*</lastmod>")


def remove_build_dates(site_dir: Path) -> bool:
    """Clean every ``sitemap.xml`` (the site's, and one per language build) and regenerate its
    ``sitemap.xml.gz``; False if the site has no sitemap."""
    sitemaps = [p for p in [Path(site_dir) / SITEMAP, *sorted(Path(site_dir).glob(f"*/{SITEMAP}"))] if p.is_file()]
    for sitemap in sitemaps:
        _clean(sitemap)
    return bool(sitemaps)


def _clean(sitemap: Path) -> None:
    text = _LASTMOD.sub("", sitemap.read_text(encoding="utf-8"))
    sitemap.write_text(text, encoding="utf-8", newline="")
    data = text.encode("utf-8")
    (sitemap.parent / f"{SITEMAP}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
