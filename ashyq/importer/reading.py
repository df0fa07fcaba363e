"""Read a wide results table (CSV or spreadsheet) into text columns, with each row's number in the file.

Everything stays text here: figures are parsed later, where a bad one can be reported with its
column. CSV: UTF-8 (with or without BOM) or cp1251, detected unless stated; comma, semicolon or tab,
detected from the header line unless stated. Spreadsheets (xlsx, xlsm, xls, ods) are read with
fastexcel (Rust calamine), far faster than openpyxl on a national table.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..problems import InputError, Problem
from .mapping import InputOptions

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
ROW = "__row"  # the row's number in the file (header = header_row)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What cp1251 text holds besides ASCII: Cyrillic letters and the usual typography.
_NOT_CP1251_TEXT = re.compile("[^\x00-\x7f\u0400-\u045f№«»–—‘’‚“”„…•·°±\u00a0]")


@dataclass(frozen=True)
class Table:
    path: Path
    headers: list[str]
    frame: pl.DataFrame  # text columns named by position ("0", "1", …) and ROW
    encoding: str | None  # CSV only
    delimiter: str | None  # CSV only


def read_table(path: Path, options: InputOptions) -> Table:
    path = Path(path)
    if not path.is_file():
        raise InputError([_problem(path, "table file not found", kind="missing-file")])
    if path.suffix.lower() in SPREADSHEETS:
        rows, encoding, delimiter = _read_spreadsheet(path, options), None, None
    else:
        rows, encoding, delimiter = _read_csv(path, options)
    header_index = options.header_row - 1
    if rows.height <= header_index:
        raise InputError([_problem(path, f"the file has no row {options.header_row} to read the header from",
                                   kind="header")])
    headers = [" ".join((value or "").split()) for value in rows.row(header_index)]
    frame = rows.slice(header_index + 1).with_row_index(ROW, offset=options.header_row + 1)
    frame = frame.rename({old: str(i) for i, old in enumerate(rows.columns)})
    # Spreadsheets and exports leave blank rows and blank unnamed columns: they carry nothing.
    blank = [pl.col(str(i)).str.strip_chars().fill_null("") == "" for i in range(len(headers))]
    frame = frame.filter(~pl.all_horizontal(blank)) if blank else frame
    keep = [i for i, header in enumerate(headers)
            if header or frame.select((pl.col(str(i)).str.strip_chars().fill_null("") != "").any()).item()]
    frame = frame.select([pl.col(str(i)).alias(str(n)) for n, i in enumerate(keep)] + [pl.col(ROW).cast(pl.Int64)])
    return Table(path, [headers[i] for i in keep], frame, encoding, delimiter)


def _read_csv(path: Path, options: InputOptions) -> tuple[pl.DataFrame, str, str]:
    data = path.read_bytes()
    encoding = options.encoding or detect_encoding(path, data)
    text = _decode(path, data, encoding)
    if encoding == "utf-8":
        utf8 = data  # already valid UTF-8 without BOM: no copy
    else:
        utf8 = text.encode("utf-8")
    delimiter = options.delimiter or detect_delimiter(path, text, options.header_row)
    try:
        rows = pl.read_csv(io.BytesIO(utf8), has_header=False, separator=delimiter, skip_rows=options.header_row - 1,
                           infer_schema=False, raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        raise InputError([_ragged_row(path, text, delimiter, options.header_row) or
                          _problem(path, f"cannot be read as {DELIMITERS[delimiter]}-separated CSV: {error}",
                                   kind="csv")])
    return rows, encoding, delimiter


def detect_encoding(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or cp1251; anything else is refused rather than guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([_problem(path, "is UTF-16 (Excel's 'Unicode text'): save it as 'CSV UTF-8' instead",
                                   kind="encoding")])
    # Control characters (NUL above all: UTF-16 without BOM, binary files) are text in no encoding we read.
    if not _CONTROL.search(data):
        try:
            data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            if _mostly_cyrillic(data.decode("cp1251")):
                return "cp1251"
        except UnicodeDecodeError:
            pass
    raise InputError([_problem(
        path, "is neither UTF-8 nor cp1251 (Windows-1251) text: save it as 'CSV UTF-8', "
              "or state the encoding under input.encoding in the mapping", kind="encoding")])


def _mostly_cyrillic(text: str) -> bool:
    """cp1251 decodes almost any bytes: real cp1251 text is Cyrillic where it is not ASCII."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    odd = sum(1 for _ in _NOT_CP1251_TEXT.finditer(text))
    return odd * 20 <= non_ascii  # at most 5 % of the non-ASCII characters are anything else


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise InputError([_problem(path, f"is not valid {encoding} (byte {data[error.start]:#04x}): "
                                         "fix the encoding under input.encoding in the mapping",
                                   row=row, kind="encoding")])


def detect_delimiter(path: Path, text: str, header_row: int) -> str:
    """The delimiter found most often, outside quotes, in the header line."""
    lines = text.lstrip("\ufeff").split("\n", header_row)
    line = lines[header_row - 1] if len(lines) >= header_row else ""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    winners = [d for d, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise InputError([_problem(path, "cannot tell the delimiter from the header line: state it as "
                                         'input.delimiter ("," ";" or "tab") in the mapping',
                                   row=header_row, kind="delimiter")])
    return winners[0]


def _ragged_row(path: Path, text: str, delimiter: str, header_row: int) -> Problem | None:
    """Polars says only that some row is too long; find which, for the message (error path only)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    width = None
    for number, record in enumerate(reader, start=1):
        if number == header_row:
            width = len(record)
        elif width is not None and len(record) > width:
            return _problem(path, f"has {len(record)} cells where the header has {width}", row=number, kind="csv")
    return None


def _read_spreadsheet(path: Path, options: InputOptions) -> pl.DataFrame:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet = options.sheet if options.sheet is not None else 1
        if isinstance(sheet, int):
            if not 1 <= sheet <= len(reader.sheet_names):
                raise InputError([_problem(path, f"has no sheet {sheet} (it has {len(reader.sheet_names)})",
                                           kind="sheet")])
            sheet = sheet - 1
        elif sheet not in reader.sheet_names:
            raise InputError([_problem(path, f"has no sheet {sheet!r} (it has {reader.sheet_names})", kind="sheet")])
        # No header here and no skipped rows, so row i of the frame is row i + 1 of the sheet.
        return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except InputError:
        raise
    except Exception as error:  # fastexcel raises its own error types for unreadable files
        raise InputError([_problem(path, f"cannot be read as a spreadsheet: {error}", kind="spreadsheet")])


def _problem(path: Path, message: str, row: int | None = None, kind: str = "table") -> Problem:
    return Problem(str(path.parent), path.name, message, row=row, kind=kind)
