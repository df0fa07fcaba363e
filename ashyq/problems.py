"""Problems found in input data, reported with package, file, row, field, value and what is wrong."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

# A file with 100,000 bad rows must still give a readable report.
EXAMPLES_PER_KIND = 5
# A value is shown up to this many characters (a 100,000-character cell stays one readable line).
VALUE_CHARS = 200
# What never reaches a terminal raw: C0/C1 control characters (ANSI escape sequences start with ESC),
# DEL, the Unicode controls that reorder or hide text (bidi overrides, zero-width marks), and lone
# surrogates (from a JSON "\ud800"), which no terminal encoding can print at all.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    package: str
    file: str
    message: str
    row: int | None = None  # 1-based line number in the file, header = 1
    field: str | None = None
    value: str | None = None
    kind: str = "error"  # a short code grouping like problems ("type-error", "foreign-key", ...)

    def where(self) -> str:
        parts = [f"{self.package}/{self.file}"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {shown(self.field)}")
        if self.value is not None:
            parts.append(f"value {shown(self.value)}")
        return ", ".join(parts)


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (ESC → \\x1b): safe on any terminal."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def shown(value: str) -> str:
    """A value quoted for a message: long ones cut to ``VALUE_CHARS`` with their length said."""
    value = str(value)
    if len(value) > VALUE_CHARS:
        return repr(value[:VALUE_CHARS]) + f" … ({len(value):,} characters)"
    return repr(value)


class InputError(Exception):
    """Bad input: carries every problem found, so one run reports them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(format_problems(problems))


class Refusal(Exception):
    """A refusal that is not about the data (where to write, a lock held, a full disk): one message
    naming the path and what to do. The command line prints it and exits 1, like an InputError."""


def format_problems(problems: list[Problem], examples: int = EXAMPLES_PER_KIND) -> str:
    """Group problems by file and kind; show a few examples of each group and count the rest."""
    groups: dict[tuple[str, str, str], list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[(problem.package, problem.file, problem.kind)].append(problem)
    lines = [f"{len(problems)} problem(s) in the input data:"]
    for (package, file, kind), group in groups.items():
        lines.append(printable(f"  {package}/{file}: {len(group)} × {kind}"))
        for problem in group[:examples]:
            lines.append(printable(f"    - {problem.where()}: {problem.message}"))
        if len(group) > examples:
            lines.append(f"    … and {len(group) - examples} more like these")
    return "\n".join(lines)
