"""Converters: turn the real source files in the shared folder into the bundled Data Packages.

One module per source; each has ``convert(shared, out) -> list[Path]`` and writes through
``package_writer.write_package``, so re-running gives byte-identical files. The packages they write
are committed in ``datasets/``: building the site never needs the shared folder.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import boundaries, kz_2011, kz_press, spb_2021

CONVERTERS: dict[str, Callable[[Path, Path], list[Path]]] = {
    "kz-press": kz_press.convert,
    "kz-2011": kz_2011.convert,
    "spb-2021": spb_2021.convert,
}


# Not a package: the map boundaries, written into ashyq/geo/boundaries/ (``--out`` not needed).
BOUNDARIES = "boundaries"


def convert(names: list[str], shared: Path, out: Path | None) -> list[Path]:
    """Run the named converters ("all" for every package); the package folders (or files) written."""
    chosen = list(CONVERTERS) if "all" in names else names
    unknown = [n for n in chosen if n not in CONVERTERS and n != BOUNDARIES]
    if unknown:
        raise ValueError(f"unknown converter(s) {unknown}; choose from {[*CONVERTERS, BOUNDARIES]} or 'all'")
    if out is None and any(n != BOUNDARIES for n in chosen):
        raise ValueError("--out is required: the folder to write the packages into (e.g. datasets)")
    written: list[Path] = []
    for name in chosen:
        if name == BOUNDARIES:
            written.extend(boundaries.convert(Path(shared)))
        else:
            written.extend(CONVERTERS[name](Path(shared), Path(out)))
    return written
