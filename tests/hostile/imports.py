"""Named bad inputs for ``build.py import``, each with what the refusal must say.

Every case starts from real data: the first rows of the 2018 Russian presidential table
(../shared/realdata/ru-uik-shpilkin/2018.csv) and the example mapping from docs/examples, and breaks
one thing the way a truncated download, a hand-edited file or an attacker would. The rule each case
asserts (tests/test_hostile_import.py): exit 1 with the file, row, field and value in the message and
no traceback, nothing left behind; or, for the cases marked ``accepted``, a package that validates.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from paths import REALDATA

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
SHPILKIN_2018 = REALDATA / "ru-uik-shpilkin" / "2018.csv"
ROWS = 30  # rows of figures in the base table (Адыгея, ТИК 1 and 2)
NAME = "ru-2018-sample"  # the --out folder's name


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], list[str]]  # writes its files into the folder given; returns the args after "import"
    expect: tuple[str, ...] = ()  # texts the refusal must contain (file, row, field, value, what is wrong)
    accepted: bool = False  # the import must succeed and the package validate
    keeps: tuple[str, ...] = field(default=())  # files beside the package that must survive


def base_lines() -> list[bytes]:
    """The header and the first ROWS rows of 2018.csv, as the file's own bytes (LF line ends)."""
    with SHPILKIN_2018.open("rb") as handle:
        return [next(handle).rstrip(b"\r\n") for _ in range(ROWS + 1)]


def base_mapping() -> dict:
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["complete"] = False  # a slice of the country
    return mapping


def write_mapping(folder: Path, mapping: dict | None = None, name: str = "mapping.yml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(mapping or base_mapping(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_table(folder: Path, lines: list[bytes] | None = None, name: str = "table.csv", end: bytes = b"\n") -> Path:
    path = folder / name
    path.write_bytes(end.join(lines or base_lines()) + end)
    return path


def args(table: Path, mapping: Path, out: Path, *more: str) -> list[str]:
    return [str(table), "--mapping", str(mapping), "--out", str(out), *more]


def out_of(folder: Path) -> Path:
    return folder / "datasets" / NAME


# ------------------------------------------------------------------ table cases


def _table_case(name: str, change: Callable[[list[bytes]], list[bytes]], *expect: str, end: bytes = b"\n",
                mapping: Callable[[dict], None] | None = None, accepted: bool = False) -> Case:
    def make(folder: Path) -> list[str]:
        lines = change(base_lines())
        table = write_table(folder, lines, end=end)
        data = base_mapping()
        if mapping:
            mapping(data)
        return args(table, write_mapping(folder, data), out_of(folder))
    return Case(name, make, ("table.csv",) + expect, accepted=accepted)


def _set_cell(row: int, column: int, value: bytes) -> Callable[[list[bytes]], list[bytes]]:
    """Row as numbered in the file (header = 1), column from 0; a naive split (the base rows have no quotes
    after the header)."""
    def change(lines: list[bytes]) -> list[bytes]:
        cells = lines[row - 1].split(b",")
        cells[column] = value
        lines[row - 1] = b",".join(cells)
        return lines
    return change


def _truncate_row(row: int, keep: int) -> Callable[[list[bytes]], list[bytes]]:
    def change(lines: list[bytes]) -> list[bytes]:
        lines[row - 1] = b",".join(lines[row - 1].split(b",")[:keep])
        return lines[:row]
    return change


def _cp1251(lines: list[bytes]) -> list[bytes]:
    return [line.decode("utf-8").encode("cp1251") for line in lines]


TABLE_CASES = [
    _table_case("truncated-download-last-row", _truncate_row(ROWS + 1, 10), "row 31",
                "has 10 field(s) where the header (row 1) has 24", "truncated"),
    _table_case("row-with-an-extra-field", lambda lines: lines[:5] + [lines[5] + b",1"] + lines[6:], "row 6",
                "has 25 field(s) where the header (row 1) has 24"),
    _table_case("row-cut-to-one-field", lambda lines: lines[:9] + [b"1"] + lines[10:], "row 10", "has 1 field(s)"),
    _table_case("file-cut-inside-a-quoted-cell", lambda lines: lines[:12] + [b'"1 Adyg'], "row 13",
                "cannot be read as comma-separated CSV"),
    _table_case("stray-quote-inside-a-cell", _set_cell(4, 1, b'"1 Ady"geyskaya'), "row 4",
                'a quote inside a cell must be doubled'),
    _table_case("cell-over-the-length-limit", _set_cell(3, 1, b'"' + b"x" * 20_000 + b'"'), "row 3",
                "longer than 10,000 characters"),
    _table_case("nul-byte-in-a-name", _set_cell(5, 1, b"1 \x00Adygeyskaya"), "row 5", "field 'tik'",
                "control character"),
    _table_case("terminal-escape-in-a-name", _set_cell(6, 0, b"\x1b[31mRed region"), "row 6", "field 'region'",
                "control character"),
    _table_case("utf16-file", lambda lines: [b"\xff\xfe" + "\n".join(x.decode() for x in lines).encode("utf-16-le")],
                "is UTF-16"),
    _table_case("greek-code-page", lambda lines: lines[:2] + [lines[2].replace(b"1 \xd0\x90", b"1 \xe1\xe2\xe3")] +
                lines[3:], "row 3", "is not valid utf-8", mapping=lambda m: m["input"].update(encoding="utf-8")),
    _table_case("cp1251-file-stated-as-utf8", _cp1251, "row 1", "is not valid utf-8"),
    _table_case("cp1251-bytes-in-a-utf8-file-detected", lambda lines: lines[:7] + _cp1251([lines[7]]) + lines[8:],
                "row 8", "is not valid utf-8", mapping=lambda m: m["input"].pop("encoding")),
    _table_case("header-only", lambda lines: lines[:1], "row 1", "has a header but no rows of figures"),
    _table_case("blank-lines-only-after-the-header", lambda lines: lines[:1] + [b"", b" , ", b""], "row 1",
                "has a header but no rows of figures"),
    _table_case("letters-in-a-figure", _set_cell(7, 3, b"22O6"), "row 7",
                "field 'Число избирателей, включенных в список избирателей'", "value '22O6'", "not a whole number"),
    _table_case("negative-figure", _set_cell(8, 16, b"-5"), "row 8", "field 'Грудинин Павел Николаевич'",
                "value '-5'"),
    _table_case("decimal-figure", _set_cell(9, 18, b"1977.5"), "row 9", "value '1977.5'", "not a whole number"),
    _table_case("figure-at-int64-max", _set_cell(10, 18, b"9223372036854775807"), "row 10",
                "value '9223372036854775807'", "larger than 1,000,000,000,000"),
    _table_case("figure-beyond-int64", _set_cell(11, 3, b"99999999999999999999999"), "row 11",
                "larger than 1,000,000,000,000"),
    _table_case("empty-station-number", _set_cell(12, 2, b""), "row 12", "field 'uik'", "the station is empty"),
    _table_case("duplicate-station", lambda lines: lines + [lines[1]], "row 32", "appears on rows 2, 32"),
    _table_case("semicolon-file-read-as-comma", lambda lines: [x.replace(b",", b";") for x in lines],
                "field 'region;tik;uik;", "not in the table", mapping=lambda m: m["input"].update(delimiter=",")),
    _table_case("unmapped-extra-column", lambda lines: [x.replace(b",", b"," + (b"note," if i == 0 else b"ok,"), 1)
                                                        for i, x in enumerate(lines)],
                "row 1", "field 'note'", "neither mapped nor ignored"),
    _table_case("duplicate-header", lambda lines: [lines[0].replace(b"tik", b"region", 1)] + lines[1:],
                "appears twice in the header"),
    _table_case("header-row-beyond-the-file", lambda lines: lines, "has no row 500",
                mapping=lambda m: m["input"].update(header_row=500)),
    _table_case("ambiguous-delimiter", lambda lines: [b"a,b;c;d,e"] + lines[1:], "row 1",
                "cannot tell the delimiter", mapping=lambda m: m["input"].pop("delimiter")),
    # Accepted: line ends and byte-order marks are not errors.
    _table_case("cr-only-line-ends", lambda lines: lines, end=b"\r", accepted=True),
    _table_case("crlf-on-the-first-lines-only", lambda lines: [x + b"\r" for x in lines[:4]] + lines[4:],
                accepted=True),
    _table_case("utf8-bom-and-crlf", lambda lines: [b"\xef\xbb\xbf" + lines[0]] + lines[1:], end=b"\r\n",
                accepted=True, mapping=lambda m: m["input"].pop("encoding")),
    _table_case("cp1251-detected", _cp1251, accepted=True, mapping=lambda m: m["input"].pop("encoding")),
]


# ------------------------------------------------------------------ files and folders


def _missing_table(folder: Path) -> list[str]:
    return args(Path("/nonexistent-ashyq-table.csv"), write_mapping(folder), out_of(folder))


def _table_is_a_folder(folder: Path) -> list[str]:
    (folder / "table.csv").mkdir()
    return args(folder / "table.csv", write_mapping(folder), out_of(folder))


def _empty_table(folder: Path) -> list[str]:
    (folder / "table.csv").write_bytes(b"")
    return args(folder / "table.csv", write_mapping(folder), out_of(folder))


def _mapping_is_a_folder(folder: Path) -> list[str]:
    (folder / "mapping.yml").mkdir()
    return args(write_table(folder), folder / "mapping.yml", out_of(folder))


def _missing_mapping(folder: Path) -> list[str]:
    return args(write_table(folder), folder / "no-such-mapping.yml", out_of(folder))


def _out_is_a_file(folder: Path) -> list[str]:
    out = out_of(folder)
    out.parent.mkdir(parents=True)
    out.write_text("not a folder")
    return args(write_table(folder), write_mapping(folder), out)


def _out_under_a_file(folder: Path) -> list[str]:
    (folder / "datasets").write_text("a file where the datasets folder should be")
    return args(write_table(folder), write_mapping(folder), out_of(folder))


def _out_bad_name(folder: Path) -> list[str]:
    return args(write_table(folder), write_mapping(folder), folder / "datasets" / "Bad Name")


def _existing_package_without_force(folder: Path) -> list[str]:
    out = out_of(folder)
    out.mkdir(parents=True)
    (out / "datapackage.json").write_text('{"name": "ru-2018-sample", "resources": []}')
    return args(write_table(folder), write_mapping(folder), out)


def _force_over_a_user_file_named_like_a_resource(folder: Path) -> list[str]:
    out = out_of(folder)
    out.mkdir(parents=True)
    (out / "datapackage.json").write_text('{"name": "ru-2018-sample", "resources": []}')
    (out / "votes.csv").write_text("my own notes, not listed by the package")
    return args(write_table(folder), write_mapping(folder), out, "--force")


def _force_over_a_broken_descriptor(folder: Path) -> list[str]:
    out = out_of(folder)
    out.mkdir(parents=True)
    (out / "datapackage.json").write_text('{"resources": [')
    return args(write_table(folder), write_mapping(folder), out, "--force")


def _force_keeps_other_files(folder: Path) -> list[str]:
    out = out_of(folder)
    out.mkdir(parents=True)
    (out / "datapackage.json").write_text('{"name": "ru-2018-sample", "resources": [{"name": "units", '
                                          '"path": "units.csv"}, {"name": "x", "path": "../outside.txt"}]}')
    (out / "units.csv").write_text("old")
    (out / "notes.txt").write_text("my notes")
    (out / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    (folder / "datasets" / "outside.txt").write_text("listed with ../ but outside the package: never touched")
    return args(write_table(folder), write_mapping(folder), out, "--force")


def _xlsx(folder: Path, sheet_xml: bytes, name: str = "table.xlsx") -> Path:
    """A minimal xlsx: enough parts for a reader to open it, with the sheet given."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                         '</Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                         'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                         'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                         'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                         '</Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(sheet_xml)
    return path


SHEET_HEAD = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def _spreadsheet_bomb(folder: Path) -> list[str]:
    """A zip of about 1 MB whose sheet unpacks past the 1 GiB limit: one repeated row, streamed in."""
    path = folder / "table.xlsx"
    _xlsx(folder, SHEET_HEAD + SHEET_TAIL)
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
            block = row * 256  # 1 MB
            for _ in range(1100):
                sheet.write(block)
    return args(path, write_mapping(folder), out_of(folder))


def _far_away_cell(folder: Path) -> list[str]:
    """A 300-byte sheet with a cell at XFD1048576: the reader would allocate 17 billion cells."""
    sheet = SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>region</t></is></c></row><row r="1048576">' \
        b'<c r="XFD1048576"><v>1</v></c></row>' + SHEET_TAIL
    return args(_xlsx(folder, sheet), write_mapping(folder), out_of(folder))


def _not_a_zip(folder: Path) -> list[str]:
    path = folder / "table.xlsx"
    path.write_bytes(b"region,tik,uik\n" * 10)
    return args(path, write_mapping(folder), out_of(folder))


def _truncated_xlsx(folder: Path) -> list[str]:
    rows = b"".join(b'<row><c t="inlineStr"><is><t>' + line.replace(b"&", b"&amp;") + b"</t></is></c></row>"
                    for line in base_lines())
    path = _xlsx(folder, SHEET_HEAD + rows + SHEET_TAIL)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return args(path, write_mapping(folder), out_of(folder))


FILE_CASES = [
    Case("missing-table-shown-as-given", _missing_table, ("/nonexistent-ashyq-table.csv: table file not found",)),
    Case("table-is-a-folder", _table_is_a_folder, ("table.csv", "is a folder, not a table file")),
    Case("empty-table-file", _empty_table, ("table.csv", "the file is empty")),
    Case("mapping-is-a-folder", _mapping_is_a_folder, ("mapping.yml", "is a folder, not a mapping file")),
    Case("mapping-not-found", _missing_mapping, ("no-such-mapping.yml", "mapping file not found")),
    Case("out-is-a-file", _out_is_a_file, ("ru-2018-sample", "is a file, not a folder")),
    Case("out-under-a-file", _out_under_a_file, ("datasets is a file",)),
    Case("out-name-not-an-id", _out_bad_name, ("'Bad Name'", "is the election id")),
    Case("existing-package-needs-force", _existing_package_without_force, ("ru-2018-sample", "pass --force")),
    Case("force-never-overwrites-an-unlisted-file", _force_over_a_user_file_named_like_a_resource,
         ("votes.csv", "does not list", "move it away")),
    Case("force-over-a-broken-descriptor", _force_over_a_broken_descriptor,
         ("datapackage.json", "cannot tell which files belong to the package")),
    Case("force-keeps-notes-and-photos", _force_keeps_other_files, accepted=True,
         keeps=("datasets/ru-2018-sample/notes.txt", "datasets/ru-2018-sample/photo.jpg", "datasets/outside.txt")),
    Case("spreadsheet-bomb", _spreadsheet_bomb, ("table.xlsx", "unpacks to", "over the importer's limit of 1 GiB")),
    Case("spreadsheet-far-away-cell", _far_away_cell, ("table.xlsx", "reaches row 1,048,576, column 16,384")),
    Case("xlsx-that-is-not-a-zip", _not_a_zip, ("table.xlsx", "is not a readable .xlsx file")),
    Case("truncated-xlsx", _truncated_xlsx, ("table.xlsx", "is not a readable .xlsx file")),
]


# ------------------------------------------------------------------ mapping cases


def _mapping_text(name: str, text: str | bytes, *expect: str) -> Case:
    def make(folder: Path) -> list[str]:
        path = folder / "mapping.yml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return args(write_table(folder), path, out_of(folder))
    return Case(name, make, ("mapping.yml",) + expect)


def _mapping_change(name: str, change: Callable[[dict], None], *expect: str, file: str = "mapping.yml") -> Case:
    def make(folder: Path) -> list[str]:
        data = base_mapping()
        change(data)
        return args(write_table(folder), write_mapping(folder, data), out_of(folder))
    return Case(name, make, (file,) + expect)


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] +
    [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
     f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)] + ["election: *i"])

MAPPING_CASES = [
    _mapping_text("billion-laughs", BILLION_LAUGHS, "row 1", "anchor or alias"),
    _mapping_text("self-referencing-alias", "election: &e\n  title: *e\n", "row 1", "anchor or alias"),
    _mapping_text("mapping-is-a-list", "- election\n- levels\n", "must be a YAML mapping", "this one is a list"),
    _mapping_text("mapping-is-a-scalar", "just some text\n", "must be a YAML mapping", "this one is a text"),
    _mapping_text("mapping-is-empty", "", "must be a YAML mapping", "this one is empty"),
    _mapping_text("mapping-deeply-nested", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 32 levels"),
    _mapping_text("mapping-over-the-size-limit", "# " + "x" * (1 << 20) + "\n", "over the limit of 1 MiB"),
    _mapping_text("mapping-not-utf8", "election:\n  title: Выборы\n".encode("cp1251"), "is not UTF-8 text"),
    _mapping_text("mapping-yaml-syntax-error", "election:\n\t title: x\n", "not a readable YAML file"),
    _mapping_text("mapping-unhashable-key", "? [a, b]\n: c\n", "not a readable YAML file"),
    _mapping_change("unknown-top-level-key", lambda m: m.update(colour="red"), "field 'colour'", "unknown key"),
    _mapping_change("unknown-level-key", lambda m: m["levels"][1].update(prefix="tik-"), "field 'levels[2].prefix'",
                    "unknown key"),
    _mapping_change("levels-is-a-scalar", lambda m: m.update(levels="region"), "field 'levels'", "must be a list"),
    _mapping_change("lines-is-a-list", lambda m: m.update(lines=["voters_on_list"]), "field 'lines'",
                    "must be a mapping"),
    _mapping_change("unknown-protocol-line", lambda m: m["lines"].update(voters="x"), "field 'lines.voters'",
                    "is not a protocol line"),
    _mapping_change("bad-election-date", lambda m: m["election"].update(date="2018-02-30"), "field 'election.date'",
                    "value '2018-02-30'"),
    _mapping_change("bad-split-pattern", lambda m: m["levels"][1].update(split="(unclosed"),
                    "field 'levels[2].split'", "valid regular expression"),
]

def _append_to_nothing(folder: Path) -> list[str]:
    return args(write_table(folder), write_mapping(folder), out_of(folder), "--append")


def _levels_change(index: int, **changes) -> Callable[[dict], None]:
    return lambda m: m["levels"][index].update(changes)


CONTEST_CASES = [
    _mapping_change("split-pattern-that-does-not-fit", _levels_change(1, split=r"^(?P<code>\d+)-(?P<name>.+)$"),
                    "row 2", "field 'tik'", "value '1 Адыгейская'", "does not fit the split pattern", file="table.csv"),
    _mapping_change("id-prefix-on-ids-from-names", _levels_change(0, id_prefix="obl-"), "field 'levels[1].id_prefix'",
                    "goes before a code"),
    _mapping_change("election-type-unknown", lambda m: m["election"].update(type="presidental"),
                    "field 'election.type'", "must be one of"),
    _mapping_change("threshold-over-100", lambda m: m["contest"].update(threshold_percent=500),
                    "field 'contest.threshold_percent'", "from 0 to 100"),
    _mapping_change("seats-negative", lambda m: m["contest"].update(seats=-3), "field 'contest.seats'"),
    _mapping_change("contest-per-a-missing-column", lambda m: m["contest"].update(per="oik", id="oik-{code}"),
                    "field 'oik'", "contest.per names a column that is not in the table", file="table.csv"),
    _mapping_change("contest-id-template-without-a-field", lambda m: m["contest"].update(per="tik"),
                    "field 'contest.id'", "must hold {code} or {name}"),
    _mapping_change("contest-template-unknown-field", lambda m: m["contest"].update(per="tik", id="c-{number}"),
                    "field 'contest.id'", "may use only {code} and {name}"),
    _mapping_change("per-contest-without-per", lambda m: m["choices"].update(per_contest="figures"),
                    "field 'choices.per_contest'", "goes with contest.per"),
    _mapping_change("extra-line-named-like-a-standard-one",
                    lambda m: m["election"].update(extra_lines=[{"name": "ballots_valid", "en": "x"}]),
                    "field 'election.extra_lines[1].name'", "is already a protocol line"),
    _mapping_change("extra-line-without-a-label", lambda m: m["election"].update(extra_lines=[{"name": "taken"}]),
                    "field 'election.extra_lines[1].en'", "is required"),
    Case("append-to-no-package", _append_to_nothing, ("ru-2018-sample", "holds no package to append to")),
]

CASES = TABLE_CASES + FILE_CASES + MAPPING_CASES + CONTEST_CASES
