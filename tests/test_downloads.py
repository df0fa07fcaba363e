"""Downloads: CSV/Parquet/JSON per contest and level, turnout reports, the package zip.

Real packages in datasets/ are checked against their own CSV files (names, protocol lines, votes,
empty cells, station sums, zip contents); the synthetic package covers what real data does not
have (names written to attack a spreadsheet, a line published at some stations only).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest

import synthetic
from ashyq import contract, downloads, load, model
from ashyq.package_writer import write_package
from ashyq.problems import InputError

ROOT = Path(__file__).resolve().parent.parent

LINES = contract.line_names()
ATTACKS = {"name_en": '=HYPERLINK("http://x")', "name_ru": "@SUM(1)", "name_kk": "-cmd", "address": "+1 street",
           "commission": "\tPEC"}


# --- helpers --------------------------------------------------------------------------------------

def read_download_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a download CSV, asserting it starts with a UTF-8 BOM."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path} has no UTF-8 BOM"
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def read_package_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def neutralised(text: str) -> str:
    """The rule, written out: a tab or CR first, or = + - @ (or a full-width or small form) first
    after any white space, gets an apostrophe."""
    start = 0
    while start < len(text) and (text[start].isspace() or text[start] in "\u200b\u200c\u200d\u2060\ufeff"):
        start += 1
    formula = text[:1] in ("\t", "\r") or (start < len(text) and text[start] in "=+-@＝＋－＠﹢﹣﹦﹫")
    return "'" + text if formula else text


def number(cell: str):
    """A CSV cell as a number, or None when empty ("not published")."""
    if cell == "":
        return None
    value = float(cell)
    return int(value) if value.is_integer() else value


def by_path(result: list[downloads.Download]) -> dict[str, downloads.Download]:
    return {d.path: d for d in result}


def all_files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# --- synthetic edge cases ---------------------------------------------------------------------------

def edge_case_tables() -> dict[str, pl.DataFrame]:
    """The synthetic package with hostile names at one station, a line published at one station of
    four, a line published nowhere, a district with its own official protocol and turnout reports."""
    tables = synthetic.tables({
        "r1.d1.1": {"home_voting_requests": 7, "ballots_lost": None},
        "r1.d1.2": {"ballots_lost": None},
        "r1.d2.3": {"ballots_lost": None},
        "r1.d2.4": {"ballots_lost": None},
    })
    units = tables["units"]
    units = units.with_columns(
        pl.when(pl.col("unit_id") == "r1.d2.4").then(pl.lit(value))
        .otherwise(pl.col(name) if name in units.columns else pl.lit(None, pl.String)).alias(name)
        for name, value in ATTACKS.items()
    )
    district = synthetic.station_protocol("r1.d2", voters_on_list=2001, ballots_received=None, turnout_percent=61.53)
    tables["units"] = units
    tables["protocols"] = pl.concat([tables["protocols"], pl.DataFrame([district])], how="diagonal_relaxed")
    tables["votes"] = pl.concat([tables["votes"], pl.DataFrame([
        dict(contest_id="pres", unit_id="r1.d2", source_id="official", choice_id="a", votes=801, percent=67.88),
        dict(contest_id="pres", unit_id="r1.d2", source_id="official", choice_id="b", votes=None, percent=None),
    ])], how="diagonal_relaxed")
    tables["turnout"] = pl.DataFrame([
        dict(contest_id="pres", unit_id="r1.d2.4", source_id="official", reported_at="2024-01-01T10:00:00",
             label="=10:00", voters_received_ballot=120, voters_on_list=1000, turnout_percent=12.0),
        dict(contest_id="pres", unit_id="r1", source_id="official", reported_at="2024-01-01T10:00:00",
             label="10:00", voters_received_ballot=None, voters_on_list=None, turnout_percent=11.5),
    ])
    return tables


@pytest.fixture(scope="module")
def edge_case(tmp_path_factory):
    root = tmp_path_factory.mktemp("edge")
    write_package(root / "datasets" / "test-election", synthetic.METADATA, edge_case_tables())
    packages = load.load_packages(root / "datasets")
    db = model.build_model(packages)
    out = root / "site-downloads"
    return db, packages, out, downloads.write_downloads(db, packages, out)


def test_layout_and_one_file_per_format(edge_case):
    _, _, out, result = edge_case
    paths = [d.path for d in result]
    assert paths == [
        f"test-election/pres/{level}.{fmt}" for level in ("country", "region", "district", "station")
        for fmt in ("csv", "parquet", "json")
    ] + [f"test-election/units/{unit}/{table}.{fmt}" for unit in ("r1.d1", "r1.d2", "r1")  # sorted by path
         for table in ("protocols", "votes") for fmt in ("csv", "parquet")
    ] + [f"test-election/turnout.{fmt}" for fmt in ("csv", "parquet", "json")] + [
        "test-election/test-election-datapackage.zip"]
    assert all((out / p).is_file() for p in paths)


def test_formula_cells_are_neutralised_in_csv_and_verbatim_in_json_and_parquet(edge_case):
    _, _, out, _ = edge_case
    header, rows = read_download_csv(out / "test-election/pres/station.csv")
    station = next(r for r in rows if r["unit_id"] == "r1.d2.4")
    for name, value in ATTACKS.items():
        assert station[name] == "'" + value, name
    # numbers are never prefixed, text that is harmless is left alone
    assert station["voters_on_list"] == "1000" and station["votes_a"] == "400"
    assert next(r for r in rows if r["unit_id"] == "r1.d1.1")["name_en"] == ""
    _, turnout = read_download_csv(out / "test-election/turnout.csv")
    assert [r["label"] for r in turnout if r["unit_id"] == "r1.d2.4"] == ["'=10:00"]

    json_station = next(r for r in json.loads((out / "test-election/pres/station.json").read_text(encoding="utf-8"))
                        if r["unit_id"] == "r1.d2.4")
    parquet_station = pl.read_parquet(out / "test-election/pres/station.parquet").filter(
        pl.col("unit_id") == "r1.d2.4").to_dicts()[0]
    for name, value in ATTACKS.items():
        assert json_station[name] == value and parquet_station[name] == value, name
    assert list(json_station) == header  # JSON keeps the CSV's column order


def test_sums_say_what_they_are_and_empty_stays_empty(edge_case):
    _, _, out, _ = edge_case
    _, rows = read_download_csv(out / "test-election/pres/district.csv")
    d1, d2 = rows
    assert d1["unit_id"] == "r1.d1" and d2["unit_id"] == "r1.d2"
    # d1 has no protocol of its own: the sum of its two stations, partial because home voting
    # requests are published at one of them; a line published nowhere is empty, not 0
    assert d1["figures"] == "sum of 2 of 2 stations, partial (some lines published at only 1)"
    assert d1["voters_on_list"] == "2000" and d1["home_voting_requests"] == "7"
    assert d1["ballots_lost"] == "" and d1["turnout_percent"] == ""
    assert d1["votes_a"] == "800" and d1["votes_b"] == "380"
    # d2 publishes its own protocol: shown as published, gaps included
    assert d2["figures"] == "official protocol"
    assert d2["voters_on_list"] == "2001" and d2["ballots_received"] == "" and d2["turnout_percent"] == "61.53"
    assert d2["votes_a"] == "801" and d2["votes_b"] == "" and d2["percent_a"] == "67.88"
    assert "percent_b" not in d2  # a percent column only for choices with a published percent
    (json_d2,) = [r for r in json.loads((out / "test-election/pres/district.json").read_text(encoding="utf-8"))
                  if r["unit_id"] == "r1.d2"]
    assert json_d2["ballots_received"] is None and json_d2["votes_b"] is None and json_d2["percent_a"] == 67.88
    parquet = pl.read_parquet(out / "test-election/pres/district.parquet")
    # not published in the sum, a published 0 in d2's own protocol: both kept apart
    assert parquet["ballots_lost"].to_list() == [None, 0] and parquet["voters_on_list"].to_list() == [2000, 2001]
    _, region = read_download_csv(out / "test-election/pres/region.csv")
    assert region[0]["figures"] == "sum of 4 of 4 stations, partial (some lines published at only 1)"
    assert region[0]["voters_on_list"] == "4000"


def test_rows_follow_the_hierarchy_with_parents_named(edge_case):
    _, _, out, _ = edge_case
    header, rows = read_download_csv(out / "test-election/pres/station.csv")
    assert header[:5] == ["unit_id", "region_id", "region_name", "district_id", "district_name"]
    assert [(r["unit_id"], r["district_id"], r["district_name"]) for r in rows] == [
        ("r1.d1.1", "r1.d1", "District 1"), ("r1.d1.2", "r1.d1", "District 1"),
        ("r1.d2.3", "r1.d2", "District 2"), ("r1.d2.4", "r1.d2", "District 2"),
    ]
    assert {r["figures"] for r in rows} == {"official protocol"}


def test_turnout_reports_as_published(edge_case):
    _, _, out, _ = edge_case
    header, rows = read_download_csv(out / "test-election/turnout.csv")
    assert header[:2] == ["contest_id", "unit_id"] and "reported_at" in header
    assert [(r["unit_id"], r["reported_at"], r["turnout_percent"], r["voters_received_ballot"]) for r in rows] == [
        ("r1", "2024-01-01T10:00:00", "11.5", ""), ("r1.d2.4", "2024-01-01T10:00:00", "12.0", "120")]
    parquet = pl.read_parquet(out / "test-election/turnout.parquet")
    assert parquet.height == 2 and parquet["voters_received_ballot"].to_list() == [None, 120]


def test_columns_dictionary_describes_every_column_from_the_contract(edge_case):
    db, _, out, _ = edge_case
    dictionary = downloads.columns_dictionary(db, "test-election", "pres")
    names = [c["name"] for c in dictionary]
    header, _ = read_download_csv(out / "test-election/pres/station.csv")
    assert names == header  # the lowest level has every column
    by_name = {c["name"]: c for c in dictionary}
    line = contract.protocol_lines()[0]
    assert by_name[line.name]["type"] == "integer" and line.label("en") in by_name[line.name]["description"]
    assert by_name["percent_a"]["type"] == "number" and by_name["votes_b"]["type"] == "integer"
    assert all(c["description"] for c in dictionary)
    schema = pl.read_parquet_schema(out / "test-election/pres/station.parquet")
    types = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64}
    assert {n: types[by_name[n]["type"]] for n in schema} == dict(schema)


# --- the real packages ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(datasets_dir, tmp_path_factory):
    if not datasets_dir.is_dir():
        pytest.skip("no datasets/ yet")
    packages = load.load_packages(datasets_dir)
    db = model.build_model(packages)
    out = tmp_path_factory.mktemp("real")
    return db, packages, out, downloads.write_downloads(db, packages, out)


def test_sha256_and_size_match_the_files(real):
    _, packages, out, result = real
    assert {d.election_id for d in result} == {p.id for p in packages}
    for d in result:
        data = (out / d.path).read_bytes()
        assert d.size == len(data) and d.sha256 == hashlib.sha256(data).hexdigest(), d.path
    assert sorted(all_files(out)) == sorted(d.path for d in result)


# SHA-256 of a few downloads as the one-query-per-table implementation wrote them (before the bulk
# queries of sql/downloads.sql): the bulk rewrite must not change a byte. A deliberate change of a
# table's content or format updates these (and says so in its commit). spb-2021's station and district
# tables: their commission column holds the contract's codes PEC, TEC (was УИК, ТИК), nothing else changed.
PINNED = {
    "kz-2011-presidential/president/district.csv": "868d31e468ad5716db9afd61ba62acf62d3ae8c0e4d54174587764e178d5cd19",
    "kz-2022-presidential/president/region.csv": "d35aefb195ac352cc81fc8845479e13f6bca6bc86d0a9c42e53a9792a5b2b286",
    "kz-2023-majilis/party-list/country.csv": "8e55569af2b110433c16f208ff69fc201475b4354ad81140f4be92de4a36d61f",
    "spb-2021/city-list/station.csv": "2942ea25c650c1191e4e16917bf70a4cd369b30e601e1c0d4273d8acce7bedc4",
    "spb-2021/city-smd-1/district.csv": "61afe70f3a87cc4b0ce720723d4e2f3a133e908771f0aee3a4d7635c86a4be08",
    "spb-2021/city-list/area.json": "03b67884cdadb43dd2d27b0152e53294ce20788c3fe51aaea1cc1c4027549fc0",
}


def test_pinned_downloads_keep_their_bytes(real):
    _, packages, out, result = real
    if not {path.split("/")[0] for path in PINNED} <= {p.id for p in packages}:
        pytest.skip("not every pinned package is bundled")
    hashes = {d.path: d.sha256 for d in result}
    for path, sha in PINNED.items():
        assert hashes.get(path) == sha, f"{path} changed"
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == sha, path


def test_names_survive_with_bom_and_cyrillic(real, datasets_dir):
    _, packages, out, result = real
    cyrillic = 0
    for package in packages:
        units = {u["unit_id"]: u for u in read_package_csv(datasets_dir / package.id / "units.csv")}
        checked = 0
        for d in result:
            if d.election_id != package.id or d.format != "csv" or d.contest_id is None:
                continue
            _, rows = read_download_csv(out / d.path)
            assert len(rows) == d.rows
            for row in rows:
                unit = units[row["unit_id"]]
                assert unit["level"] == d.level
                for name in ("code", "name_kk", "name_ru", "name_en", "address"):
                    assert row[name] == neutralised(unit.get(name) or ""), (d.path, row["unit_id"], name)
                    cyrillic += any("\u0400" <= ch <= "\u04ff" for ch in row[name])
                checked += 1
        assert checked, f"{package.id}: no result rows downloaded"
    assert cyrillic, "no Cyrillic name was compared"


def test_own_protocols_are_downloaded_as_published(real, datasets_dir):
    """Every row that shows a unit's own protocol has each line, turnout and vote exactly as in the
    package's CSVs: numbers round-trip and an empty cell stays empty (e.g. the kz regional rows)."""
    _, packages, out, result = real
    empties = set()
    for package in packages:
        directory = datasets_dir / package.id
        protocols = {(p["contest_id"], p["unit_id"], p["source_id"]): p
                     for p in read_package_csv(directory / "protocols.csv")}
        votes = {}
        if (directory / "votes.csv").exists():
            votes = {(v["contest_id"], v["unit_id"], v["source_id"], v["choice_id"]): v
                     for v in read_package_csv(directory / "votes.csv")}
        for d in result:
            if d.election_id != package.id or d.format != "csv" or d.contest_id is None:
                continue
            header, rows = read_download_csv(out / d.path)
            parquet = pl.read_parquet(out / d.path.replace(".csv", ".parquet")).to_dicts()
            as_json = json.loads((out / d.path.replace(".csv", ".json")).read_text(encoding="utf-8"))
            assert parquet == as_json  # same rows, same order, same values in both
            for row, typed in zip(rows, parquet, strict=True):
                if "sum of" in row["figures"]:
                    continue
                published = protocols[(d.contest_id, row["unit_id"], row["source_id"])]
                for line in [*LINES, "turnout_percent"]:
                    expected = number(published[line])
                    if line in model.DERIVED_TOTALS and number(row[f"{line}_derived"]) == 1:
                        # not published, derived from its published parts and marked so
                        assert expected is None, (d.path, row["unit_id"], line)
                        expected = _parts_sum(published, model.DERIVED_TOTALS[line])
                    assert number(row[line]) == expected, (d.path, row["unit_id"], line)
                    assert typed[line] == expected, (d.path, row["unit_id"], line)
                    if published[line] == "":
                        empties.add((package.id, d.level))
                for column in header:
                    kind, _, choice = column.partition("_")
                    if kind in ("votes", "percent") and choice:
                        vote = votes.get((d.contest_id, row["unit_id"], row["source_id"], choice), {})
                        assert number(row[column]) == number(vote.get(kind, "")), (d.path, row["unit_id"], column)
    assert empties, "no unpublished line in any own protocol: the empty-stays-empty check ran on nothing"
    kz = {p.id for p in packages if p.id.startswith("kz-")}
    assert not kz or any(election in kz and level == "region" for election, level in empties)


def _parts_sum(protocol: dict, parts: tuple[str, ...]) -> int:
    """A derived total recomputed here: its published parts (a part absent from the form counts 0)."""
    return sum(number(protocol[part]) or 0 for part in parts)


def test_spb_station_sums_equal_the_protocols(real, datasets_dir):
    _, packages, out, result = real
    if "spb-2021" not in {p.id for p in packages}:
        pytest.skip("spb-2021 not in datasets/")
    directory = datasets_dir / "spb-2021"
    stations = {u["unit_id"] for u in read_package_csv(directory / "units.csv") if u["level"] == "station"}
    protocols = pl.read_csv(directory / "protocols.csv", infer_schema_length=0).filter(
        pl.col("unit_id").is_in(list(stations)))
    station_csvs = [d for d in result
                    if d.election_id == "spb-2021" and d.level == "station" and d.format == "csv"]
    assert station_csvs
    for d in station_csvs:
        _, rows = read_download_csv(out / d.path)
        expected = protocols.filter(pl.col("contest_id") == d.contest_id)
        assert len(rows) == expected["unit_id"].n_unique(), d.path
        for line in LINES:
            column = expected[line].cast(pl.Int64)
            got = [number(r[line]) for r in rows]
            if line in model.DERIVED_TOTALS:
                # the Russian form publishes the parts, never the total: every figure is derived and marked
                parts = expected.select([pl.col(p).cast(pl.Int64) for p in model.DERIVED_TOTALS[line]])
                derived = [number(r[f"{line}_derived"]) for r in rows]
                assert column.null_count() == column.len()
                assert sum(v for v in got if v is not None) == parts.sum_horizontal().sum(), (d.path, line)
                assert sum(derived) == parts.drop_nulls().height, (d.path, line)
            elif column.null_count() == column.len():
                assert set(got) == {None}, (d.path, line)
            else:
                assert sum(v for v in got if v is not None) == column.sum(), (d.path, line)


def test_zip_holds_the_package_byte_for_byte(real, datasets_dir):
    """The bundled packages hold no cell a spreadsheet would run: their zips are byte for byte, and
    README.txt says so (a package with such cells: tests/test_hostile_faults.py)."""
    _, packages, out, result = real
    for package in packages:
        (d,) = [d for d in result if d.election_id == package.id and d.format == "zip"]
        directory = datasets_dir / package.id
        descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
        expected = sorted(["datapackage.json", *(r["path"] for r in descriptor["resources"]), "README.txt"])
        with zipfile.ZipFile(out / d.path) as archive:
            infos = archive.infolist()
            assert [i.filename for i in infos] == [f"{package.id}/{name}" for name in expected]
            for info, name in zip(infos, expected):
                if name == "README.txt":
                    assert "byte for byte" in archive.read(info).decode("utf-8")
                else:
                    assert archive.read(info) == (directory / name).read_bytes(), name
                assert info.date_time == downloads.ZIP_TIMESTAMP and info.external_attr >> 16 == 0o100644
                assert info.extra == b"" and info.comment == b""


def test_an_id_that_could_leave_the_download_folder_is_refused(tmp_path):
    tables = synthetic.tables()
    tables["contests"] = tables["contests"].with_columns(pl.lit("pres/../..").alias("contest_id"))
    for name in ("protocols", "votes", "choices"):
        tables[name] = tables[name].with_columns(pl.lit("pres/../..").alias("contest_id"))
    write_package(tmp_path / "datasets" / "test-election", synthetic.METADATA, tables)
    packages = load.load_packages(tmp_path / "datasets")
    with pytest.raises(InputError, match="contest_id"):
        downloads.write_downloads(model.build_model(packages), packages, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_two_runs_give_identical_bytes(real, tmp_path):
    _, packages, out, result = real
    db = model.build_model(packages)  # a fresh model, as a second build would have
    again = downloads.write_downloads(db, packages, tmp_path)
    assert again == result
    assert all_files(tmp_path) == all_files(out)


# --- the stations of each region and district ---------------------------------------------------------

def stations_below(units: list[dict]) -> dict[str, set[str]]:
    """unit_id → the stations below it, walked from units.csv's parent_id (independently of the model)."""
    parent = {u["unit_id"]: u["parent_id"] for u in units}
    below: dict[str, set[str]] = {}
    for u in units:
        if u["level"] != "station":
            continue
        up = parent[u["unit_id"]]
        while up:
            below.setdefault(up, set()).add(u["unit_id"])
            up = parent[up]
    return below


def rows_as_cells(rows: list[dict], columns: list[str]) -> list[tuple]:
    """Rows as tuples of comparable cells (numbers as numbers, empty as None, text as is)."""
    def cell(value):
        try:
            return number(value)
        except ValueError:
            return value
    return sorted(tuple(cell(r.get(c) or "") for c in columns) for r in rows)


def test_each_unit_above_the_stations_has_its_stations_protocols_and_votes(real, datasets_dir):
    _, packages, out, result = real
    checked = 0
    for package in packages:
        folder = datasets_dir / package.id
        units = read_package_csv(folder / "units.csv")
        below = stations_below(units)
        roots = {u["unit_id"] for u in units if not u["parent_id"]}
        files = {d.path: d for d in result if d.election_id == package.id and d.unit_id}
        expected_units = {u for u in below if u not in roots}
        assert {d.unit_id for d in files.values()} == expected_units, package.id
        assert len(files) == 4 * len(expected_units)
        protocols = read_package_csv(folder / "protocols.csv")
        votes = read_package_csv(folder / "votes.csv")
        names = {u["unit_id"]: u for u in units}
        # every unit of the smaller packages; in spb-2021 a district, an area and the largest unit
        chosen = sorted(expected_units) if len(expected_units) < 10 else \
            [next(u for u in sorted(expected_units) if names[u]["level"] == "district"),
             next(u for u in sorted(expected_units) if names[u]["level"] == "area"),
             max(expected_units, key=lambda u: len(below[u]))]
        for unit_id in chosen:
            stations = below[unit_id]
            base = f"{package.id}/units/{unit_id}"
            header, rows = read_download_csv(out / f"{base}/protocols.csv")
            assert header == [c.name for c in downloads.unit_station_columns("protocols")]
            mine = [p for p in protocols if p["unit_id"] in stations]
            assert mine, unit_id
            columns = [c for c in protocols[0] if c in header]
            assert rows_as_cells(rows, columns) == rows_as_cells(mine, columns), f"{base}/protocols.csv"
            for r in rows:
                for name in downloads.STATION_NAMES:
                    assert r[name] == neutralised(names[r["unit_id"]].get(name) or ""), (base, r["unit_id"], name)
            header, rows = read_download_csv(out / f"{base}/votes.csv")
            assert header == contract.field_names("votes")
            mine = [v for v in votes if v["unit_id"] in stations]
            columns = [c for c in votes[0] if c in header]
            assert rows_as_cells(rows, columns) == rows_as_cells(mine, columns), f"{base}/votes.csv"
            checked += 1
    assert checked >= 3


def test_unit_downloads_are_formula_safe_and_parquet_equals_csv(edge_case):
    _, _, out, result = edge_case
    units = {d.unit_id for d in result if d.unit_id}
    assert units == {"r1", "r1.d1", "r1.d2"}  # the root (kz) is the whole package: its zip
    header, rows = read_download_csv(out / "test-election/units/r1.d2/protocols.csv")
    hostile = next(r for r in rows if r["unit_id"] == "r1.d2.4")
    assert hostile["name_en"] == "'" + ATTACKS["name_en"] and hostile["name_ru"] == "'" + ATTACKS["name_ru"]
    assert hostile["name_kk"] == "'" + ATTACKS["name_kk"]
    assert {r["unit_id"] for r in rows} == {"r1.d2.3", "r1.d2.4"}  # not the district's own protocol
    for d in (d for d in result if d.unit_id and d.format == "csv"):
        header, rows = read_download_csv(out / d.path)
        frame = pl.read_parquet(out / d.path.replace(".csv", ".parquet"))
        assert frame.columns == header and frame.height == len(rows) == d.rows, d.path
        for column in header:
            parquet = ["" if v is None else neutralised(v) if isinstance(v, str) else v
                       for v in frame[column].to_list()]
            csv_cells = [number(r[column]) if frame[column].dtype.is_numeric() else r[column] for r in rows]
            assert [None if v == "" else v for v in parquet] == [None if v == "" else v for v in csv_cells], \
                (d.path, column)


# --- the GitHub Release: the bulk files and the offline copy, beside the site (publish/release.py) ---

def _release_files(built_site: Path) -> tuple[str, dict[str, str]]:
    from ashyq.publish import release

    sums = (release.release_dir(built_site) / "SHA256SUMS").read_bytes()
    listed = dict(reversed(line.split("  ", 1)) for line in sums.decode("utf-8").splitlines())
    return release.tag_of(sums), listed


def test_bulk_files_are_in_the_release_folder_not_in_the_site(built_site):
    from ashyq.publish import release

    folder = release.release_dir(built_site)
    names = sorted(p.name for p in folder.iterdir())
    # every election's whole package, and its election-wide station tables in each format
    packages = [n for n in names if n.endswith("-datapackage.zip")]
    assert len(packages) == len([p for p in (ROOT / "datasets").iterdir() if (p / "datapackage.json").is_file()])
    stations = [n for n in names if n.endswith(("--station.csv", "--station.parquet", "--station.json"))]
    assert "kz-2011-presidential-datapackage.zip" in packages  # the election's id is not repeated
    assert "kz-2011-presidential--president--station.csv" in stations
    assert release.OFFLINE_ASSET in names
    site_downloads = {p.relative_to(built_site / "downloads").as_posix() for p in (built_site / "downloads").rglob("*")
                      if p.is_file()}
    assert not any(path.endswith(("-datapackage.zip", "/station.csv", "/station.parquet", "/station.json"))
                   for path in site_downloads), "a Release file is also on the site"
    assert any(path.startswith("kz-2011-presidential/units/") for path in site_downloads)  # per-unit files stay


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_downloads_page_links_every_release_file_with_its_size_and_hash(built_site, lang):
    from ashyq.publish import release
    from ashyq.render.locale import Locale

    tag, listed = _release_files(built_site)
    page = (built_site / lang / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "@@ASHYQ-" not in page
    for name, sha256 in listed.items():
        if name == "manifest.json":
            continue
        assert f'href="{release.asset_url(name, tag)}"' in page, name
        size = Locale(lang).size((release.release_dir(built_site) / name).stat().st_size)
        assert sha256 in page and size.replace("\xa0", "&nbsp;") in page or size in page, name
    assert f'href="{release.asset_url("SHA256SUMS", tag)}"' in page
    assert "<code>sha256sum -c SHA256SUMS</code>" in page and 'lang="en">GitHub Release</span>' in page


def test_release_links_on_the_site_name_files_of_this_release_only(built_site):
    """The one kind of link out of the site to a file: a Release asset, by this build's tag."""
    import re

    from ashyq.publish import release

    tag, listed = _release_files(built_site)
    found = set()
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "@@ASHYQ-" not in text, page
        for url in re.findall(r'href="(https://github\.com/[^"]*/releases/download/[^"]*)"', text):
            assert url.startswith(release.asset_url("", tag)), (page, url)
            found.add(url.rsplit("/", 1)[1])
    assert found == (set(listed) | {"SHA256SUMS"}) - {"manifest.json"}


def test_offline_copy_links_the_repositorys_releases_not_a_tag(built_site):
    """The copy is inside the Release whose tag hashes it: its downloads page cannot name that tag."""
    from ashyq.publish import offline, release

    with zipfile.ZipFile(release.release_dir(built_site) / release.OFFLINE_ASSET) as archive:
        page = archive.read(f"{offline.ZIP_FOLDER}/en/downloads/index.html").decode("utf-8")
    assert "@@ASHYQ-" not in page and "/releases/download/" not in page
    # each file (and SHA256SUMS) in the Release's table, station tables again in their election's table
    assert page.count(f'href="{release.releases_page()}"') >= len(_release_files(built_site)[1])
