"""The importer: real 2018 Russian protocols (from ../shared) and small tables written here."""
from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from pathlib import Path

import frictionless
import openpyxl
import polars as pl
import pytest
import yaml

from ashyq import cli
from ashyq.importer import import_table
from ashyq.load import load_packages
from ashyq.problems import InputError
from paths import REALDATA

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
SHPILKIN_2018 = REALDATA / "ru-uik-shpilkin" / "2018.csv"

# ---------------------------------------------------------------- the real 2018 table


@pytest.fixture(scope="module")
def imported_2018(tmp_path_factory) -> Path:
    if not SHPILKIN_2018.is_file():
        pytest.skip(f"{SHPILKIN_2018} not here (shared data is not part of the repository)")
    out = tmp_path_factory.mktemp("ru2018") / "ru-2018-presidential"
    import_table(SHPILKIN_2018, EXAMPLE_MAPPING, out)
    return out


@pytest.fixture(scope="module")
def source_rows_2018() -> list[dict[str, str]]:
    if not SHPILKIN_2018.is_file():
        pytest.skip(f"{SHPILKIN_2018} not here")
    with SHPILKIN_2018.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def output_2018(imported_2018) -> dict[str, pl.DataFrame]:
    """The written package's tables, as text: read once for all the station tests."""
    return {name: pl.read_csv(imported_2018 / f"{name}.csv", infer_schema=False)
            for name in ("units", "protocols", "votes")}


def _example_mapping() -> dict:
    return yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))


def test_2018_candidate_and_line_totals_match_the_source(imported_2018, source_rows_2018):
    mapping = _example_mapping()
    expected: dict[str, int] = defaultdict(int)
    for row in source_rows_2018:  # plain Python over the source: independent of the importer's Polars
        for header, detail in mapping["choices"]["details"].items():
            expected["votes:" + detail["id"]] += int(row[header])
        for line, header in mapping["lines"].items():
            expected[line] += int(row[header])

    votes = pl.read_csv(imported_2018 / "votes.csv").group_by("choice_id").agg(pl.col("votes").sum())
    actual = {f"votes:{choice}": total for choice, total in votes.iter_rows()}
    protocols = pl.read_csv(imported_2018 / "protocols.csv")
    actual.update({line: protocols[line].sum() for line in mapping["lines"]})
    assert actual == dict(expected)
    assert expected["voters_on_list"] == 109_008_428  # as the source's README states
    assert protocols.height == len(source_rows_2018) == 97_699


def test_2018_units_form_the_hierarchy(output_2018):
    units = output_2018["units"]
    counts = dict(units.group_by("level").len().iter_rows())
    assert counts == {"country": 1, "region": 87, "district": 2778, "station": 97_699}
    assert units["unit_id"].n_unique() == units.height
    parents = set(units["unit_id"])
    assert units.filter(pl.col("parent_id").is_not_null() & ~pl.col("parent_id").is_in(parents)).is_empty()
    # Only stations have protocols: the upper levels were not published in the table.
    protocols = output_2018["protocols"]
    station_ids = set(units.filter(pl.col("level") == "station")["unit_id"])
    assert set(protocols["unit_id"]) == station_ids


@pytest.mark.parametrize("region, uik", [
    ("Республика Адыгея (Адыгея)", "1"),
    ("98 Город Байконур (Республика Казахстан)", "8140"),
    ("99 Территория за пределами РФ", "8000"),
    ("город Москва", "1"),
    ("Чукотский автономный округ", "1"),
])
def test_2018_stations_match_their_source_rows(output_2018, source_rows_2018, region, uik):
    mapping = _example_mapping()
    source = [row for row in source_rows_2018 if row["region"] == region and row["uik"] == uik]
    assert len(source) == 1
    source = source[0]

    units = {row["unit_id"]: row for row in output_2018["units"].fill_null("").iter_rows(named=True)}

    def label(unit):  # how the source writes a unit: "<code> <name>", or the name alone
        return f"{unit['code']} {unit['name_ru']}" if unit["code"] else unit["name_ru"]

    # Find the station by walking up from it: its code, then its region's label.
    matches = [u for u in units.values() if u["level"] == "station" and u["code"] == uik
               and label(units[units[u["parent_id"]]["parent_id"]]) == region]
    assert len(matches) == 1
    station = matches[0]
    district = units[station["parent_id"]]
    assert label(district) == source["tik"]
    assert district["commission"] == "ТИК" and station["commission"] == "УИК"

    protocol = output_2018["protocols"].filter(pl.col("unit_id") == station["unit_id"]).fill_null("")
    assert protocol.height == 1
    protocol = protocol.row(0, named=True)
    for line, header in mapping["lines"].items():
        assert protocol[line] == source[header], (station["unit_id"], line)
    for line in ("ballots_issued", "ballots_in_boxes", "voters_added_on_day"):  # not in the table
        assert protocol[line] == ""
    votes = dict(output_2018["votes"].filter(pl.col("unit_id") == station["unit_id"])
                 .select("choice_id", "votes").iter_rows())
    assert votes == {d["id"]: source[h] for h, d in mapping["choices"]["details"].items()}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- small tables written here

HEADERS = ["region", "tik", "uik", "Число избирателей, включенных в список избирателей",
           "Число действительных избирательных бюллетеней", "Число недействительных избирательных бюллетеней",
           "Иванов Иван Иванович", "Петров Пётр Петрович", "Против всех", "url"]
ROWS = [
    ["Северная область", "1 Северная", "1", "1000", "590", "10", "400", "150", "40", "http://example.org/1"],
    ["Северная область", "1 Северная", "2", "800", "", "5", "300", "", "20", "http://example.org/1"],
    ["Северная область", "2 Озёрная", "3", "1200", "700", "0", "500", "150", "50", "http://example.org/2"],
    ["Южная область", "1 Южная", "1", "900", "600", "12", "350", "200", "50", "http://example.org/3"],
    ["98 Город Байконур (Республика Казахстан)", "98 Город Байконур (Республика Казахстан)", "8140",
     "2132", "1449", "9", "1136", "176", "137", "http://example.org/4"],
]
MAPPING = {
    "election": {"title": {"en": "Test import", "ru": "Тестовый импорт", "kk": "Сынақ импорт"},
                 "date": "2024-03-17", "country": "RU", "type": "presidential",
                 "licenses": [{"name": "CC0-1.0", "title": "Public domain"}]},
    "country": {"id": "ru", "name": {"en": "Russia", "ru": "Россия"}},
    "levels": [
        {"level": "region", "column": "region", "split": "number_name", "split_fallback": "name", "id": "name"},
        {"level": "district", "column": "tik", "split": "number_name", "commission": "ТИК", "id_prefix": "tik-"},
        {"level": "station", "column": "uik", "commission": "УИК", "id_prefix": "uik-", "unique_within": "region"},
    ],
    "contest": {"id": "president", "kind": "presidential", "name": {"en": "President"}},
    "source": {"id": "cec", "kind": "official", "title": "CEC results table", "url": "http://example.org/"},
    "lines": {"voters_on_list": "Число избирателей, включенных в список избирателей",
              "ballots_valid": "Число действительных избирательных бюллетеней",
              "ballots_invalid": "Число недействительных  избирательных бюллетеней "},  # stray spaces match
    "choices": {"after": "Число недействительных избирательных бюллетеней", "kind": "candidate",
                "details": {"Против всех": {"id": "against-all", "kind": "against_all"}}},
    "ignore": ["url"],
    "complete": True,
}


def write_table(path: Path, rows=ROWS, headers=HEADERS, encoding="utf-8", delimiter=",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_mapping(path: Path, **changes) -> Path:
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING, allow_unicode=True))  # a deep copy
    mapping.update(changes)
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return path


def run_import(tmp_path: Path, table: Path, mapping: Path | None = None, name: str = "test-import") -> Path:
    out = tmp_path / "datasets" / name
    import_table(table, mapping or write_mapping(tmp_path / "mapping.yml"), out)
    return out


def read(out: Path, resource: str) -> list[dict[str, str]]:
    return _csv_rows(out / f"{resource}.csv")


def station_votes(out: Path) -> dict[tuple[str, str], str]:
    return {(v["unit_id"], v["choice_id"]): v["votes"] for v in read(out, "votes")}


def test_fixture_import_builds_units_choices_protocols_and_votes(tmp_path):
    out = run_import(tmp_path, write_table(tmp_path / "table.csv"))
    units = {u["unit_id"]: u for u in read(out, "units")}
    assert set(units) == {
        "ru", "severnaya-oblast", "yuzhnaya-oblast", "gorod-baykonur-respublika-kazakhstan",
        "severnaya-oblast.tik-1", "severnaya-oblast.tik-2", "yuzhnaya-oblast.tik-1",
        "gorod-baykonur-respublika-kazakhstan.tik-98",
        "severnaya-oblast.uik-1", "severnaya-oblast.uik-2", "severnaya-oblast.uik-3", "yuzhnaya-oblast.uik-1",
        "gorod-baykonur-respublika-kazakhstan.uik-8140",
    }
    # "1 Северная" split into number and name; "98 Город Байконур (…)" too; "Южная область" has no number.
    assert (units["severnaya-oblast.tik-1"]["code"], units["severnaya-oblast.tik-1"]["name_ru"]) == ("1", "Северная")
    baikonur = units["gorod-baykonur-respublika-kazakhstan"]
    assert (baikonur["code"], baikonur["name_ru"]) == ("98", "Город Байконур (Республика Казахстан)")
    assert (units["yuzhnaya-oblast"]["code"], units["yuzhnaya-oblast"]["name_ru"]) == ("", "Южная область")
    assert units["severnaya-oblast.uik-3"]["parent_id"] == "severnaya-oblast.tik-2"
    assert units["severnaya-oblast.uik-3"]["code"] == "3"
    assert units["severnaya-oblast"]["complete"] == "true" and units["severnaya-oblast.uik-3"]["complete"] == ""

    choices = read(out, "choices")
    assert [(c["choice_id"], c["ballot_order"], c["kind"], c["name_ru"]) for c in
            sorted(choices, key=lambda c: int(c["ballot_order"]))] == [
        ("ivanov-ivan-ivanovich", "1", "candidate", "Иванов Иван Иванович"),
        ("petrov-petr-petrovich", "2", "candidate", "Петров Пётр Петрович"),
        ("against-all", "3", "against_all", "Против всех"),
    ]
    protocols = {p["unit_id"]: p for p in read(out, "protocols")}
    assert set(protocols) == {u for u, unit in units.items() if unit["level"] == "station"}
    assert protocols["yuzhnaya-oblast.uik-1"]["voters_on_list"] == "900"
    assert protocols["yuzhnaya-oblast.uik-1"]["ballots_invalid"] == "12"
    assert station_votes(out)[("gorod-baykonur-respublika-kazakhstan.uik-8140", "ivanov-ivan-ivanovich")] == "1136"


def test_blank_figures_are_not_published_never_zero(tmp_path):
    out = run_import(tmp_path, write_table(tmp_path / "table.csv"))
    protocols = {p["unit_id"]: p for p in read(out, "protocols")}
    assert protocols["severnaya-oblast.uik-2"]["ballots_valid"] == ""
    assert protocols["severnaya-oblast.uik-3"]["ballots_invalid"] == "0"  # a published zero stays zero
    votes = station_votes(out)
    assert votes[("severnaya-oblast.uik-2", "petrov-petr-petrovich")] == ""
    assert votes[("severnaya-oblast.uik-2", "ivanov-ivan-ivanovich")] == "300"


def test_not_published_markers_from_the_mapping(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = "—"
    table = write_table(tmp_path / "table.csv", rows=rows)
    mapping = write_mapping(tmp_path / "m.yml", input={"not_published": ["—"]})
    out = run_import(tmp_path, table, mapping)
    assert station_votes(out)[("severnaya-oblast.uik-1", "petrov-petr-petrovich")] == ""


@pytest.mark.parametrize("encoding, expected", [("utf-8-sig", "utf-8-sig"), ("cp1251", "cp1251"), ("utf-8", "utf-8")])
def test_encodings_are_detected(tmp_path, encoding, expected):
    table = write_table(tmp_path / "table.csv", encoding=encoding)
    out = tmp_path / "datasets" / "test-import"
    result = import_table(table, write_mapping(tmp_path / "m.yml"), out)
    assert result.encoding == expected
    units = {u["unit_id"]: u for u in read(out, "units")}
    assert units["severnaya-oblast.tik-2"]["name_ru"] == "Озёрная"  # the text survived, ё included
    assert station_votes(out)[("yuzhnaya-oblast.uik-1", "petrov-petr-petrovich")] == "200"


def test_stated_encoding_is_used(tmp_path):
    table = write_table(tmp_path / "table.csv", encoding="cp1251")
    mapping = write_mapping(tmp_path / "m.yml", input={"encoding": "windows-1251"})
    result = import_table(table, mapping, tmp_path / "datasets" / "test-import")
    assert result.encoding == "cp1251"


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiters_are_detected(tmp_path, delimiter):
    table = write_table(tmp_path / "table.csv", delimiter=delimiter)
    out = tmp_path / "datasets" / "test-import"
    result = import_table(table, write_mapping(tmp_path / "m.yml"), out)
    assert result.delimiter == delimiter
    assert station_votes(out)[("severnaya-oblast.uik-3", "against-all")] == "50"


def test_xlsx_with_a_title_row_above_the_header(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Сводная таблица результатов выборов"])
    sheet.append(HEADERS)
    for row in ROWS:  # figures as numbers, as a spreadsheet holds them; blanks as empty cells
        sheet.append([int(v) if v.isdigit() and i >= 3 else (v or None) for i, v in enumerate(row)])
    sheet["G4"] = 300.0  # a float cell holding a whole number
    workbook.save(tmp_path / "table.xlsx")
    mapping = write_mapping(tmp_path / "m.yml", input={"header_row": 2})
    out = run_import(tmp_path, tmp_path / "table.xlsx", mapping)
    votes = station_votes(out)
    assert votes[("severnaya-oblast.uik-2", "ivanov-ivan-ivanovich")] == "300"
    assert votes[("severnaya-oblast.uik-2", "petrov-petr-petrovich")] == ""
    assert votes[("gorod-baykonur-respublika-kazakhstan.uik-8140", "against-all")] == "137"
    assert {p["unit_id"]: p["ballots_valid"] for p in read(out, "protocols")}["severnaya-oblast.uik-1"] == "590"


def test_xlsx_error_names_the_sheet_row(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Title"])
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    sheet["H5"] = "n/a"  # row 5 of the sheet: the third station
    workbook.save(tmp_path / "table.xlsx")
    with pytest.raises(InputError) as error:
        run_import(tmp_path, tmp_path / "table.xlsx", write_mapping(tmp_path / "m.yml", input={"header_row": 2}))
    assert "table.xlsx, row 5, field 'Петров Пётр Петрович', value 'n/a'" in str(error.value)


def test_explicit_choice_columns(tmp_path):
    mapping = write_mapping(tmp_path / "m.yml", choices={
        "kind": "candidate",
        "columns": [{"column": "Петров Пётр Петрович", "id": "petrov", "name": {"en": "Pyotr Petrov"}},
                    "Иванов Иван Иванович",
                    {"column": "Против всех", "id": "against-all", "kind": "against_all"}]})
    out = run_import(tmp_path, write_table(tmp_path / "table.csv"), mapping)
    choices = sorted(read(out, "choices"), key=lambda c: int(c["ballot_order"]))
    assert [(c["choice_id"], c["kind"], c["name_en"]) for c in choices] == [
        ("petrov", "candidate", "Pyotr Petrov"), ("ivanov-ivan-ivanovich", "candidate", ""),
        ("against-all", "against_all", "")]
    assert station_votes(out)[("yuzhnaya-oblast.uik-1", "petrov")] == "200"


def test_fill_down_for_merged_hierarchy_cells(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][0] = rows[1][1] = ""  # given once per group, as merged spreadsheet cells export
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING, allow_unicode=True))
    for level in mapping["levels"][:2]:
        level["fill_down"] = True
    out = run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows),
                     write_mapping(tmp_path / "m.yml", levels=mapping["levels"]))
    units = {u["unit_id"]: u for u in read(out, "units")}
    assert units["severnaya-oblast.uik-2"]["parent_id"] == "severnaya-oblast.tik-1"


# ---------------------------------------------------------------- errors


def test_unmapped_column_is_named(tmp_path):
    headers = HEADERS + ["Примечание"]
    rows = [r + ["x"] for r in ROWS]
    with pytest.raises(InputError) as error:
        run_import(tmp_path, write_table(tmp_path / "table.csv", rows=rows, headers=headers),
                   write_mapping(tmp_path / "m.yml", choices={"columns": HEADERS[6:9]}))
    message = str(error.value)
    assert "field 'Примечание'" in message and "neither mapped nor ignored" in message
    assert not (tmp_path / "datasets" / "test-import").exists()


def test_a_column_without_header_is_named_by_position(tmp_path):
    rows = [r + ["1"] for r in ROWS]
    with pytest.raises(InputError, match=r"row 1: column 11 has no header but is not empty"):
        run_import(tmp_path, write_table(tmp_path / "table.csv", rows=rows, headers=HEADERS + [""]))
    # an empty column without a header (a trailing delimiter) carries nothing and is skipped
    out = run_import(tmp_path, write_table(tmp_path / "t2.csv", rows=[r + [""] for r in ROWS], headers=HEADERS + [""]))
    assert len(read(out, "protocols")) == len(ROWS)


def test_a_header_without_rows_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"table\.csv, row 1: has a header but no rows of figures"):
        run_import(tmp_path, write_table(tmp_path / "table.csv", rows=[]))


def test_mapped_column_missing_from_the_table_is_named(tmp_path):
    mapping = write_mapping(tmp_path / "m.yml", lines={**MAPPING["lines"], "ballots_lost": "Утрачено"})
    with pytest.raises(InputError, match=r"field 'Утрачено'.*lines\.ballots_lost names a column that is not in"):
        run_import(tmp_path, write_table(tmp_path / "table.csv"), mapping)


def test_unknown_protocol_line_in_the_mapping(tmp_path):
    mapping = write_mapping(tmp_path / "m.yml", lines={"voters": "Число избирателей, включенных в список избирателей"})
    with pytest.raises(InputError, match=r"m\.yml, field 'lines\.voters': is not a protocol line of the contract"):
        run_import(tmp_path, write_table(tmp_path / "table.csv"), mapping)


def test_a_file_neither_utf8_nor_cp1251_is_refused(tmp_path):
    table = tmp_path / "table.csv"
    # UTF-16 without a byte-order mark: every other byte is NUL, which no CSV in cp1251 holds.
    table.write_bytes(",".join(HEADERS).encode("utf-16-le"))
    with pytest.raises(InputError, match=r"table\.csv: is neither UTF-8 nor cp1251"):
        run_import(tmp_path, table)
    table.write_bytes(b"region,tik\n\x98\x98,1\n")  # 0x98 is no character in cp1251 and not UTF-8
    with pytest.raises(InputError, match=r"table\.csv: is neither UTF-8 nor cp1251"):
        run_import(tmp_path, table)


def test_non_numeric_figure_names_file_row_column_and_value(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][4] = "7OO"  # letters O, not zeros: row 4 of the file (header = row 1)
    rows[3][6] = "-5"
    with pytest.raises(InputError) as error:
        run_import(tmp_path, write_table(tmp_path / "table.csv", rows=rows))
    message = str(error.value)
    assert "2 problem(s)" in message
    assert ("table.csv, row 4, field 'Число действительных избирательных бюллетеней', value '7OO': "
            "is not a whole number") in message
    assert "table.csv, row 5, field 'Иванов Иван Иванович', value '-5'" in message
    assert not (tmp_path / "datasets" / "test-import").exists()


def test_duplicate_station_is_reported_with_its_rows(tmp_path):
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING, allow_unicode=True))
    mapping["levels"][2]["unique_within"] = "country"  # but uik 1 exists in two regions
    with pytest.raises(InputError, match=r"row 5, field 'uik': station 'uik-1' appears on rows 2, 5"):
        run_import(tmp_path, write_table(tmp_path / "table.csv"), write_mapping(tmp_path / "m.yml", levels=mapping["levels"]))


def test_one_district_number_with_two_names_is_reported(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][1] = "1 Северня"
    with pytest.raises(InputError, match=r"row 3, field 'tik': district 'severnaya-oblast.tik-1' is given differently"):
        run_import(tmp_path, write_table(tmp_path / "table.csv", rows=rows))


def test_existing_package_is_replaced_only_with_force(tmp_path):
    table = write_table(tmp_path / "table.csv")
    out = run_import(tmp_path, table)
    with pytest.raises(InputError, match="pass --force"):
        run_import(tmp_path, table)
    import_table(table, tmp_path / "mapping.yml", out, replace=True)
    assert (out / "datapackage.json").is_file()


# ---------------------------------------------------------------- the package


def test_fixture_package_validates_and_loads(tmp_path):
    out = run_import(tmp_path, write_table(tmp_path / "table.csv", encoding="cp1251", delimiter=";"))
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    packages = load_packages(out.parent)
    assert [p.id for p in packages] == ["test-import"]
    assert packages[0].election["date"] == "2024-03-17"
    assert packages[0].title("ru") == "Тестовый импорт"
    assert set(packages[0].resource_paths) == {"units", "contests", "choices", "sources", "protocols", "votes"}


def test_importing_twice_gives_identical_bytes(tmp_path):
    table = write_table(tmp_path / "table.csv")
    mapping = write_mapping(tmp_path / "m.yml")
    first = tmp_path / "a" / "test-import"
    second = tmp_path / "b" / "test-import"
    import_table(table, mapping, first)
    import_table(table, mapping, second)
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_cli_import_command(tmp_path, capsys):
    table = write_table(tmp_path / "table.csv")
    mapping = write_mapping(tmp_path / "m.yml")
    out = tmp_path / "datasets" / "test-import"
    assert cli.main(["--quiet", "import", str(table), "--mapping", str(mapping), "--out", str(out)]) == 0
    assert (out / "votes.csv").is_file()
    shutil.rmtree(out)
    bad = write_table(tmp_path / "bad.csv", rows=[ROWS[0][:4] + ["x"] + ROWS[0][5:]])
    assert cli.main(["--quiet", "import", str(bad), "--mapping", str(mapping), "--out", str(out)]) == 1
    assert "bad.csv, row 2, field 'Число действительных избирательных бюллетеней', value 'x'" in capsys.readouterr().err
    assert not out.exists()


def test_example_mapping_is_a_valid_mapping():
    from ashyq.importer.mapping import load_mapping

    mapping = load_mapping(EXAMPLE_MAPPING)
    assert [level.level for level in mapping.levels] == ["region", "district", "station"]
    assert len(mapping.lines) == 12 and len(mapping.choices) == 8


# ---------------------------------------------------------------- ids, splits and advice (issue 11)


def _levels(**changes_by_index) -> list[dict]:
    levels = yaml.safe_load(yaml.safe_dump(MAPPING["levels"], allow_unicode=True))
    for index, changes in changes_by_index.items():
        levels[int(index[1:])].update(changes)
    return levels


def test_numbers_written_with_the_number_sign_make_plain_ids_and_codes(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][1] = rows[1][1] = "№1 Северная"
    rows[2][1] = "№ 10 Озёрная"
    rows[0][2], rows[1][2], rows[2][2] = "№1", "№2", "№10"
    out = run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows))
    units = {u["unit_id"]: u for u in read(out, "units")}
    assert units["severnaya-oblast.tik-1"]["code"] == "1"
    assert units["severnaya-oblast.tik-10"]["name_ru"] == "Озёрная"
    assert {"severnaya-oblast.uik-1", "severnaya-oblast.uik-2", "severnaya-oblast.uik-10"} <= set(units)
    assert units["severnaya-oblast.uik-10"]["code"] == "10"  # a number: the site sorts №2 before №10


def test_ids_over_80_characters_are_shortened_with_a_hash(tmp_path):
    rows = [list(r) for r in ROWS]
    long_name = "Очень длинное название области " * 4
    rows[3][0] = long_name
    out = run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows))
    regions = [u for u in read(out, "units") if u["level"] == "region" and u["name_ru"] == long_name.strip()]
    assert len(regions) == 1
    region_id = regions[0]["unit_id"]
    assert len(region_id) == 80 and re.fullmatch(r"ochen-dlinnoe-nazvanie-oblasti-.*-[0-9a-f]{8}", region_id)
    units = read(out, "units")
    districts = {u["unit_id"] for u in units if u["parent_id"] == region_id}
    stations = [u for u in units if u["parent_id"] in districts]
    assert len(stations) == 1 and all(len(u) <= 80 for u in districts | {stations[0]["unit_id"]})
    again = run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows), name="again")
    assert read(again, "units") == read(out, "units")  # the same ids on every import


def test_id_prefix_with_ids_from_names_is_refused(tmp_path):
    mapping = write_mapping(tmp_path / "m.yml", levels=_levels(L0={"id_prefix": "obl-"}))
    with pytest.raises(InputError, match=r"levels\[1\]\.id_prefix', value 'obl-': goes before a code"):
        run_import(tmp_path, write_table(tmp_path / "t.csv"), mapping)


def test_a_split_pattern_that_does_not_fit_is_refused_with_row_and_value(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][1] = "Озёрная без номера"
    mapping = write_mapping(tmp_path / "m.yml", levels=_levels(L1={"split": r"^(?P<code>\d+) (?P<name>.+)$"}))
    with pytest.raises(InputError) as error:
        run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows), mapping)
    assert "t.csv, row 4, field 'tik', value 'Озёрная без номера': the district does not fit the split" in \
        str(error.value)
    mapping = write_mapping(tmp_path / "m.yml", levels=_levels(L1={"split": r"^(?P<code>\d+) (?P<name>.+)$",
                                                                    "split_fallback": "name", "id": "name",
                                                                    "id_prefix": ""}))
    out = run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows), mapping, name="fallback")
    assert any(u["name_ru"] == "Озёрная без номера" and u["code"] == "" for u in read(out, "units"))


def test_duplicate_stations_after_fill_down_get_the_right_advice(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][2] = ""  # with fill_down on the station column, this row repeats station 1
    mapping = write_mapping(tmp_path / "m.yml", levels=_levels(L2={"fill_down": True}))
    with pytest.raises(InputError) as error:
        run_import(tmp_path, write_table(tmp_path / "t.csv", rows=rows), mapping)
    message = str(error.value)
    assert "station 'severnaya-oblast.uik-1' appears on rows 2, 3: fill_down is set on the station column" in message
    assert "id_prefix" not in message


def test_election_type_and_contest_numbers_are_checked(tmp_path):
    election = {**MAPPING["election"], "type": "presidental"}
    contest = {**MAPPING["contest"], "seats": -1, "threshold_percent": 150}
    with pytest.raises(InputError) as error:
        run_import(tmp_path, write_table(tmp_path / "t.csv"),
                   write_mapping(tmp_path / "m.yml", election=election, contest=contest))
    message = str(error.value)
    assert "field 'election.type', value 'presidental': must be one of: presidential, party_list" in message
    assert "field 'contest.seats', value '-1'" in message
    assert "field 'contest.threshold_percent', value '150': must be a number from 0 to 100" in message
