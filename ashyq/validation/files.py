"""Read one resource file into a table of text cells, refusing what cannot be read as the contract's CSV.

Checked here, before any cell: the file is UTF-8 (a byte-order mark is accepted and dropped; cp1251 or
UTF-16 is refused with a message saying which encoding was found and which is expected), it is
comma-separated (a single column holding ';' or tabs gets "expected comma-separated", not a confusing
missing-column error), and its header is exactly the contract's columns in the contract's order.

Rows are then counted cell by cell with the ``csv`` module (C speed), so rows with missing or extra
cells and blank rows are reported with their row numbers. The cells themselves are read by Polars
when every record is one line of the right width (the usual case: record n is on line n), and from the
``csv`` records otherwise, so row numbers are always record numbers with the header as row 1 — the
numbering Frictionless uses.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from . import messages, rows
from ..limits import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS, TooLarge, number, read_within
from ..problems import Problem

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ROW, CELLS, BLANK = "__row", "__cells", "__blank"  # bookkeeping columns next to the data
OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class Table:
    """A resource's cells as text (empty cell = null), one row per record, plus its reading problems."""

    file: str
    frame: pl.DataFrame | None = None  # None when the file could not be read as the contract's CSV
    problems: list[Problem] = field(default_factory=list)
    # Each record's line, hashed (validation/rows.py); None when a record spans lines (a quoted line break)
    row_digests: list[bytes] | None = None

    @property
    def readable(self) -> bool:
        return self.frame is not None


def read_table(package_id: str, file: str, path: Path, columns: list[str]) -> Table:
    """The file's cells, or a table whose problems say why it cannot be read (file, line, what to do)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)  # the csv module then refuses a longer cell as it reads it
    try:
        return _read_table(package_id, file, path, columns)
    finally:
        csv.field_size_limit(limit)


def _read_table(package_id: str, file: str, path: Path, columns: list[str]) -> Table:
    table = Table(file)

    def refuse(message: str, kind: str, row: int | None = None, field: str | None = None,
               value: str | None = None) -> Table:
        table.problems.append(Problem(package_id, file, message, row=row, field=field, value=value, kind=kind))
        return table

    try:
        data = read_within(path, MAX_FILE_BYTES)
    except TooLarge as error:
        return refuse(f"the file is {number(error.size)} bytes: the limit is {number(MAX_FILE_BYTES)} bytes per "
                      "resource file (see docs/limits.md)", "limit")
    except OSError as error:
        return refuse(f"the file cannot be read ({error.strerror or error}); check that it is a readable file",
                      "unreadable")
    lines = data.count(b"\n") or data.count(b"\r")
    if lines - 1 > MAX_ROWS:
        return refuse(f"the file has {number(lines)} lines: the limit is {number(MAX_ROWS)} rows per resource "
                      "file (see docs/limits.md)", "limit")
    if data.startswith(UTF16_BOMS):
        return refuse("the file is UTF-16; expected UTF-8 (save it as \"CSV UTF-8\")", "encoding")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]  # accepted: spreadsheet programs write it
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start: error.start + 1].hex().upper()
        return refuse(f"the file is not UTF-8: byte 0x{bad} on line {line} cannot be read"
                      f"{_encoding_guess(data)}; expected UTF-8 (save it as \"CSV UTF-8\")",
                      "encoding", row=line, value=f"0x{bad}")

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return refuse(*_csv_error(error, reader.line_num))
    if not header or header == [""]:
        return refuse(f"the file is empty; expected a header row: {','.join(columns)}", "empty-file", row=1)
    header_problems = _header_problems(header, columns)
    if header_problems:
        for message, kind, name in header_problems:
            refuse(message, kind, row=1, field=name)
        return table

    width = len(columns)
    odd: list[tuple[int, list[str]]] = []  # records whose cell count differs from the header's
    records = 0
    try:
        for records, cells in enumerate(reader, start=1):
            if len(cells) != width:
                odd.append((records + 1, cells))
    except csv.Error as error:
        return refuse(*_csv_error(error, reader.line_num))
    stray = _stray_quote_line(data)
    if stray:
        return refuse(f"a quote on line {stray} stands inside a cell that is not quoted, or after the closing quote: "
                      "quote the whole cell and double the quote inside it (\"Akm\"\"ola\")", "csv", row=stray)
    line_ends = _line_end_problem(data) if b"\r" in data else None
    if line_ends:
        message, line = line_ends
        return refuse(message, "line-ends", row=line)
    one_line_each = reader.line_num == records + 1

    frame = None
    if not odd and one_line_each:
        try:
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, has_header=True, separator=",",
                                quote_char='"', new_columns=columns)
        except pl.exceptions.PolarsError:
            frame = None  # the csv module read it: its records decide
        if frame is None or frame.height != records:  # the two parsers disagree: trust the csv module's records
            frame = None
        else:
            frame = frame.with_columns(pl.int_range(2, records + 2, dtype=pl.Int64).alias(ROW),
                                       pl.lit(width, dtype=pl.Int64).alias(CELLS))
    if frame is None:
        frame = _frame_from_records(text, columns)
    frame = frame.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns])
    frame = frame.with_columns(pl.all_horizontal([pl.col(c).is_null() for c in columns]).alias(BLANK))
    table.frame = frame
    if one_line_each:
        table.row_digests = rows.line_digests(data, records)

    blank_rows = set(frame.filter(pl.col(BLANK))[ROW].to_list())
    for row in sorted(blank_rows):
        refuse(messages.blank_row(), "blank-row", row=row)
    for row, cells in odd:
        if row in blank_rows:
            continue
        if len(cells) < width:
            for name in columns[len(cells):]:
                refuse(messages.missing_cell(len(cells), width), "missing-cell", row=row, field=name)
        else:
            for value in cells[width:]:
                refuse(messages.extra_cell(len(cells), width), "extra-cell", row=row, value=value)
    return table


def _frame_from_records(text: str, columns: list[str]) -> pl.DataFrame:
    width = len(columns)
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    padded = [(cells + [None] * width)[:width] for cells in rows]
    data = {name: pl.Series(name, list(values), dtype=pl.String)
            for name, values in zip(columns, zip(*padded))} if padded else \
        {name: pl.Series(name, [], dtype=pl.String) for name in columns}
    return pl.DataFrame(data).with_columns(
        pl.Series(ROW, range(2, len(rows) + 2), dtype=pl.Int64),
        pl.Series(CELLS, [len(cells) for cells in rows], dtype=pl.Int64),
    )


def _csv_error(error: csv.Error, line: int) -> tuple[str, str, int]:
    """(message, kind, line) for what the csv module could not read."""
    if "field larger" in str(error):
        return (f"a cell on line {line} is longer than {number(MAX_CELL_CHARS)} characters, the limit for one "
                "cell (see docs/limits.md)", "limit", line)
    return (f"the file is not well-formed CSV at line {line} ({error}): a cell that holds a quote, a comma or a "
            "line break must be quoted, and a quote inside it doubled (\"Akmola \"\"North\"\"\" for "
            "Akmola \"North\")", "csv", line)


# A quoted cell: opens after a comma or a line start, closes before a comma or a line end.
_QUOTED_CELL = re.compile(rb'(?<![^,\r\n])"(?:[^"]|"")*"(?![^,\r\n])')
_QUOTED_OR_LINE_END = re.compile(rb'(?<![^,\r\n])"(?:[^"]|"")*"(?![^,\r\n])|\r\n|\r|\n')


def _stray_quote_line(data: bytes) -> int | None:
    """The line of a quote outside a well-quoted cell (``1,Akm"ola``), which the model's CSV reader
    and Polars read differently from the csv module; None when every quote is where CSV puts it."""
    if b'"' not in data or b'"' not in _QUOTED_CELL.sub(b"", data):
        return None
    kept = _QUOTED_CELL.sub(lambda m: b"\n" * m.group().count(b"\n"), data)
    return kept[: kept.index(b'"')].count(b"\n") + 1


def _line_end_problem(data: bytes) -> tuple[str, int] | None:
    """Records must all end in LF or all in CRLF (line breaks inside quoted cells may be either):
    the model stage's CSV reader takes the line end of the first line for the whole file."""
    outside = _QUOTED_CELL.sub(b"", data)
    crlf = outside.count(b"\r\n")
    cr, lf = outside.count(b"\r") - crlf, outside.count(b"\n") - crlf
    if not cr and not (crlf and lf):
        return None
    first, line = None, 1
    for match in _QUOTED_OR_LINE_END.finditer(data):
        end = match.group()
        if end.startswith(b'"'):
            line += end.count(b"\n")
            continue
        if end == b"\r":
            return (f"line {line} ends with a lone CR (old Mac line ends): save the file with LF or CRLF line "
                    "ends", line)
        first = first or end
        if end != first:
            names = {b"\n": "LF", b"\r\n": "CRLF"}
            return (f"line ends are mixed: line 1 ends with {names[first]}, line {line} with {names[end]}; save "
                    "the file with one kind of line end (LF or CRLF)", line)
        line += 1
    return None


def _header_problems(header: list[str], columns: list[str]) -> list[tuple[str, str, str | None]]:
    if header == columns:
        return []
    expected = ",".join(columns)
    if len(header) == 1 and len(columns) > 1:
        for delimiter, name in OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                return [(f"the file looks {name}-separated; expected comma-separated (',') with the header "
                         f"{expected}", "delimiter", None)]
    out = []
    for name in sorted({h for h in header if header.count(h) > 1}):
        out.append((f"column {name!r} appears more than once", "duplicate-column", name))
    for name in columns:
        if name not in header:
            out.append((f"column {name!r} is missing; expected the header {expected}", "missing-column", name))
    for name in header:
        if name not in columns:
            hint = " (check for spaces or a different spelling)" if name.strip() in columns else ""
            out.append((f"unexpected column {name!r}{hint}; expected the header {expected}", "extra-column", name))
    if not out:
        out.append((f"columns are in the wrong order; expected the header {expected}", "column-order", None))
    return out


def _encoding_guess(data: bytes) -> str:
    """', it looks like Windows-1251 (cp1251)' when the bytes read as Cyrillic text in that code page."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return ""
    non_ascii = [c for c in text if ord(c) > 127]
    cyrillic = [c for c in non_ascii if "\u0400" <= c <= "\u04ff"]
    if non_ascii and len(cyrillic) >= 0.8 * len(non_ascii):
        return "; it looks like Windows-1251 (cp1251)"
    return ""
