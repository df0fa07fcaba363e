"""Problems found in input data, reported with package, file, row, field, value and what is wrong."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

# A file with 100,000 bad rows must still give a readable report.
EXAMPLES_PER_KIND = 5


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
            parts.append(f"field {self.field!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts)


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
        lines.append(f"  {package}/{file}: {len(group)} × {kind}")
        for problem in group[:examples]:
            lines.append(f"    - {problem.where()}: {problem.message}")
        if len(group) > examples:
            lines.append(f"    … and {len(group) - examples} more like these")
    return "\n".join(lines)
