"""One wording per kind of cell or row problem, shared by the fast path and the Frictionless mapping.

Both paths build their ``Problem`` through these functions, so the same bad cell reads the same whichever
path found it (and the tests can compare the two paths problem by problem).
"""
from __future__ import annotations

from ..limits import MAX_FIGURE

TYPE_EXPECTED = {
    "integer": "a whole number (e.g. 1250)",
    "number": "a number with '.' as decimal point (e.g. 63.5)",
    "date": "a date written YYYY-MM-DD",
    "datetime": "a date and local time written YYYY-MM-DDThh:mm:ss",
    "boolean": "true or false",
    "string": "text",
}

# What a value that breaks a pattern should look like, in words, where the pattern alone says it badly.
PATTERN_HINTS = {
    "^#[0-9A-Fa-f]{6}$": "must be a colour written #rrggbb: '#' and six hexadecimal digits (e.g. #0072b2)",
}


def type_error(field: dict) -> str:
    if field.get("format") == "uri":
        return "expected a web address starting with its scheme (https://…)"
    return f"expected {TYPE_EXPECTED.get(field['type'], field['type'])}"


def too_large() -> str:
    return (f"too large: figures are limited to {MAX_FIGURE:,} (10^12) either side of zero "
            "(see docs/limits.md); check the cell")


def control_character(character: str) -> str:
    return (f"contains the control character U+{ord(character):04X}: text may hold line breaks and tabs only; "
            "remove it")


def case_duplicate(fields: list[str], other_row: int, other: str) -> str:
    return (f"({', '.join(fields)}) differs only in upper/lower case from row {other_row} ({other}): ids must be "
            "unique ignoring case (they name files and URLs, and some disks ignore case); rename one")


def required() -> str:
    return "required value is empty"


def constraint(name: str, field: dict) -> str:
    value = field.get("constraints", {}).get(name)
    if name == "minimum":
        return f"must be at least {value}"
    if name == "maximum":
        return f"must be at most {value}"
    if name == "enum":
        return "must be one of: " + ", ".join(str(v) for v in value)
    if name == "pattern":
        return PATTERN_HINTS.get(value, f"does not match the pattern {value}")
    return f"breaks the constraint {name}={value!r}"


def primary_key(fields: list[str], first_row: int | None) -> str:
    if first_row is None:
        return f"the primary key ({', '.join(fields)}) is empty"
    return f"duplicate primary key ({', '.join(fields)}): the same as row {first_row}"


def foreign_key(fields: list[str], ref_file: str, ref_fields: list[str]) -> str:
    return f"({', '.join(fields)}) not found in {ref_file} ({', '.join(ref_fields)})"


def missing_cell(cells: int, width: int) -> str:
    return f"row has {cells} cells, the header has {width}: this cell is missing"


def extra_cell(cells: int, width: int) -> str:
    return f"row has {cells} cells, the header has {width}: extra value"


def blank_row() -> str:
    return "row is empty"
