"""The importer, issue 11: contests per constituency, non-station units, --append, extra protocol lines.

The mixed table is built from the real 2018 Russian table (../shared/realdata/ru-uik-shpilkin/2018.csv:
every station of Адыгея, Байконур and the stations abroad) plus what no bundled file has: a
constituency column (``oik``) assigned here deterministically, cutting across the territorial
commissions, and electronic-voting rows with an empty station column, one per constituency.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
import yaml

from ashyq import cli, contract
from ashyq.importer import import_table
from ashyq.problems import InputError
from paths import REALDATA

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
SHPILKIN_2018 = REALDATA / "ru-uik-shpilkin" / "2018.csv"
REGIONS = ("Республика Адыгея (Адыгея)", "98 Город Байконур (Республика Казахстан)", "99 Территория за пределами РФ")
ADYGEA = "Республика Адыгея (Адыгея)"
CANDIDATES = ["Бабурин Сергей Николаевич", "Грудинин Павел Николаевич", "Жириновский Владимир Вольфович",
              "Путин Владимир Владимирович", "Собчак Ксения Анатольевна", "Сурайкин Максим Александрович",
              "Титов Борис Юрьевич", "Явлинский Григорий Алексеевич"]
# Which candidates stand in which constituency: single-member ballots differ from one another.
BALLOTS = {"1": CANDIDATES[:4], "2": CANDIDATES[2:6], "3": CANDIDATES[4:], "4": CANDIDATES[::2]}

# The CONTRACT-11 entries these tests need, exactly as named there. ashyq/contract.yml is helper h4's;
# on a branch where it already has them this fixture changes nothing.
CONTRACT_11 = {
    "units": [{"name": "kind", "type": "string", "enum": ["polling_station", "electronic", "abroad", "special"],
               "description": "What kind of station a station unit is; empty = polling_station."}],
    "contests": [{"name": "constituency", "type": "string",
                  "description": "The constituency number or code as published, for a single-member contest."}],
}
ABSENTEE_LINES = ["absentee_certificates_received", "absentee_certificates_issued_to_voters",
                  "absentee_certificates_issued_by_higher", "absentee_certificates_cancelled",
                  "absentee_certificates_lost"]


def _clear_contract_caches():
    for function in (contract._contract, contract.protocol_lines, contract.fields):
        function.cache_clear()


@pytest.fixture
def contract_11(tmp_path, monkeypatch):
    data = yaml.safe_load(contract.CONTRACT_FILE.read_text(encoding="utf-8"))
    for resource, extra in CONTRACT_11.items():
        fields = data["resources"][resource]["fields"]
        names = [f["name"] for f in fields]
        for field in extra:
            if field["name"] not in names:
                fields.insert(names.index("name_kk") if resource == "contests" else len(fields), field)
    present = {line["name"] for line in data["protocol_lines"]}
    at = [line["name"] for line in data["protocol_lines"]].index("voters_with_absentee_certificates") + 1
    for offset, name in enumerate(n for n in ABSENTEE_LINES if n not in present):
        label = name.replace("_", " ").capitalize()
        data["protocol_lines"].insert(at + offset, {"name": name, "en": label, "ru": label, "kk": label})
    path = tmp_path / "contract.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(contract, "CONTRACT_FILE", path)
    _clear_contract_caches()
    yield
    monkeypatch.undo()
    _clear_contract_caches()


# ------------------------------------------------------------------ the mixed table


def _oik(row: dict[str, str]) -> str:
    """Constituency 4 holds the stations abroad and Байконур; Адыгея's stations go to 1–3 by number, so
    every territorial commission spans several constituencies."""
    if row["region"] != ADYGEA:
        return "4"
    return str(1 + int(row["uik"]) % 3)


@pytest.fixture(scope="module")
def mixed_table(tmp_path_factory) -> tuple[Path, list[dict[str, str]]]:
    if not SHPILKIN_2018.is_file():
        pytest.skip(f"{SHPILKIN_2018} not here (shared data)")
    with SHPILKIN_2018.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = reader.fieldnames
        rows = [row for row in reader if row["region"] in REGIONS]
    for row in rows:
        row["oik"] = _oik(row)
        for candidate in CANDIDATES:
            if candidate not in BALLOTS[row["oik"]]:
                row[candidate] = ""  # not on this constituency's ballot
    # Electronic voting: one row per constituency of Адыгея, no station number, no ТИК.
    for number, oik in enumerate(("1", "2", "3"), start=1):
        evoting = dict.fromkeys(headers, "")
        evoting.update({"region": ADYGEA, "oik": oik, "url": ""})
        evoting["Число избирателей, включенных в список избирателей"] = str(20_000 + number * 1_111)
        evoting["Число действительных избирательных бюллетеней"] = str(9_000 + number * 7)
        for position, candidate in enumerate(BALLOTS[oik]):
            evoting[candidate] = str(1_000 * (position + 1) + number)
        rows.append(evoting)
    path = tmp_path_factory.mktemp("mixed") / "mixed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["oik", *headers])
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def _mixed_mapping(folder: Path, **changes) -> Path:
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["election"]["type"] = "single_member"
    mapping["contest"] = {
        "per": "oik", "id": "oik-{code}", "kind": "single_member", "seats": 1,
        "name": {"en": "Constituency {code}", "ru": "Одномандатный избирательный округ № {code}"},
    }
    mapping["choices"]["per_contest"] = "figures"
    mapping["non_stations"] = [
        {"kind": "electronic", "column": "uik", "empty": True,
         "name": {"en": "Remote electronic voting", "ru": "Дистанционное электронное голосование"}},
        {"kind": "abroad", "column": "region", "pattern": "за пределами РФ"},
    ]
    mapping["complete"] = True  # every row of the table is imported; nothing is dropped
    mapping.update(changes)
    path = folder / "mixed.mapping.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def mixed_package(contract_11, mixed_table, tmp_path) -> Path:
    table, _ = mixed_table
    out = tmp_path / "datasets" / "ru-mixed"
    import_table(table, _mixed_mapping(tmp_path), out)
    return out


def _read(out: Path, resource: str) -> pl.DataFrame:
    return pl.read_csv(out / f"{resource}.csv", infer_schema=False)


def test_mixed_table_totals_equal_the_table(mixed_package, mixed_table):
    _, rows = mixed_table
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:  # plain Python over the table we wrote
        for candidate in CANDIDATES:
            if row[candidate] != "":
                expected[(f"oik-{row['oik']}", "votes:" + mapping["choices"]["details"][candidate]["id"])] += \
                    int(row[candidate])
        for line, header in mapping["lines"].items():
            if row[header] != "":
                expected[(f"oik-{row['oik']}", line)] += int(row[header])
    votes = _read(mixed_package, "votes").filter(pl.col("votes").is_not_null())
    actual = {(c, f"votes:{choice}"): total for c, choice, total in
              votes.group_by("contest_id", "choice_id").agg(pl.col("votes").cast(pl.Int64).sum()).iter_rows()}
    protocols = _read(mixed_package, "protocols")
    for line in mapping["lines"]:
        sums = protocols.group_by("contest_id").agg(pl.col(line).cast(pl.Int64).sum().alias("total"),
                                                    pl.col(line).is_not_null().sum().alias("published"))
        for contest_id, total, published in sums.iter_rows():
            if published:
                actual[(contest_id, line)] = total
    assert actual == dict(expected)
    assert protocols.height == len(rows)  # one protocol per row: no row dropped


def test_mixed_table_contests_and_their_ballots(mixed_package):
    contests = _read(mixed_package, "contests").sort("contest_id")
    assert contests.select("contest_id", "constituency", "kind", "seats", "scope_unit_id").rows() == [
        (f"oik-{n}", str(n), "single_member", "1", "ru") for n in range(1, 5)]
    assert contests.filter(pl.col("contest_id") == "oik-2")["name_ru"][0] == "Одномандатный избирательный округ № 2"
    choices = _read(mixed_package, "choices")
    ballots = {c: set(group["name_ru"]) for (c,), group in choices.group_by("contest_id")}
    assert ballots == {f"oik-{k}": set(v) for k, v in BALLOTS.items()}
    # a ТИК spans several constituencies: its stations have protocols for different contests
    protocols = _read(mixed_package, "protocols")
    units = _read(mixed_package, "units")
    tik_of = dict(zip(units["unit_id"], units["parent_id"]))
    spans = protocols.with_columns(pl.col("unit_id").replace_strict(tik_of).alias("tik")) \
        .group_by("tik").agg(pl.col("contest_id").n_unique()).filter(pl.col("contest_id") > 1)
    assert spans.height >= 5


def test_non_station_rows_are_stations_of_their_kind(mixed_package, mixed_table):
    _, rows = mixed_table
    units = _read(mixed_package, "units")
    evoting = units.filter(pl.col("kind") == "electronic")
    assert evoting.select("unit_id", "parent_id", "level", "name_en").rows() == [
        ("respublika-adygeya-adygeya.electronic", "respublika-adygeya-adygeya", "station", "Remote electronic voting")]
    protocols = _read(mixed_package, "protocols").filter(pl.col("unit_id") == "respublika-adygeya-adygeya.electronic")
    assert sorted(protocols["contest_id"]) == ["oik-1", "oik-2", "oik-3"]  # one e-voting unit, a protocol per ballot
    abroad = units.filter(pl.col("kind") == "abroad")
    assert abroad.height == sum(1 for row in rows if row["region"] == "99 Территория за пределами РФ") == 393
    assert set(abroad["parent_id"].str.split(".").list.first()) == {"territoriya-za-predelami-rf"}
    assert units.filter(pl.col("level") == "station")["kind"].null_count() == \
        sum(1 for row in rows if row["region"] != "99 Территория за пределами РФ" and row["uik"])
    # complete: every row became a station with its protocol
    assert units.filter(pl.col("level") == "country")["complete"].to_list() == ["true"]
    assert units.filter(pl.col("level") == "station").height == len(rows) - 2  # the e-voting unit has 3 rows


def test_mixed_package_validates_and_builds(mixed_package, tmp_path):
    datasets = mixed_package.parent
    assert cli.main(["--quiet", "--datasets", str(datasets), "validate"]) == 0
    site = tmp_path / "site"
    assert cli.main(["--quiet", "--datasets", str(datasets), "--site", str(site), "build"]) == 0
    assert (site / "index.html").is_file()


def test_figure_off_the_listed_ballot_is_refused(contract_11, mixed_table, tmp_path):
    table, _ = mixed_table
    per_contest = {k: v[:-1] for k, v in BALLOTS.items()}  # the last candidate of each ballot left out
    mapping = _mixed_mapping(tmp_path, choices={**yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))[
        "choices"], "per_contest": per_contest})
    with pytest.raises(InputError, match="not on the ballot of contest 'oik-1'") as error:
        import_table(table, mapping, tmp_path / "datasets" / "ru-mixed")
    assert "field 'Путин Владимир Владимирович'" in str(error.value)
    assert not (tmp_path / "datasets" / "ru-mixed").exists()


def test_non_station_rows_without_a_rule_stop_the_import(contract_11, mixed_table, tmp_path):
    table, _ = mixed_table
    mapping = _mixed_mapping(tmp_path, non_stations=[{"kind": "abroad", "column": "region",
                                                      "pattern": "за пределами РФ"}])
    with pytest.raises(InputError, match="the district is empty .* non_stations"):
        import_table(table, mapping, tmp_path / "datasets" / "ru-mixed")


# ------------------------------------------------------------------ --append


def _presidential_first(folder: Path, mixed_table) -> Path:
    """The presidential contest from the same stations (no e-voting rows, no constituency column)."""
    _, rows = mixed_table
    with SHPILKIN_2018.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = reader.fieldnames
        original = [row for row in reader if row["region"] in REGIONS]
    table = folder / "president.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(original)
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["non_stations"] = [{"kind": "abroad", "column": "region", "pattern": "за пределами РФ"}]
    mapping["complete"] = False
    path = folder / "president.mapping.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder / "datasets" / "ru-mixed"
    import_table(table, path, out)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_append_adds_the_constituency_contests_and_loses_nothing(contract_11, mixed_table, tmp_path, capsys):
    out = _presidential_first(tmp_path, mixed_table)
    (out / "notes.txt").write_text("my notes")
    before = {name: _read(out, name) for name in ("units", "contests", "choices", "protocols", "votes")}
    table, rows = mixed_table
    code = cli.main(["--quiet", "import", str(table), "--mapping", str(_mixed_mapping(tmp_path)), "--out", str(out),
                     "--append"])
    assert code == 0, capsys.readouterr().err
    after = {name: _read(out, name) for name in before}
    assert sorted(after["contests"]["contest_id"]) == ["oik-1", "oik-2", "oik-3", "oik-4", "president"]
    for name, frame in before.items():  # every row that was there is there, unchanged
        assert frame.join(after[name], on=frame.columns, how="anti", nulls_equal=True).is_empty(), name
    new_units = after["units"].join(before["units"], on="unit_id", how="anti")
    assert new_units.select("unit_id", "kind").rows() == [("respublika-adygeya-adygeya.electronic", "electronic")]
    assert after["protocols"].filter(pl.col("contest_id") != "president").height == len(rows)
    assert (out / "notes.txt").read_text() == "my notes"
    assert cli.main(["--quiet", "--datasets", str(out.parent), "validate"]) == 0


def test_append_refuses_protocols_already_there_and_changes_nothing(contract_11, mixed_table, tmp_path, capsys):
    out = _presidential_first(tmp_path, mixed_table)
    files = _files(out)
    code = cli.main(["--quiet", "import", str(tmp_path / "president.csv"), "--mapping",
                     str(tmp_path / "president.mapping.yml"), "--out", str(out), "--append"])
    assert code == 1
    assert "already has a protocol for contest 'president' from source 'cec-uik': --append adds, it never " \
        "overwrites" in capsys.readouterr().err
    assert _files(out) == files
    assert [p.name for p in out.parent.iterdir()] == ["ru-mixed"]  # no staging folder left


def test_append_refuses_units_placed_elsewhere(contract_11, mixed_table, tmp_path):
    out = _presidential_first(tmp_path, mixed_table)
    files = _files(out)
    table, _ = mixed_table
    mapping = _mixed_mapping(tmp_path)
    data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    data["levels"][2]["unique_within"] = "district"  # stations now under their ТИК: other ids
    data["levels"][1]["id_prefix"] = "uik-"  # … and ТИК ids that clash with the package's stations
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="in the package but a district"):
        import_table(table, mapping, out, append=True)
    assert _files(out) == files


def test_append_needs_a_package(contract_11, mixed_table, tmp_path):
    table, _ = mixed_table
    with pytest.raises(InputError, match="holds no package to append to"):
        import_table(table, _mixed_mapping(tmp_path), tmp_path / "datasets" / "ru-mixed", append=True)


# ------------------------------------------------------------------ absentee certificates and extra lines

ABSENTEE_TABLE = {
    "absentee_certificates_received": "Число открепительных удостоверений, полученных участковой комиссией",
    "absentee_certificates_issued_to_voters": "Число открепительных удостоверений, выданных участковой комиссией",
    "absentee_certificates_issued_by_higher": "Число открепительных удостоверений, выданных ТИК",
    "absentee_certificates_cancelled": "Число погашенных открепительных удостоверений",
    "absentee_certificates_lost": "Число утраченных открепительных удостоверений",
    "ballots_taken_home": "Число бюллетеней, вынесенных из помещения",
}


def test_absentee_certificate_and_extra_lines_are_imported(contract_11, tmp_path):
    """The Russian protocol's absentee-certificate lines, and a line of the package's own form."""
    if not SHPILKIN_2018.is_file():
        pytest.skip("shared data not here")
    with SHPILKIN_2018.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = reader.fieldnames
        rows = [next(reader) for _ in range(12)]
    for number, row in enumerate(rows):
        for position, header in enumerate(ABSENTEE_TABLE.values()):
            row[header] = "" if (number + position) % 5 == 0 else str(number * 10 + position)
    table = tmp_path / "absentee.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*headers[:15], *ABSENTEE_TABLE.values(), *headers[15:]])
        writer.writeheader()
        writer.writerows(rows)
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["election"]["extra_lines"] = [{"name": "ballots_taken_home", "en": "Ballots taken out of the station",
                                           "ru": "Бюллетени, вынесенные из помещения"}]
    mapping["lines"].update(ABSENTEE_TABLE)
    mapping["complete"] = False
    path = tmp_path / "m.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "datasets" / "ru-absentee"
    import_table(table, path, out)
    protocols = _read(out, "protocols")
    for line, header in ABSENTEE_TABLE.items():
        expected = {f"respublika-adygeya-adygeya.uik-{row['uik']}": row[header] or None for row in rows}
        assert dict(zip(protocols["unit_id"], protocols[line])) == expected, line
    columns = protocols.columns
    assert columns.index("ballots_taken_home") == columns.index(contract.line_names()[-1]) + 1
    descriptor = yaml.safe_load((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["election"]["extra_lines"] == mapping["election"]["extra_lines"]
    fields = next(r for r in descriptor["resources"] if r["name"] == "protocols")["schema"]["fields"]
    assert {"name": "ballots_taken_home", "type": "integer", "description": "Ballots taken out of the station",
            "constraints": {"minimum": 0}} in fields


def test_an_extra_line_may_not_take_a_standard_name(tmp_path):
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["election"]["extra_lines"] = [{"name": "ballots_valid", "en": "Valid"}, {"name": "Bad-Name", "en": "x"}]
    path = tmp_path / "m.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_table(SHPILKIN_2018, path, tmp_path / "datasets" / "x")
    assert "election.extra_lines[1].name', value 'ballots_valid': is already a protocol line" in str(error.value)
    assert "election.extra_lines[2].name', value 'Bad-Name'" in str(error.value)


def test_append_an_evoting_table_by_region_to_a_contest_already_there(contract_11, mixed_table, tmp_path, capsys):
    """A table of e-voting results, one row per region and no station column, joins the presidential
    contest: each row becomes the region's electronic-voting station."""
    out = _presidential_first(tmp_path, mixed_table)
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    voters, valid = mapping["lines"]["voters_on_list"], mapping["lines"]["ballots_valid"]
    table = tmp_path / "evoting.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["region", voters, valid, *CANDIDATES])
        writer.writerow([ADYGEA, "30000", "25000", *[str(100 * n) for n in range(1, 9)]])
        writer.writerow(["98 Город Байконур (Республика Казахстан)", "700", "600", *["7"] * 8])
    mapping["levels"] = [mapping["levels"][0], {"level": "station", "commission": "ТИК ДЭГ"}]
    mapping["lines"] = {"voters_on_list": voters, "ballots_valid": valid}
    mapping["choices"] = {"after": valid, "kind": "candidate", "details": mapping["choices"]["details"]}
    mapping["non_stations"] = [{"kind": "electronic", "every_row": True, "name": {"en": "Remote electronic voting"}}]
    mapping["ignore"] = []
    mapping["complete"] = False
    path = tmp_path / "evoting.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    before = _read(out, "protocols").height
    code = cli.main(["--quiet", "import", str(table), "--mapping", str(path), "--out", str(out), "--append"])
    assert code == 0, capsys.readouterr().err
    units = _read(out, "units").filter(pl.col("kind") == "electronic")
    assert units.select("unit_id", "parent_id", "commission").sort("unit_id").rows() == [
        ("gorod-baykonur-respublika-kazakhstan.electronic", "gorod-baykonur-respublika-kazakhstan", "ТИК ДЭГ"),
        ("respublika-adygeya-adygeya.electronic", "respublika-adygeya-adygeya", "ТИК ДЭГ")]
    protocols = _read(out, "protocols")
    assert protocols.height == before + 2
    votes = _read(out, "votes").filter(pl.col("unit_id") == "respublika-adygeya-adygeya.electronic")
    assert dict(zip(votes["choice_id"], votes["votes"]))["putin"] == "400"
    assert len(_read(out, "contests")) == 1 and len(_read(out, "choices")) == 8  # the same contest and ballot
