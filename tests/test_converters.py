"""The converters: re-running them reproduces datasets/ byte for byte, and bad sources fail clearly.

Tests marked ``needs_shared`` read the real source files in ../shared (or $ASHYQ_SHARED) and
skip when they are absent; the bundled datasets themselves are tested in test_datasets.py.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ashyq.converters import CONVERTERS, __main__ as cli, convert, kz_2011, spb_2021, tables

from paths import SHARED

needs_shared = pytest.mark.skipif(not (SHARED / "realdata").is_dir(), reason=f"source data not available at {SHARED}")

# Which packages each converter writes.
WRITES = {
    "kz-press": ["kz-2019-presidential", "kz-2022-presidential", "kz-2023-majilis"],
    "kz-2011": ["kz-2011-presidential"],
    "spb-2021": ["spb-2021"],
}


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@needs_shared
@pytest.mark.parametrize("name", list(CONVERTERS))
def test_rerunning_a_converter_gives_the_bundled_files_byte_for_byte(tmp_path, datasets_dir, name):
    written = CONVERTERS[name](SHARED, tmp_path)
    assert sorted(p.name for p in written) == WRITES[name]
    for package in WRITES[name]:
        fresh, bundled = files(tmp_path / package), files(datasets_dir / package)
        assert sorted(fresh) == sorted(bundled), package
        changed = [f for f in fresh if fresh[f] != bundled[f]]
        assert not changed, f"{package}: {changed} differ from datasets/ (re-run the converters and commit)"


@needs_shared
def test_command_line_writes_every_package(tmp_path, capsys):
    assert cli.main(["all", "--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(sum(WRITES.values(), []))
    assert "wrote" in capsys.readouterr().out


def test_command_line_names_a_missing_source_file(tmp_path, capsys):
    assert cli.main(["kz-press", "--shared", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "kz_national_results.csv" in error and "not found" in error
    assert not (tmp_path / "out").exists()


def test_unknown_converter_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown converter"):
        convert(["kz-2012"], SHARED, tmp_path)


def shared_copy(tmp_path: Path) -> Path:
    """A writable copy of the small Kazakhstan sources and the 2011 report."""
    copy = tmp_path / "shared"
    shutil.copytree(SHARED / kz_2011.FOLDER, copy / kz_2011.FOLDER)
    (copy / "seeds").mkdir()
    shutil.copy(SHARED / kz_2011.REPORT_FILE, copy / kz_2011.REPORT_FILE)
    return copy


@needs_shared
def test_kz_2011_refuses_a_station_figure_the_report_does_not_state(tmp_path):
    copy = shared_copy(tmp_path)
    report = copy / kz_2011.REPORT_FILE
    report.write_text(report.read_text(encoding="utf-8").replace("received 1,592 votes", "received 1,593 votes"),
                      encoding="utf-8")
    with pytest.raises(tables.SourceError, match="PEC 410"):
        kz_2011.convert(copy, tmp_path / "out")


@needs_shared
def test_kz_2011_refuses_regions_that_do_not_sum_to_the_nation(tmp_path):
    copy = shared_copy(tmp_path)
    regions = copy / kz_2011.FOLDER / "kz2011_results_by_region.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace("Akmola,oblast,Nazarbayev,431451",
                                                                   "Akmola,oblast,Nazarbayev,431452"), encoding="utf-8")
    with pytest.raises(tables.SourceError, match="Nazarbayev's regions sum"):
        kz_2011.convert(copy, tmp_path / "out")


@needs_shared
def test_spb_hierarchy_refuses_a_tik_split_across_districts():
    stations = tables.read_csv(SHARED / spb_2021.FOLDER / "spb2021_duma_party_list_uik.csv")
    assert spb_2021.tik_districts(stations)["29"] == "Фрунзенский район"  # its home, abroad stations aside
    moved = [dict(row) for row in stations]
    next(r for r in moved if r["tik"] == "1")["district"] = "Центральный район"
    with pytest.raises(tables.SourceError, match="several districts"):
        spb_2021.tik_districts(moved)


def test_figures_stay_text_never_floats():
    assert tables.text("2.60") == "2.60" and tables.text(0) == "0" and tables.text("") is None
    with pytest.raises(TypeError):
        tables.text(2.6)
    assert tables.join_urls("https://a ; https://b", "https://b;https://c") == "https://a; https://b; https://c"
    assert tables.slug("People's Party of Kazakhstan") == "peoples_party_of_kazakhstan"
    assert tables.digits("1,592") == "1592"


@needs_shared
def test_spb_refuses_a_station_under_two_tiks_or_a_vote_outside_its_constituency():
    folder = SHARED / spb_2021.FOLDER
    duma = tables.read_csv(folder / "spb2021_duma_party_list_uik.csv")
    city = [dict(row) for row in tables.read_csv(folder / "spb2021_city_party_list_uik.csv")]
    next(r for r in city if r["uik"] == "1")["tik"] = "2"
    with pytest.raises(tables.SourceError, match="station 1 is under TIK 1 in one file and 2 in another"):
        spb_2021.station_unit_ids(duma + city)
    row = next(r for r in tables.read_csv(folder / "spb2021_duma_smd_uik.csv") if r["uik"] == "1")
    vote = {**next(v for v in tables.read_csv(folder / "spb2021_duma_smd_votes.csv") if v["uik"] == "1"),
            "electoral_district": "211"}
    with pytest.raises(tables.SourceError, match="votes in constituency 211, its protocol is in 216"):
        spb_2021._votes("duma_smd", row, "duma-smd-216", "spb.x.tik1.1", [vote], True)
