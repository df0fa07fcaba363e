"""Converters: turn the real source files in the shared folder into the bundled Data Packages.

One module per source; each has ``convert(shared, out) -> list[Path]`` and writes through
``package_writer.write_package``, so re-running gives byte-identical files. The packages they write
are committed in ``datasets/``: building the site never needs the shared folder.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import kz_2011, kz_press, spb_2021

CONVERTERS: dict[str, Callable[[Path, Path], list[Path]]] = {
    "kz-press": kz_press.convert,
    "kz-2011": kz_2011.convert,
    "spb-2021": spb_2021.convert,
}


def convert(names: list[str], shared: Path, out: Path) -> list[Path]:
    """Run the named converters ("all" for every one); the package folders written."""
    chosen = list(CONVERTERS) if "all" in names else names
    unknown = [n for n in chosen if n not in CONVERTERS]
    if unknown:
        raise ValueError(f"unknown converter(s) {unknown}; choose from {list(CONVERTERS)} or 'all'")
    written: list[Path] = []
    for name in chosen:
        written.extend(CONVERTERS[name](Path(shared), Path(out)))
    return written
