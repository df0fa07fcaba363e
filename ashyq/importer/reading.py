"""Read a wide results table (CSV or spreadsheet) into text columns, with each row's number in the file.

Everything stays text here: figures are parsed later, where a bad one can be reported with its
column. CSV: UTF-8 (with or without BOM) or cp1251, detected unless stated; comma, semicolon or tab,
detected from the header line unless stated; any line ends (LF, CRLF, CR). Every row must have as many
fields as the header: a short row is a truncated file, not blanks. Spreadsheets (xlsx, xlsm, xls, ods)
are read with fastexcel (Rust calamine), far faster than openpyxl on a national table, after their
unpacked size and cell range are checked against ``limits`` (a zip bomb is refused before reading).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..problems import InputError, Problem
from . import limits
from .mapping import InputOptions, located

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ZIPPED_SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".ods")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
ROW = "__row"  # the row's number in the file (header = header_row)
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # characters that are text in no table
# What cp1251 text holds besides ASCII: Cyrillic letters and the usual typography.
_NOT_CP1251_TEXT = re.compile("[^\x00-\x7f\u0400-\u045f№«»–—‘’‚“”„…•·°±\u00a0]")
_LINE_END = re.compile(r"\r\n|\r|\n")
# A cell or row reference in a sheet's XML: <c r="XFD1048576" …>, <row r="1048576" …>.
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,9})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,9})"')


@dataclass(frozen=True)
class Table:
    path: Path
    headers: list[str]
    frame: pl.DataFrame  # text columns named by position ("0", "1", …) and ROW
    encoding: str | None  # CSV only
    delimiter: str | None  # CSV only


def read_table(path: Path, options: InputOptions) -> Table:
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() in SPREADSHEETS:
        headers, frame = _read_spreadsheet(path, options)
        encoding = delimiter = None
    else:
        headers, frame, encoding, delimiter = _read_csv(path, options)
    _check_text(path, headers, frame, options.header_row)
    headers = [" ".join((value or "").split()) for value in headers]
    # Spreadsheets and exports leave blank rows and blank unnamed columns: they carry nothing.
    blank = [pl.col(str(i)).str.strip_chars().fill_null("") == "" for i in range(len(headers))]
    frame = frame.filter(~pl.all_horizontal(blank)) if blank else frame
    keep = [i for i, header in enumerate(headers)
            if header or frame.select((pl.col(str(i)).str.strip_chars().fill_null("") != "").any()).item()]
    frame = frame.select([pl.col(str(i)).alias(str(n)) for n, i in enumerate(keep)] + [pl.col(ROW).cast(pl.Int64)])
    return Table(path, [headers[i] for i in keep], frame, encoding, delimiter)


def _check_file(path: Path) -> None:
    """The path is a readable file within the size limit (stated before anything is read)."""
    if path.is_dir():
        raise InputError([_problem(path, "is a folder, not a table file: give the path of the .csv or spreadsheet",
                                   kind="missing-file")])
    if not path.is_file():
        raise InputError([_problem(path, "table file not found", kind="missing-file")])
    size = path.stat().st_size
    if size == 0:
        raise InputError([_problem(path, "the file is empty (0 bytes): is the download complete?", kind="empty-file")])
    if size > limits.MAX_TABLE_BYTES:
        raise InputError([_problem(path, f"the file is {size:,} bytes, over the importer's limit of "
                                         f"{limits.size(limits.MAX_TABLE_BYTES)}: split the table (by region) and "
                                         "import the parts with --append", kind="limit")])


def _read_csv(path: Path, options: InputOptions) -> tuple[list[str], pl.DataFrame, str, str]:
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([_problem(path, "is UTF-16 (Excel's 'Unicode text'): save it as 'CSV UTF-8' instead",
                                   kind="encoding")])
    encoding = options.encoding or detect_encoding(path, data)
    text = _decode(path, data, encoding).lstrip("\ufeff")
    del data
    delimiter = options.delimiter or detect_delimiter(path, text, options.header_row)
    headers, rows, numbers = _records(path, text, delimiter, options.header_row)
    del text
    names = [str(i) for i in range(len(headers))]
    frame = pl.DataFrame(rows, schema={name: pl.String for name in names}, orient="row") if rows else \
        pl.DataFrame(schema={name: pl.String for name in names})
    return headers, frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64)), encoding, delimiter


def _records(path: Path, text: str, delimiter: str, header_row: int) -> tuple[list[str], list[list[str]], list[int]]:
    """The header and every row after it, each row as wide as the header (a short row is a truncated file)."""
    csv.field_size_limit(limits.MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[Problem] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if number < header_row:
                continue
            if headers is None:
                headers = record
                if len(headers) > limits.MAX_COLUMNS:
                    raise InputError([_problem(path, f"the header has {len(headers):,} columns, over the importer's "
                                                     f"limit of {limits.MAX_COLUMNS:,}", row=number, kind="limit")])
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            if len(record) != len(headers):
                ragged.append(_problem(
                    path, f"has {len(record)} field(s) where the header (row {header_row}) has {len(headers)}: "
                          + ("the row is cut short (a truncated download?)" if len(record) < len(headers) else
                             "a delimiter inside a name must be quoted") + "; fix the row, nothing was imported",
                    row=number, value=_shorten(delimiter.join(record)), kind="ragged-row"))
                continue
            if len(rows) == limits.MAX_ROWS:
                raise InputError([_problem(path, f"has more than {limits.MAX_ROWS:,} rows, the importer's limit: "
                                                 "split the table (by region) and import the parts with --append",
                                           row=number, kind="limit")])
            rows.append(record)
            numbers.append(number)
    except csv.Error as error:
        row = number + 1
        if "field larger than field limit" in str(error):
            message = f"has a cell longer than {limits.MAX_CELL_CHARS:,} characters, the importer's limit " \
                      "(often a quote that is never closed)"
        else:
            message = f"cannot be read as {DELIMITERS[delimiter]}-separated CSV ({error}): a quote inside a cell " \
                      'must be doubled ("") and the cell quoted'
        raise InputError([_problem(path, message, row=row, kind="csv")])
    if headers is None:
        raise InputError([_problem(path, f"the file has no row {header_row} to read the header from",
                                   kind="header")])
    if ragged:
        raise InputError(ragged)
    return headers, rows, numbers


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError([_problem(path, f"cannot be read: {error.strerror or error}", kind="missing-file")])


def detect_encoding(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or cp1251; anything else is refused rather than guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # Many NUL bytes: UTF-16 without a BOM, or not text at all. (A stray one is named with its row later.)
    if data.count(b"\x00") * 100 <= len(data):
        try:
            data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as error:
            if max(data[:error.start], default=0) >= 0x80:  # UTF-8 letters before the bad byte: a UTF-8 file
                _decode(path, data, "utf-8")
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
        row = len(_LINE_END.findall(data[:error.start].decode("latin-1"))) + 1
        raise InputError([_problem(path, f"is not valid {encoding} (byte {data[error.start]:#04x}): "
                                         "fix the encoding under input.encoding in the mapping",
                                   row=row, kind="encoding")])


def detect_delimiter(path: Path, text: str, header_row: int) -> str:
    """The delimiter found most often, outside quotes, in the header line."""
    lines = _LINE_END.split(text, maxsplit=header_row)
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


def _check_text(path: Path, headers: list[str], frame: pl.DataFrame, header_row: int) -> None:
    """No control characters (NUL, escape codes…): they are text in no table and must not reach a page."""
    problems = [_problem(path, "the header holds a control character (NUL or the like): remove it",
                         row=header_row, field=repr(header), kind="control-character")
                for header in headers if header and re.search(CONTROL, header)]
    for position, header in enumerate(headers):
        long = frame.filter(pl.col(str(position)).str.len_chars() > limits.MAX_CELL_CHARS).select(ROW).head(5)
        for (row,) in long.iter_rows():
            problems.append(_problem(path, f"the cell is longer than {limits.MAX_CELL_CHARS:,} characters, the "
                                           "importer's limit", row=row, field=" ".join((header or "").split()),
                                     kind="limit"))
        bad = frame.filter(pl.col(str(position)).str.contains(CONTROL)).select(ROW, str(position)).head(5)
        for row, value in bad.iter_rows():
            problems.append(_problem(path, "the cell holds a control character (NUL or the like): remove it",
                                     row=row, field=" ".join((header or "").split()), value=_shorten(repr(value)),
                                     kind="control-character"))
    if problems:
        raise InputError(problems)


def _read_spreadsheet(path: Path, options: InputOptions) -> tuple[list[str], pl.DataFrame]:
    if path.suffix.lower() in ZIPPED_SPREADSHEETS:
        check_spreadsheet_size(path)
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
        rows = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except InputError:
        raise
    except BaseException as error:  # fastexcel's own errors, and a Rust panic (a BaseException) in the reader
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise InputError([_problem(path, f"cannot be read as a spreadsheet: {_shorten(str(error))}",
                                   kind="spreadsheet")])
    if rows.width > limits.MAX_COLUMNS or rows.height > limits.MAX_ROWS + options.header_row:
        raise InputError([_problem(path, f"the sheet has {rows.height:,} rows and {rows.width:,} columns, over the "
                                         f"importer's limits ({limits.MAX_ROWS:,} rows, {limits.MAX_COLUMNS:,} columns)",
                                   kind="limit")])
    header_index = options.header_row - 1
    if rows.height <= header_index:
        raise InputError([_problem(path, f"the file has no row {options.header_row} to read the header from",
                                   kind="header")])
    headers = list(rows.row(header_index))
    frame = rows.slice(header_index + 1).with_row_index(ROW, offset=options.header_row + 1)
    frame = frame.rename({old: str(i) for i, old in enumerate(rows.columns)})
    return headers, frame.with_columns(pl.col(ROW).cast(pl.Int64))


def check_spreadsheet_size(path: Path) -> None:
    """Refuse a zipped spreadsheet that unpacks beyond the limit, before the reader sees it.

    The sizes the zip's directory states are checked first (a bomb is refused at once); then every part
    is unpacked once, counting, since those sizes can lie (zipfile stops at the stated size and checks
    the CRC). Sheets are scanned for their highest cell reference: one cell at XFD1048576 makes the
    reader allocate the whole range.
    """
    limit = limits.MAX_SPREADSHEET_UNPACKED
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            stated = sum(part.file_size for part in parts)
            if stated > limit:
                raise InputError([_problem(path, f"unpacks to {stated:,} bytes, over the importer's limit of "
                                                 f"{limits.size(limit)} (a zip bomb, or a table to split by region)",
                                           kind="limit")])
            for part in parts:
                _scan_part(path, archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as error:
        raise InputError([_problem(path, f"is not a readable {path.suffix} file (a damaged or unfinished download?): "
                                         f"{error}", kind="spreadsheet")])


def _scan_part(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    is_sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
    max_row = max_column = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            if is_sheet:
                window = tail + chunk
                for letters, digits in _CELL_REF.findall(window):
                    max_column = max(max_column, _column_number(letters))
                    max_row = max(max_row, int(digits))
                for digits in _ROW_REF.findall(window):
                    max_row = max(max_row, int(digits))
                tail = window[-256:]
    if max_row > limits.MAX_ROWS + 1000 or max_column > limits.MAX_COLUMNS:
        raise InputError([_problem(path, f"the sheet {part.filename} reaches row {max_row:,}, column {max_column:,}: "
                                         f"over the importer's limits ({limits.MAX_ROWS:,} rows, "
                                         f"{limits.MAX_COLUMNS:,} columns); delete the stray far-away cells",
                                   kind="limit")])


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _shorten(text: str, width: int = 200) -> str:
    return text if len(text) <= width else text[:width] + f"… ({len(text):,} characters)"


def _problem(path: Path, message: str, row: int | None = None, field: str | None = None, value: str | None = None,
             kind: str = "table") -> Problem:
    folder, name = located(path)
    return Problem(folder, name, message, row=row, field=field, value=value, kind=kind)
