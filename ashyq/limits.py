"""Resource limits on input packages, stated once and enforced before the work they protect.

Each limit is far above what a real election needs (the largest tested, Russia 2018: 97,699 stations,
about 1M vote rows, a 28 kB descriptor nested 8 levels, the longest cell under 1,000 characters) and
low enough that a hostile or broken file is refused in a second, with a message naming the limit,
instead of exhausting memory, recursion or integer range later. docs/limits.md lists them with
their errors; tests/hostile/ proves each one.
"""
from __future__ import annotations

import os

# datapackage.json: its size is checked before it is parsed, its nesting before it is parsed too
# (a scan of the brackets), so a 100,000-level descriptor never reaches the JSON parser's recursion.
MAX_DESCRIPTOR_BYTES = 1_000_000
MAX_DESCRIPTOR_DEPTH = 32
# The contract defines 9 resources; anything beyond a few dozen is not an election package.
MAX_RESOURCES = 50
# Per resource file: bytes (never more read than the limit), lines (counted on the bytes,
# before any parsing) and characters in one cell.
MAX_FILE_BYTES = 1_000_000_000
MAX_ROWS = 5_000_000
MAX_CELL_CHARS = 10_000
# Levels of the unit hierarchy, the root being level 1 (country → region → district → station is 4).
MAX_HIERARCHY_DEPTH = 16
# Any integer or number in a resource (votes, voters, ballots, percentages, corrections): a sum over
# MAX_ROWS rows of figures this large still fits the model's 64-bit integers (5e6 x 1e12 = 5e18 < 9.2e18).
MAX_FIGURE = 10**12


class TooLarge(Exception):
    """A file over its byte limit; ``size`` is what the file system reports."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size} bytes > {limit}")
        self.size, self.limit = size, limit


def read_within(path, limit: int) -> bytes:
    """A file's bytes, never more than ``limit`` of them read into memory: over the limit raises
    TooLarge (checked on what is read, so a file that grows after a stat cannot slip through).
    OSError passes to the caller, who names the file."""
    with open(path, "rb") as file:
        data = file.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(max(os.fstat(file.fileno()).st_size, len(data)), limit)
    return data


def number(value: int) -> str:
    """1000000 → '1,000,000' (how limits read in messages)."""
    return f"{value:,}"
