"""The importer's resource limits, checked before the work they guard (docs/import.md, "Limits").

Each is far above any real election table (Russia 2018: 33 MB, 97,699 rows, 24 columns; India, the
largest, has about a million polling stations) and far below what would exhaust a laptop. A file
over a limit is refused with the limit named, never read in part.
"""
from __future__ import annotations

from .. import limits as package_limits

MAX_TABLE_BYTES = 1 << 30  # 1 GiB: a CSV or spreadsheet file as it is on disk
MAX_ROWS = 2_000_000  # rows of figures below the header
MAX_COLUMNS = 5_000  # columns in the header row
MAX_CELL_CHARS = package_limits.MAX_CELL_CHARS  # characters in one cell (as validate allows in a package)
MAX_SPREADSHEET_UNPACKED = 1 << 30  # 1 GiB: all the parts of an .xlsx/.xlsm/.xlsb/.ods, unpacked
# What a package may hold, so that what the importer writes validates and builds (these mirror the
# package limits of validate: a figure that large summed over every row still fits 64-bit integers).
MAX_FIGURE = package_limits.MAX_FIGURE  # any protocol line or vote count
MAX_PACKAGE_ROWS = package_limits.MAX_ROWS  # rows in any one resource (votes: stations × choices)
MAX_MAPPING_BYTES = 1 << 20  # 1 MiB: the YAML mapping
MAX_MAPPING_DEPTH = 32  # nesting of lists and mappings in the YAML mapping


def size(count: int) -> str:
    """1073741824 → '1 GiB', for messages."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count:,} bytes"
