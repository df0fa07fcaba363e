"""The validate stage: every kind of bad input is refused with file, row, field and what is wrong.

Malformed packages are made from one valid base package (written with ``write_package``) by editing a
single line of one CSV, so each test shows exactly which line is wrong and what the report must say.
"""
from __future__ import annotations

import builtins
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ashyq import contract, validate
from ashyq.load import load_package, load_packages
from ashyq.package_writer import write_package
from ashyq.problems import InputError, format_problems
from ashyq.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ID = "kz-test"
METADATA = {
    "name": PACKAGE_ID,
    "title": "Test election",
    "version": "1.0.0",
    "licenses": [{"name": "CC0-1.0"}],
    "sources": [{"title": "tests"}],
    "election": {"date": "2022-11-20", "country": "KZ", "type": "presidential",
                 "title": {"en": "Test", "ru": "Тест", "kk": "Сынақ"}},
}


def base_tables() -> dict[str, pl.DataFrame]:
    """Country → 2 regions → 2 districts → 4 stations; one contest, three choices, one source.

    Rows are written in primary-key order, so units.csv is: 2 d1, 3 d2, 4 kz, 5 r1, 6 r2, 7-10 s1-s4;
    votes.csv: 2-4 s1 (a, b, x), 5-7 s2, 8-10 s3, 11-13 s4.
    """
    stations = ["s1", "s2", "s3", "s4"]
    units = pl.DataFrame({
        "unit_id": ["kz", "r1", "r2", "d1", "d2", *stations],
        "parent_id": [None, "kz", "kz", "r1", "r2", "d1", "d1", "d2", "d2"],
        "level": ["country", "region", "region", "district", "district", *["station"] * 4],
        "name_ru": ["Казахстан", "Область 1", "Область 2", "ОИК 1", "ОИК 2", "УИК 1", "УИК 2", "УИК 3", "УИК 4"],
        "complete": [True, True, True, True, True, None, None, None, None],
    })
    return {
        "units": units,
        "contests": pl.DataFrame({"contest_id": ["pres"], "kind": ["presidential"], "round": [1],
                                  "scope_unit_id": ["kz"], "name_en": ["President"]}),
        "choices": pl.DataFrame({"contest_id": ["pres"] * 3, "choice_id": ["a", "b", "x"], "ballot_order": [1, 2, 3],
                                 "kind": ["candidate", "candidate", "against_all"],
                                 "name_en": ["A", "B", "Against all"]}),
        "sources": pl.DataFrame({"source_id": ["cec"], "kind": ["official"], "title": ["ЦИК: протоколы"],
                                 "url": ["https://www.election.gov.kz/"], "published_on": ["2022-11-21"],
                                 "photo_sha256": ["0" * 64]}),
        "protocols": pl.DataFrame({"contest_id": ["pres"] * 4, "unit_id": stations, "source_id": ["cec"] * 4,
                                   "voters_on_list": [1000, 1200, 900, 1100], "ballots_issued": [700, 800, 600, 650],
                                   "ballots_valid": [690, 790, 590, 640], "ballots_invalid": [10, 10, 10, 10],
                                   "turnout_percent": [70.0, 66.67, 66.67, 59.09]}),
        "votes": pl.DataFrame({"contest_id": ["pres"] * 12, "unit_id": [s for s in stations for _ in range(3)],
                               "source_id": ["cec"] * 12, "choice_id": ["a", "b", "x"] * 4,
                               "votes": [400, 250, 40, 500, 250, 40, 300, 250, 40, 400, 200, 40]}),
        "turnout": pl.DataFrame({"contest_id": ["pres"] * 2, "unit_id": ["kz"] * 2, "source_id": ["cec"] * 2,
                                 "reported_at": ["2022-11-20T10:00:00", "2022-11-20T20:00:00"],
                                 "voters_received_ballot": [1000, 2750], "turnout_percent": [23.3, 64.0]}),
        "changes": pl.DataFrame({"contest_id": ["pres"], "unit_id": ["s1"], "source_id": ["cec"],
                                 "field": ["votes:a"], "old_value": [401.0], "new_value": [400.0],
                                 "old_published_on": ["2022-11-21"], "changed_on": ["2022-11-22"]}),
    }


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory) -> Path:
    return write_package(tmp_path_factory.mktemp("base") / PACKAGE_ID, METADATA, base_tables())


@pytest.fixture
def package_dir(base_dir, tmp_path) -> Path:
    """A fresh copy of the valid base package, to break."""
    return Path(shutil.copytree(base_dir, tmp_path / "datasets" / PACKAGE_ID))


def set_line(package_dir: Path, file: str, line: int, text: str) -> None:
    """Replace line ``line`` (1 = header) of ``file``."""
    path = package_dir / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def get_line(package_dir: Path, file: str, line: int) -> str:
    return (package_dir / file).read_text(encoding="utf-8").split("\n")[line - 1]


def set_cell(package_dir: Path, file: str, line: int, field: str, value: str) -> None:
    cells = next(csv.reader([get_line(package_dir, file, line)]))
    cells[contract.field_names(file.removesuffix(".csv")).index(field)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)  # "\n" so a line break in a cell is quoted
    set_line(package_dir, file, line, out.getvalue().removesuffix("\n"))


def edit_descriptor(package_dir: Path, change) -> None:
    path = package_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def problems_of(package_dir: Path) -> tuple[InputError, str]:
    """Validate (without the cache) and return the error and its report; fail if the package passes."""
    with pytest.raises(InputError) as caught:
        validate.validate_packages([load_package(package_dir)], Progress(quiet=True), use_cache=False)
    return caught.value, str(caught.value)


def find(error: InputError, file: str, kind: str, row: int | None = None, field: str | None = None):
    """The one problem of ``kind`` at file/row/field, checked to be named so in the report."""
    matches = [p for p in error.problems if p.file == file and p.kind == kind
               and (row is None or p.row == row) and (field is None or p.field == field)]
    assert matches, f"no {kind} problem at {file} row {row} field {field}:\n{error}"
    problem = matches[0]
    where = f"{PACKAGE_ID}/{file}" + (f", row {row}" if row is not None else "") + \
        (f", field {field!r}" if field is not None else "")
    assert where in str(error), str(error)
    assert problem.message in str(error)
    return problem


def test_valid_base_package_passes(base_dir):
    validate.validate_packages([load_package(base_dir)], Progress(quiet=True), use_cache=False)


def bundled_packages() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "datasets").glob("*/datapackage.json"))


@pytest.mark.parametrize("package", bundled_packages() or [None], ids=lambda p: p.name if p else "none")
def test_bundled_datasets_pass_every_check(package):
    if package is None:
        pytest.skip("no bundled dataset yet")
    loaded = load_package(package)
    result = validate.check_fast(loaded)
    assert result.problems == []
    # Every published resource goes to Frictionless, and Frictionless agrees.
    assert sorted(result.frictionless_ready) == sorted(loaded.resource_paths)
    assert validate.frictionless_problems(loaded) == []


# --- reading the files ----------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter, name", [(";", "semicolon"), ("\t", "tab")])
def test_wrong_delimiter_says_comma_separated_expected(package_dir, delimiter, name):
    path = package_dir / "votes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", delimiter), encoding="utf-8")
    error, report = problems_of(package_dir)
    problem = find(error, "votes.csv", "delimiter", row=1)
    assert f"looks {name}-separated; expected comma-separated" in problem.message
    assert not [p for p in error.problems if p.file == "votes.csv" and p.kind != "delimiter"]


def test_cp1251_file_is_refused_naming_the_encodings(package_dir):
    path = package_dir / "units.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    error, report = problems_of(package_dir)
    problem = find(error, "units.csv", "encoding", row=2)  # the first Cyrillic name is on line 2
    assert "not UTF-8" in problem.message
    assert "Windows-1251 (cp1251)" in problem.message
    assert "expected UTF-8" in problem.message


def test_byte_order_mark_is_accepted_and_read_correctly(package_dir):
    for path in package_dir.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    package = load_package(package_dir)
    validate.validate_packages([package], Progress(quiet=True), use_cache=False)
    # Frictionless reads the first column's name without the mark too:
    assert validate.frictionless_problems(package) == []
    # ... and so does DuckDB with the model stage's reading options (the header is skipped, the
    # first cell is the first unit_id, not "\ufeffd1").
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in contract.field_names("units")) + "}"
    rows = con.execute(
        "SELECT unit_id, name_ru FROM read_csv(?, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', nullstr = '', columns = {columns})", [str(package_dir / "units.csv")]
    ).fetchall()
    assert rows[0] == ("d1", "ОИК 1")
    detected = con.execute("SELECT * FROM read_csv(?, header = true)", [str(package_dir / "units.csv")])
    assert [c[0] for c in detected.description][0] == "unit_id"


def test_utf16_is_refused(package_dir):
    path = package_dir / "choices.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    error, _ = problems_of(package_dir)
    assert "UTF-16; expected UTF-8" in find(error, "choices.csv", "encoding").message


def test_missing_file(package_dir):
    (package_dir / "votes.csv").unlink()
    error, _ = problems_of(package_dir)
    problem = find(error, "votes.csv", "missing-file")
    assert problem.message == "file not found"


def test_missing_column(package_dir):
    frame = pl.read_csv(package_dir / "protocols.csv", infer_schema=False).drop("ballots_valid")
    frame.write_csv(package_dir / "protocols.csv")
    error, _ = problems_of(package_dir)
    problem = find(error, "protocols.csv", "missing-column", row=1, field="ballots_valid")
    assert "column 'ballots_valid' is missing" in problem.message
    assert "voters_on_list," in problem.message  # shows the header expected


def test_extra_column(package_dir):
    frame = pl.read_csv(package_dir / "votes.csv", infer_schema=False).with_columns(pl.lit("x").alias("comment"))
    frame.write_csv(package_dir / "votes.csv")
    error, _ = problems_of(package_dir)
    assert "unexpected column 'comment'" in find(error, "votes.csv", "extra-column", row=1, field="comment").message


def test_columns_in_the_wrong_order(package_dir):
    frame = pl.read_csv(package_dir / "choices.csv", infer_schema=False)
    frame.select(["choice_id", "contest_id", *frame.columns[2:]]).write_csv(package_dir / "choices.csv")
    error, _ = problems_of(package_dir)
    assert "wrong order" in find(error, "choices.csv", "column-order", row=1).message


def test_rows_with_missing_and_extra_cells_and_blank_rows(package_dir):
    set_line(package_dir, "votes.csv", 3, "pres,s1,cec,b")
    set_line(package_dir, "votes.csv", 5, get_line(package_dir, "votes.csv", 5) + ",oops")
    set_line(package_dir, "votes.csv", 7, "")
    error, _ = problems_of(package_dir)
    assert "row has 4 cells, the header has 6" in find(error, "votes.csv", "missing-cell", row=3, field="votes").message
    find(error, "votes.csv", "missing-cell", row=3, field="percent")
    extra = find(error, "votes.csv", "extra-cell", row=5)
    assert extra.value == "oops" and "row has 7 cells" in extra.message
    find(error, "votes.csv", "blank-row", row=7)


def test_quoted_line_break_keeps_row_numbers_as_records(package_dir):
    set_cell(package_dir, "units.csv", 9, "level", "polling_station")
    set_cell(package_dir, "units.csv", 7, "name_ru", "УИК 1\nшкола № 5")  # record 7 now spans two lines
    assert get_line(package_dir, "units.csv", 10).startswith("s3,d2,polling_station")
    error, _ = problems_of(package_dir)
    find(error, "units.csv", "enum", row=9, field="level")  # record 9, on line 10


# --- cells ----------------------------------------------------------------------------------------

def test_negative_count(package_dir):
    set_cell(package_dir, "votes.csv", 6, "votes", "-5")
    error, _ = problems_of(package_dir)
    problem = find(error, "votes.csv", "minimum", row=6, field="votes")
    assert problem.value == "-5" and problem.message == "must be at least 0"


@pytest.mark.parametrize("value", ["12.5", "abc", "1 000"])
def test_non_integer_count(package_dir, value):
    set_cell(package_dir, "protocols.csv", 3, "ballots_valid", value)
    error, _ = problems_of(package_dir)
    problem = find(error, "protocols.csv", "type-error", row=3, field="ballots_valid")
    assert problem.value == value and "expected a whole number" in problem.message


def test_empty_required_field(package_dir):
    set_cell(package_dir, "choices.csv", 3, "kind", "")
    error, _ = problems_of(package_dir)
    assert find(error, "choices.csv", "required", row=3, field="kind").message == "required value is empty"


@pytest.mark.parametrize("file, line, field, value, kind", [
    ("units.csv", 8, "level", "polling station", "enum"),
    ("units.csv", 8, "unit_id", "s 2", "pattern"),
    ("units.csv", 4, "complete", "yes", "type-error"),
    ("protocols.csv", 2, "turnout_percent", "101", "maximum"),
    ("protocols.csv", 2, "turnout_percent", "70,0", "type-error"),
    ("turnout.csv", 3, "reported_at", "20.11.2022 20:00", "type-error"),
    ("changes.csv", 2, "old_published_on", "2022-02-30", "type-error"),
    ("sources.csv", 2, "url", "www.election.gov.kz", "type-error"),
    ("sources.csv", 2, "photo_sha256", "ABC", "pattern"),
])
def test_bad_cells_of_every_type(package_dir, file, line, field, value, kind):
    set_cell(package_dir, file, line, field, value)
    error, _ = problems_of(package_dir)
    assert find(error, file, kind, row=line, field=field).value == value


def test_only_web_links_are_accepted(package_dir):
    set_cell(package_dir, "sources.csv", 2, "url", "javascript:alert(1)")
    error, _ = problems_of(package_dir)
    assert "only http:// and https://" in find(error, "sources.csv", "link", row=2, field="url").message


# --- keys -----------------------------------------------------------------------------------------

def test_duplicate_station(package_dir):
    set_line(package_dir, "units.csv", 8, get_line(package_dir, "units.csv", 7))  # s1 twice
    error, _ = problems_of(package_dir)
    problem = find(error, "units.csv", "primary-key", row=8, field="unit_id")
    assert problem.value == "s1" and "the same as row 7" in problem.message


def test_unknown_parent(package_dir):
    set_cell(package_dir, "units.csv", 9, "parent_id", "d9")
    error, _ = problems_of(package_dir)
    problem = find(error, "units.csv", "foreign-key", row=9, field="parent_id")
    assert problem.value == "d9" and "not found in units.csv (unit_id)" in problem.message


def test_unknown_choice_in_votes(package_dir):
    set_cell(package_dir, "votes.csv", 6, "choice_id", "zz")
    error, _ = problems_of(package_dir)
    problem = find(error, "votes.csv", "foreign-key", row=6, field="contest_id, choice_id")
    assert problem.value == "pres, zz"
    assert "not found in choices.csv (contest_id, choice_id)" in problem.message


def test_votes_of_a_protocol_that_does_not_exist(package_dir):
    set_cell(package_dir, "votes.csv", 13, "source_id", "observer")
    error, _ = problems_of(package_dir)
    problem = find(error, "votes.csv", "foreign-key", row=13, field="contest_id, unit_id, source_id")
    assert problem.value == "pres, s4, observer"


# --- hierarchy (beyond Frictionless) --------------------------------------------------------------

def test_two_roots(package_dir):
    set_cell(package_dir, "units.csv", 6, "parent_id", "")  # r2 loses its parent
    error, _ = problems_of(package_dir)
    problem = find(error, "units.csv", "hierarchy-root", row=6, field="parent_id")
    assert "2 units have an empty parent_id (kz, r2)" in problem.message


def test_no_root(package_dir):
    set_cell(package_dir, "units.csv", 4, "parent_id", "s1")  # kz under a station: a cycle, and no root
    error, _ = problems_of(package_dir)
    assert "no root unit" in find(error, "units.csv", "hierarchy-root").message
    assert "d1 → r1 → kz → s1 → d1" in find(error, "units.csv", "hierarchy-cycle").message


def test_cycle(package_dir):
    set_cell(package_dir, "units.csv", 2, "parent_id", "s2")  # d1 → s2 → d1
    error, _ = problems_of(package_dir)
    problem = find(error, "units.csv", "hierarchy-cycle", row=2, field="parent_id")
    assert "d1 → s2 → d1" in problem.message
    assert len([p for p in error.problems if p.kind == "hierarchy-cycle"]) == 1


def test_unit_that_is_its_own_parent(package_dir):
    set_cell(package_dir, "units.csv", 3, "parent_id", "d2")
    error, _ = problems_of(package_dir)
    assert "d2 → d2" in find(error, "units.csv", "hierarchy-cycle", row=3).message


# --- the descriptor -------------------------------------------------------------------------------

def test_schema_must_be_the_contracts(package_dir):
    def loosen(descriptor):
        votes = resource(descriptor, "votes")
        next(f for f in votes["schema"]["fields"] if f["name"] == "votes")["type"] = "string"
        votes["schema"]["primaryKey"] = ["contest_id", "unit_id", "source_id"]
    edit_descriptor(package_dir, loosen)
    error, _ = problems_of(package_dir)
    problem = find(error, "datapackage.json", "schema", field="resources[votes].schema.fields[votes].type")
    assert "is 'string', the contract says 'integer'" in problem.message
    find(error, "datapackage.json", "schema", field="resources[votes].schema.primaryKey")


def test_missing_and_unknown_resources(package_dir):
    edit_descriptor(package_dir, lambda d: d.update(resources=[
        *[r for r in d["resources"] if r["name"] != "sources"],
        {"name": "notes", "path": "notes.csv", "schema": {"fields": []}},
    ]))
    error, _ = problems_of(package_dir)
    assert "required resource 'sources' is missing" in find(error, "datapackage.json", "missing-resource").message
    assert "unknown resource 'notes'" in find(error, "datapackage.json", "unknown-resource").message


def test_dialect_and_encoding_must_be_the_contracts(package_dir):
    def change(descriptor):
        resource(descriptor, "votes")["dialect"] = {"delimiter": ";"}
        resource(descriptor, "units")["encoding"] = "windows-1251"
    edit_descriptor(package_dir, change)
    error, _ = problems_of(package_dir)
    find(error, "datapackage.json", "schema", field="resources[votes].dialect")
    assert "UTF-8" in find(error, "datapackage.json", "schema", field="resources[units].encoding").message


def test_election_metadata(package_dir):
    edit_descriptor(package_dir, lambda d: d.update(name="other", election={"date": "20.11.2022"}))
    error, _ = problems_of(package_dir)
    assert "folder name 'kz-test'" in find(error, "datapackage.json", "metadata", field="name").message
    find(error, "datapackage.json", "metadata", field="election.date")
    find(error, "datapackage.json", "metadata", field="election.title.en")


# --- resource paths: refused by load before anything is read --------------------------------------

@pytest.fixture
def outside_file(tmp_path) -> Path:
    secret = tmp_path / "secret.csv"
    secret.write_text("unit_id\nSECRET\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize("path_kind, expected", [
    ("parent", "leaves the package directory"),
    ("absolute", "is absolute"),
    ("url", "is a URL"),
    ("etc-passwd", "leaves the package directory"),
])
def test_resource_paths_outside_the_package_are_refused_unread(package_dir, outside_file, monkeypatch,
                                                                path_kind, expected):
    target = {
        "parent": os.path.relpath(outside_file, package_dir),  # ../../secret.csv
        "absolute": str(outside_file),
        "url": "https://example.org/units.csv",
        "etc-passwd": "../../etc/passwd",
    }[path_kind]
    edit_descriptor(package_dir, lambda d: resource(d, "units").update(path=target))
    opened: list[str] = []
    real_open = builtins.open

    def spy_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def no_network(*args, **kwargs):
        raise AssertionError("a resource path made a network connection")

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(InputError) as caught:
        load_packages(package_dir.parent)
    problem = caught.value.problems[0]
    assert problem.kind == "unsafe-path" and expected in problem.message
    assert problem.value == target and problem.field == "resources[units].path"
    assert f"{PACKAGE_ID}/datapackage.json, field 'resources[units].path'" in str(caught.value)
    assert not [f for f in opened if Path(f).name in ("secret.csv", "passwd")], opened
    assert all(Path(f).name == "datapackage.json" for f in opened), opened


# --- the report -----------------------------------------------------------------------------------

def test_100000_bad_rows_give_a_short_grouped_report(base_dir, tmp_path):
    tables = base_tables()
    n = 100_000
    tables["turnout"] = pl.DataFrame({  # a report every second of the day, each with a negative count
        "contest_id": ["pres"] * n, "unit_id": ["kz"] * n, "source_id": ["cec"] * n,
        "reported_at": pl.datetime_range(pl.datetime(2022, 11, 20, 7), pl.datetime(2022, 11, 20, 7) +
                                         pl.duration(seconds=n - 1), "1s", eager=True).dt.strftime("%Y-%m-%dT%H:%M:%S"),
        "voters_received_ballot": [-1] * n,
    })
    package_dir = write_package(tmp_path / PACKAGE_ID, METADATA, tables)
    with pytest.raises(InputError) as caught:
        validate.validate_packages([load_package(package_dir)], Progress(quiet=True), use_cache=False)
    problems = caught.value.problems
    assert len(problems) == n and {p.kind for p in problems} == {"minimum"}
    assert [p.row for p in problems] == list(range(2, n + 2))
    report = format_problems(problems)
    assert report.splitlines()[0] == f"{n} problem(s) in the input data:"
    assert f"{PACKAGE_ID}/turnout.csv: {n} × minimum" in report
    assert f"{PACKAGE_ID}/turnout.csv, row 2, field 'voters_received_ballot', value '-1': must be at least 0" in report
    assert f"… and {n - 5} more like these" in report
    assert len(report.splitlines()) <= 10


def test_problems_are_reported_for_every_package_at_once(base_dir, tmp_path):
    one = Path(shutil.copytree(base_dir, tmp_path / "a" / PACKAGE_ID))
    set_cell(one, "votes.csv", 2, "votes", "x")
    set_cell(one, "units.csv", 2, "level", "")
    error, _ = problems_of(one)
    assert [(p.file, p.row) for p in error.problems] == [("units.csv", 2), ("votes.csv", 2)]  # file order


# --- the two paths agree --------------------------------------------------------------------------

def _break_cells(d):
    set_cell(d, "votes.csv", 6, "votes", "-5")
    set_cell(d, "votes.csv", 7, "votes", "abc")
    set_cell(d, "votes.csv", 8, "choice_id", "zz")
    set_cell(d, "protocols.csv", 3, "ballots_valid", "12.5")
    set_cell(d, "protocols.csv", 4, "turnout_percent", "101")
    set_cell(d, "choices.csv", 3, "kind", "")
    set_cell(d, "units.csv", 8, "level", "polling station")
    set_cell(d, "units.csv", 9, "parent_id", "d9")
    set_cell(d, "units.csv", 3, "complete", "yes")
    set_cell(d, "turnout.csv", 3, "reported_at", "2022-11-20")
    set_cell(d, "changes.csv", 2, "old_published_on", "2022-02-30")
    set_cell(d, "sources.csv", 2, "url", "not a url")


def _break_keys(d):
    set_line(d, "units.csv", 8, get_line(d, "units.csv", 7))
    set_line(d, "votes.csv", 5, get_line(d, "votes.csv", 2))
    set_cell(d, "votes.csv", 13, "source_id", "observer")


def _break_rows(d):
    set_line(d, "votes.csv", 3, "pres,s1,cec,b")
    set_line(d, "votes.csv", 5, get_line(d, "votes.csv", 5) + ",oops")
    set_line(d, "votes.csv", 7, "")
    set_cell(d, "units.csv", 9, "level", "")
    set_cell(d, "units.csv", 7, "name_ru", "УИК 1\nшкола")  # last: the lines below move down


BEYOND_FRICTIONLESS = {"hierarchy-root", "hierarchy-cycle", "link"}


@pytest.mark.parametrize("breaker", [_break_cells, _break_keys, _break_rows], ids=["cells", "keys", "rows"])
def test_fast_path_and_frictionless_report_the_same_problems(package_dir, breaker):
    breaker(package_dir)
    package = load_package(package_dir)
    fast = {(p.file, p.row, p.field, p.kind, p.value) for p in validate.fast_problems(package)
            if p.kind not in BEYOND_FRICTIONLESS}
    reference = {(p.file, p.row, p.field, p.kind, p.value) for p in validate.frictionless_problems(package)}
    assert fast, "the fixture must be broken"
    assert fast == reference
    # ... and worded alike
    fast_messages = {(p.file, p.row, p.field): p.message for p in validate.fast_problems(package)}
    for p in validate.frictionless_problems(package):
        assert fast_messages[(p.file, p.row, p.field)] == p.message


@pytest.mark.parametrize("breaker, file, kinds", [
    (lambda d: (d / "votes.csv").write_text((d / "votes.csv").read_text().replace(",", ";")), "votes.csv",
     {"delimiter"}),
    (lambda d: (d / "units.csv").write_bytes((d / "units.csv").read_text().encode("cp1251")), "units.csv",
     {"encoding"}),
    (lambda d: pl.read_csv(d / "votes.csv", infer_schema=False).drop("percent").write_csv(d / "votes.csv"),
     "votes.csv", {"missing-column"}),
])
def test_both_paths_refuse_unreadable_files(package_dir, breaker, file, kinds):
    breaker(package_dir)
    package = load_package(package_dir)
    fast = [p for p in validate.fast_problems(package) if p.file == file]
    reference = [p for p in validate.frictionless_problems(package, [file.removesuffix(".csv")]) if p.file == file]
    assert {p.kind for p in fast} == kinds
    assert reference and all(p.row in (None, 1) for p in reference)


def test_frictionless_in_worker_processes_matches_in_process(package_dir, monkeypatch):
    _break_cells(package_dir)
    package = load_package(package_dir)
    in_process = validate.frictionless_problems(package)
    monkeypatch.setattr(validate, "PARALLEL_MIN_BYTES", 0)
    assert validate.frictionless_problems(package) == in_process


def test_a_resource_frictionless_rejects_fails_the_package(package_dir, monkeypatch):
    """The fast path is not trusted alone: what Frictionless finds in a 'clean' resource is reported."""
    set_cell(package_dir, "votes.csv", 6, "votes", "-5")
    monkeypatch.setattr(validate.fast, "cell_problems", lambda *args: [])
    error, _ = problems_of(package_dir)
    assert find(error, "votes.csv", "minimum", row=6, field="votes").value == "-5"


# --- the cache ------------------------------------------------------------------------------------

def test_unchanged_package_is_not_validated_again(package_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    package = load_package(package_dir)
    validate.validate_packages([package], Progress(quiet=True), cache_dir=cache_dir)
    assert len(list(cache_dir.glob("*.json"))) == 1

    def must_not_run(*args):
        raise AssertionError("validated again")

    monkeypatch.setattr(validate, "check_fast", must_not_run)
    validate.validate_packages([package], Progress(quiet=True), cache_dir=cache_dir)
    monkeypatch.undo()

    set_cell(package_dir, "votes.csv", 6, "votes", "-5")  # any change in a file: validated again
    with pytest.raises(InputError):
        validate.validate_packages([package], Progress(quiet=True), cache_dir=cache_dir)
    assert len(list(cache_dir.glob("*.json"))) == 1  # a failure is never remembered


def validated_by_frictionless(monkeypatch) -> list[tuple[str, list[str]]]:
    """Record each run of Frictionless: the resource and the data lines of the file it read."""
    runs = []
    real = validate.frictionless_run._validate

    def spy(package_id, extra, directory, files, name, keys=True):
        lines = (Path(directory) / files[name]).read_text(encoding="utf-8-sig").splitlines()
        runs.append((name, lines[1:]))
        return real(package_id, extra, directory, files, name, keys)
    monkeypatch.setattr(validate.frictionless_run, "_validate", spy)
    return runs


def test_frictionless_validates_only_the_rows_it_has_not_confirmed(package_dir, tmp_path, monkeypatch):
    """A new batch: Frictionless reads only its new rows (a renamed station, a corrected vote), and
    confirms them: it runs once per resource with new rows (no second, whole run), and not at all on
    the others. Their keys are the fast path's, which looks them up in the whole package: a new row
    whose parent is not there is refused, with its row."""
    cache_dir = tmp_path / "cache"
    validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    set_cell(package_dir, "votes.csv", 6, "votes", "251")  # a corrected figure
    set_cell(package_dir, "units.csv", 8, "name_ru", "УИК 2 (школа № 5)")  # a renamed station of d1
    runs = validated_by_frictionless(monkeypatch)
    validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    assert sorted(runs) == [("units", [get_line(package_dir, "units.csv", 8)]),
                            ("votes", [get_line(package_dir, "votes.csv", 6)])]

    set_cell(package_dir, "units.csv", 8, "parent_id", "nowhere")
    with pytest.raises(InputError) as error:
        validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    assert find(error.value, "units.csv", "foreign-key", row=8).value == "nowhere"


def test_a_new_row_frictionless_rejects_is_reported_at_its_row_in_the_package(package_dir, tmp_path, monkeypatch):
    """What Frictionless finds in the new rows is reported as in a cold run: it validates the whole
    resource again, so the report names the row of the package's own file."""
    cache_dir = tmp_path / "cache"
    validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    set_cell(package_dir, "votes.csv", 6, "votes", "-5")
    monkeypatch.setattr(validate.fast, "cell_problems", lambda *args: [])  # only Frictionless can see it
    runs = validated_by_frictionless(monkeypatch)
    with pytest.raises(InputError) as error:
        validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    assert find(error.value, "votes.csv", "minimum", row=6, field="votes").value == "-5"
    assert [(name, len(lines)) for name, lines in runs] == [("votes", 1), ("votes", 12)]  # new row, then all
    runs.clear()
    with pytest.raises(InputError):  # a failure confirms nothing: the row is new again
        validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    assert [(name, len(lines)) for name, lines in runs] == [("votes", 1), ("votes", 12)]


def test_a_resource_with_a_record_over_two_lines_is_validated_whole(package_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    set_cell(package_dir, "units.csv", 7, "name_ru", "УИК 1\nшкола № 5")
    validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    set_cell(package_dir, "votes.csv", 6, "votes", "251")
    runs = validated_by_frictionless(monkeypatch)
    validate.validate_packages([load_package(package_dir)], Progress(quiet=True), cache_dir=cache_dir)
    assert sorted(name for name, _ in runs) == ["units", "votes"]
    assert len(dict(runs)["units"]) == 10  # nine records, one over two lines
    assert dict(runs)["votes"] == [get_line(package_dir, "votes.csv", 6)]


# --- the command line -----------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASHYQ_VALIDATION_CACHE": "off"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_validate_exits_1_with_the_report(package_dir):
    set_cell(package_dir, "votes.csv", 6, "votes", "-5")
    result = run_cli("--datasets", str(package_dir.parent), "validate")
    assert result.returncode == 1
    assert f"{PACKAGE_ID}/votes.csv, row 6, field 'votes', value '-5': must be at least 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_validate_passes_a_valid_package(package_dir):
    result = run_cli("--quiet", "--datasets", str(package_dir.parent), "validate")
    assert result.returncode == 0, result.stderr


def test_cli_validate_takes_options_after_the_subcommand(package_dir):
    set_cell(package_dir, "votes.csv", 6, "votes", "-5")
    result = run_cli("validate", "--datasets", str(package_dir.parent))
    assert result.returncode == 1 and "votes.csv, row 6, field 'votes'" in result.stderr


def test_failed_build_leaves_the_existing_site_untouched(package_dir, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>the site as published yesterday</p>", encoding="utf-8")
    (site / "manifest.json").write_text('{"format": "ashyq-site-manifest/1", "files": [{"path": "index.html"}]}')
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    set_cell(package_dir, "units.csv", 9, "parent_id", "d9")
    result = run_cli("--datasets", str(package_dir.parent), "--site", str(site))
    assert result.returncode == 1
    assert f"{PACKAGE_ID}/units.csv, row 9, field 'parent_id', value 'd9'" in result.stderr
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datasets", "site"]  # no staging left behind
