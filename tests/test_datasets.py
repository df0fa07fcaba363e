"""The bundled datasets: valid packages, and figures that reproduce what was published.

Tests marked "source" also read ../shared (or $ASHYQ_SHARED) and skip when it is absent; all the
others run on the committed CSVs alone.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import frictionless
import polars as pl
import pytest

from ashyq import contract, load

from paths import SHARED

SPB_SOURCE = SHARED / "realdata" / "ru-spb-2021-uik-turnout"
PACKAGES = ["kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential", "kz-2023-majilis", "spb-2021"]
# St Petersburg README: "Registered voters summed: 3,931,555."
SPB_REGISTERED_VOTERS = 3_931_555

needs_shared = pytest.mark.skipif(not SPB_SOURCE.is_dir(), reason=f"source data not available at {SHARED}")


@pytest.fixture(scope="module")
def packages(datasets_dir):
    return {p.id: p for p in load.load_packages(datasets_dir)}


def read(package, resource: str) -> pl.DataFrame:
    """A resource with every column as text (figures exactly as written)."""
    return pl.read_csv(package.resource_paths[resource], infer_schema_length=0)


def as_int(frame: pl.DataFrame, column: str) -> pl.Series:
    return frame[column].cast(pl.Int64)


# --- every package -------------------------------------------------------------------------------


def test_the_five_packages_are_bundled(packages):
    assert sorted(packages) == PACKAGES


@pytest.mark.parametrize("name", PACKAGES)
def test_package_passes_frictionless(packages, name):
    report = frictionless.validate(str(packages[name].directory / "datapackage.json"))
    errors = report.flatten(["type", "rowNumber", "fieldName", "note"])
    assert report.valid, f"{name}: {errors[:10]}"


@pytest.mark.parametrize("name", PACKAGES)
def test_metadata_names_the_election_its_licence_and_sources(packages, name):
    descriptor = packages[name].descriptor
    assert descriptor["name"] == name
    election = descriptor["election"]
    assert election["date"] and election["country"] in {"KZ", "RU"} and election["type"]
    assert all(election["title"][lang] for lang in ("en", "ru", "kk"))
    assert descriptor["licenses"] and all(l.get("title") for l in descriptor["licenses"])
    assert descriptor["sources"] and all(s.get("path", "").startswith("http") for s in descriptor["sources"])


@pytest.mark.parametrize("name", [n for n in PACKAGES if n.startswith("kz-")])
def test_citations_name_a_line_turnout_or_a_choice(packages, name):
    package = packages[name]
    choices = {f"votes:{c}" for c in read(package, "choices")["choice_id"]}
    allowed = set(contract.line_names()) | {"turnout_percent"} | choices
    bad = set(read(package, "citations")["field"]) - allowed
    assert not bad, f"{name}: citations for unknown fields {bad}"


@pytest.mark.parametrize("name", PACKAGES)
def test_unit_ids_are_hierarchical(packages, name):
    units = read(packages[name], "units")
    for unit_id, parent_id, level in units.select("unit_id", "parent_id", "level").iter_rows():
        if level in ("district", "station") and parent_id:
            assert unit_id.startswith(parent_id + "."), f"{name}: {unit_id} is not under {parent_id}"


# --- Kazakhstan: published percentages reproduced ------------------------------------------------


def published_precision(votes: int, base: int, printed: str) -> Decimal:
    """votes / base in percent, rounded to as many decimals as the printed figure has."""
    exponent = Decimal(printed).as_tuple().exponent
    return (Decimal(100 * votes) / Decimal(base)).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def national(package) -> tuple[dict, pl.DataFrame]:
    protocols = read(package, "protocols")
    protocol = protocols.filter(pl.col("unit_id") == "kz").to_dicts()
    assert len(protocol) == 1, "one national protocol"
    votes = read(package, "votes").filter(pl.col("unit_id") == "kz")
    return protocol[0], votes


@pytest.mark.parametrize("name, base", [
    ("kz-2019-presidential", "valid"),
    ("kz-2022-presidential", "choices"),
    ("kz-2023-majilis", "choices"),
    ("kz-2011-presidential", "valid"),
])
def test_kazakhstan_percentages_reproduce_to_the_published_precision(packages, name, base):
    protocol, votes = national(packages[name])
    total = int(protocol["ballots_valid"]) if base == "valid" else int(as_int(votes, "votes").sum())
    assert len(votes) >= 4 and votes["percent"].null_count() == 0
    for choice_id, count, printed in votes.select("choice_id", "votes", "percent").iter_rows():
        assert published_precision(int(count), total, printed) == Decimal(printed), f"{name}: {choice_id}"


def test_kz_2019_votes_cast_are_valid_plus_invalid_and_candidates_sum_to_valid(packages):
    protocol, votes = national(packages["kz-2019-presidential"])
    assert int(protocol["ballots_in_boxes"]) == int(protocol["ballots_valid"]) + int(protocol["ballots_invalid"])
    assert as_int(votes, "votes").sum() == int(protocol["ballots_valid"])


def test_kz_2019_correction_matches_the_final_figure(packages):
    package = packages["kz-2019-presidential"]
    changes = read(package, "changes").to_dicts()
    assert len(changes) == 1
    change = changes[0]
    assert (change["field"], change["old_value"], change["old_published_on"]) == ("percent:tokayev", "70.76", "2019-06-10")
    assert change["changed_on"] is None  # no source in hand dates the final announcement
    _, votes = national(package)
    final = votes.filter(pl.col("choice_id") == "tokayev")["percent"].item()
    assert change["new_value"] == final == "70.96"


def test_kz_2022_regional_finals_are_turnout_only_protocols(packages):
    package = packages["kz-2022-presidential"]
    protocols = read(package, "protocols")
    regional = protocols.filter(pl.col("unit_id") != "kz")
    assert dict(regional.select("unit_id", "turnout_percent").iter_rows()) == {"zhetysu": "81.42", "almaty_city": "28.72"}
    assert regional.select(contract.line_names()).null_count().row(0) == (2,) * len(contract.line_names())
    protocol, _ = national(package)
    assert (protocol["ballots_issued"], protocol["turnout_percent"]) == ("8300046", "69.44")
    turnout = read(package, "turnout")
    assert len(turnout) == 105 and "final" not in set(turnout["label"])


def test_kz_2019_preliminary_close_turnout_is_labelled(packages):
    turnout = read(packages["kz-2019-presidential"], "turnout")
    assert len(turnout) == 18
    assert set(turnout["label"]) == {"close (preliminary)"} and set(turnout["reported_at"]) == {"2019-06-09T20:00:00"}
    assert turnout.filter(pl.col("unit_id") == "kz")["turnout_percent"].item() == "77.4"


def test_kz_2023_party_list_is_not_mapped_onto_valid_ballots(packages):
    package = packages["kz-2023-majilis"]
    protocol, votes = national(package)
    assert protocol["ballots_valid"] is None and protocol["turnout_percent"] is None
    assert "6,366,441" in protocol["note"]
    assert as_int(votes, "votes").sum() == 6_366_441
    contest = read(package, "contests").to_dicts()[0]
    assert (contest["seats"], contest["threshold_percent"]) == ("69", "5")
    choices = read(package, "choices")
    assert as_int(choices, "seats_won").sum() == 69
    assert choices.sort(pl.col("ballot_order").cast(pl.Int64))["kind"][-1] == "against_all"


def test_kz_regions_of_each_year(packages):
    regions = {name: set(read(packages[name], "units").filter(pl.col("level") == "region")["unit_id"])
               for name in PACKAGES if name.startswith("kz-")}
    assert len(regions["kz-2019-presidential"]) == 17 and "nur_sultan" in regions["kz-2019-presidential"]
    assert regions["kz-2022-presidential"] == regions["kz-2023-majilis"]
    assert {"abai", "zhetysu", "ulytau"} <= regions["kz-2022-presidential"] and len(regions["kz-2022-presidential"]) == 20
    assert len(regions["kz-2011-presidential"]) == 16 and "south_kazakhstan" in regions["kz-2011-presidential"]


# --- Kazakhstan 2011: regions and the four stations of footnote 121 ------------------------------


def test_kz_2011_regions_sum_to_the_national_result(packages):
    package = packages["kz-2011-presidential"]
    votes = read(package, "votes").filter(pl.col("source_id") == "cec").with_columns(pl.col("votes").cast(pl.Int64))
    units = read(package, "units")
    regions = set(units.filter(pl.col("level") == "region")["unit_id"])
    by_region = votes.filter(pl.col("unit_id").is_in(regions)).group_by("choice_id").agg(pl.col("votes").sum())
    nation = votes.filter(pl.col("unit_id") == "kz").select("choice_id", "votes")
    assert dict(by_region.iter_rows()) == dict(nation.iter_rows())
    protocol, _ = national(package)
    assert (protocol["voters_on_list"], protocol["ballots_issued"], protocol["ballots_valid"],
            protocol["ballots_in_mobile_boxes"], protocol["turnout_percent"]) == ("9200298", "8279227", "8216370", "211142", "89.98")
    # Regional percentages are shares of the national valid votes: never written as the region's share.
    assert votes.filter(pl.col("unit_id").is_in(regions))["percent"].null_count() == 64


# (station unit, source) → figures as section XV, footnote 121 states them; None = not given.
FOOTNOTE_121 = {
    ("zhambyl.talas.410", "dec-summary"): dict(nazarbayev=1592, akhmetbekov=None, yeleusizov=None, kasymov=None),
    ("zhambyl.talas.410", "pec-protocol-observers"): dict(nazarbayev=1552, akhmetbekov=None, yeleusizov=None, kasymov=None),
    ("eko.semey.262", "dec-summary"): dict(akhmetbekov=4, yeleusizov=2, kasymov=10, nazarbayev=1729),
    ("eko.semey.262", "pec-protocol-observers"): dict(akhmetbekov=24, yeleusizov=32, kasymov=30, nazarbayev=1659),
    ("wko.burlinskiy.80", "dec-summary"): dict(akhmetbekov=6, yeleusizov=4, kasymov=2, nazarbayev=1697, ballots_invalid=64),
    ("wko.burlinskiy.80", "pec-protocol-observers"): dict(akhmetbekov=44, yeleusizov=22, kasymov=64, nazarbayev=1653, ballots_invalid=14),
    ("aktobe.martykskiy.166", "dec-summary"): dict(akhmetbekov=13, yeleusizov=1, kasymov=6, nazarbayev=1512, ballots_cancelled=107),
    ("aktobe.martykskiy.166", "pec-protocol-observers"): dict(akhmetbekov=23, yeleusizov=3, kasymov=26, nazarbayev=1512, ballots_cancelled=75),
}


def test_kz_2011_holds_the_four_discrepancies_exactly(packages):
    package = packages["kz-2011-presidential"]
    protocols = {(r["unit_id"], r["source_id"]): r for r in read(package, "protocols").to_dicts()}
    votes = read(package, "votes")
    stations = {key for key in protocols if key[1] != "cec"}
    assert stations == set(FOOTNOTE_121)
    for (unit_id, source_id), expected in FOOTNOTE_121.items():
        protocol = protocols[(unit_id, source_id)]
        given_lines = {k: v for k, v in expected.items() if k in contract.line_names()}
        written_lines = {k: int(protocol[k]) for k in contract.line_names() if protocol[k] is not None}
        assert written_lines == given_lines, f"{unit_id} {source_id}: protocol lines"
        rows = votes.filter((pl.col("unit_id") == unit_id) & (pl.col("source_id") == source_id))
        written_votes = {c: (int(v) if v is not None else None) for c, v in rows.select("choice_id", "votes").iter_rows()}
        assert written_votes == {k: v for k, v in expected.items() if k not in contract.line_names()}, f"{unit_id} {source_id}"
    # PEC 410's invalid ballots: only "40 less in the DEC summary", recorded as a note on both rows.
    for source_id in ("dec-summary", "pec-protocol-observers"):
        row = protocols[("zhambyl.talas.410", source_id)]
        assert row["ballots_invalid"] is None and "40 fewer" in row["note"]


def test_kz_2011_versions_come_from_the_report_with_their_kinds(packages):
    package = packages["kz-2011-presidential"]
    sources = {r["source_id"]: r for r in read(package, "sources").to_dicts()}
    assert sources["dec-summary"]["kind"] == "commission_summary"
    assert sources["pec-protocol-observers"]["kind"] == "observer_copy"
    for source_id in ("dec-summary", "pec-protocol-observers"):
        assert "section XV" in sources[source_id]["document"] and "footnote 121" in sources[source_id]["document"]
    units = {r["unit_id"]: r for r in read(package, "units").to_dicts()}
    for unit_id in ("zhambyl.talas.410", "eko.semey.262", "wko.burlinskiy.80", "aktobe.martykskiy.166"):
        station, district = units[unit_id], units[units[unit_id]["parent_id"]]
        assert (station["level"], district["level"], units[district["parent_id"]]["level"]) == ("station", "district", "region")


# --- St Petersburg ---------------------------------------------------------------------------------


def test_spb_sizes(packages):
    """Four ballots, each station listed once: 2,053 Duma stations plus two that voted in the city
    ballots only; 8 + 25 constituencies; 14 + 8 parties and 96 + 165 candidates."""
    package = packages["spb-2021"]
    units = read(package, "units")
    assert units["level"].value_counts().sort("level").rows() == [("area", 18), ("district", 64), ("region", 1), ("station", 2055)]
    protocols = read(package, "protocols")
    per_contest = dict(protocols.group_by("contest_id").len().iter_rows())
    assert per_contest["duma-list"] == 2053 and per_contest["city-list"] == 1986
    assert sum(v for k, v in per_contest.items() if k.startswith("duma-smd-")) == 2053
    assert sum(v for k, v in per_contest.items() if k.startswith("city-smd-")) == 1986
    contests = read(package, "contests")
    assert contests.group_by("body_id", "kind").len().sort("body_id", "kind").rows() == [
        ("city", "party_list", 1), ("city", "single_member", 25), ("duma", "party_list", 1), ("duma", "single_member", 8)]
    assert sorted(contests.filter(pl.col("body_id") == "duma")["constituency"].drop_nulls().cast(pl.Int64)) == list(range(211, 219))
    choices = read(package, "choices").drop("kind").join(contests.select("contest_id", "body_id", "kind"), on="contest_id")
    counts = dict(((b, k), n) for b, k, n in choices.group_by("body_id", "kind").len().iter_rows())
    assert counts == {("duma", "party_list"): 14, ("duma", "single_member"): 96,
                      ("city", "party_list"): 8, ("city", "single_member"): 165}
    assert len(read(package, "turnout")) == 17_398
    assert len(read(package, "venues")) == 1013
    assert units["venue_id"].drop_nulls().len() == 1946
    assert sorted(units.filter(pl.col("kind") == "abroad")["code"].to_list()) == ["8050", "8317", "8413", "8418", "8425", "8429"]


@pytest.mark.parametrize("contest, total", [("duma-list", SPB_REGISTERED_VOTERS), ("duma-smd-", 3_907_283),
                                            ("city-list", 3_882_917)])
def test_spb_registered_voters_sum_to_the_readme_figure(packages, contest, total):
    protocols = read(packages["spb-2021"], "protocols").filter(pl.col("contest_id").str.starts_with(contest))
    assert as_int(protocols, "voters_on_list").sum() == total


def test_spb_hierarchy_is_city_district_tik_station(packages):
    units = read(packages["spb-2021"], "units")
    level = dict(units.select("unit_id", "level").iter_rows())
    expected_parent = {"station": "district", "district": "area", "area": "region"}
    for unit_id, parent_id, unit_level in units.select("unit_id", "parent_id", "level").iter_rows():
        if unit_level != "region":
            assert level[parent_id] == expected_parent[unit_level], unit_id
    assert units.filter(pl.col("level") == "region")["unit_id"].to_list() == ["spb"]


def test_spb_empty_protocols_have_no_figures(packages):
    """A protocol upstream marks "empty" with no figure but 0 is listed with every figure empty (never
    zeros), its votes too; those with a real figure (station 196: 10 invalid ballots) keep them."""
    protocols = read(packages["spb-2021"], "protocols")
    empty = protocols.filter(pl.col("note").str.contains("no figures were published"))
    per_ballot = dict(empty.with_columns(pl.col("contest_id").str.replace(r"-\d+$", ""))
                      .group_by("contest_id").len().iter_rows())
    assert per_ballot == {"duma-list": 10, "duma-smd": 46, "city-list": 10, "city-smd": 11}
    assert empty.select(contract.line_names()).null_count().row(0) == (len(empty),) * len(contract.line_names())
    keys = empty.select("contest_id", "unit_id")
    votes = read(packages["spb-2021"], "votes").join(keys, on=["contest_id", "unit_id"])
    assert len(votes) > 0 and votes["votes"].null_count() == len(votes)
    kept = protocols.filter(pl.col("note").str.contains("figures are as published"))
    assert kept.filter(pl.col("unit_id").str.ends_with(".196"))["ballots_invalid"].to_list() == ["10"]


@needs_shared
@pytest.mark.parametrize("ballot, prefix", [("duma_party_list", "duma-list"), ("duma_smd", "duma-smd-"),
                                            ("city_party_list", "city-list"), ("city_smd", "city-smd-")])
def test_spb_ballot_totals_match_the_source(packages, ballot, prefix):
    """Every protocol line of every ballot sums to the source's column, empty where the source is
    empty or marks the protocol empty with only zeros."""
    source = pl.read_csv(SPB_SOURCE / f"spb2021_{ballot}_uik.csv", infer_schema_length=0)
    protocols = read(packages["spb-2021"], "protocols").filter(pl.col("contest_id").str.starts_with(prefix))
    from ashyq.converters.spb_2021 import PROTOCOL_LINES  # the mapping under test: line → upstream column

    columns = list(PROTOCOL_LINES.values())
    only_zeros = (pl.col("protocol_empty") == "1") & pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c) == "0") for c in columns])
    kept = source.filter(~only_zeros)
    assert len(protocols) == len(source)
    for line, column in PROTOCOL_LINES.items():
        assert as_int(protocols, line).sum() == kept[column].cast(pl.Int64).sum(), line
        assert protocols[line].drop_nulls().len() == kept[column].drop_nulls().len(), line


@needs_shared
def test_spb_stations_sit_under_their_tik_and_district(packages):
    units = {r["unit_id"]: r for r in read(packages["spb-2021"], "units").to_dicts()}
    stations = {r["code"]: r for r in units.values() if r["level"] == "station"}
    seen = set()
    for ballot in ("duma_party_list", "duma_smd", "city_party_list", "city_smd"):
        source = pl.read_csv(SPB_SOURCE / f"spb2021_{ballot}_uik.csv", infer_schema_length=0)
        seen |= set(source["uik"])
        for uik, tik, district in source.select("uik", "tik", "district").iter_rows():
            tik_unit = units[stations[uik]["parent_id"]]
            assert tik_unit["code"] == tik, uik
            if district != "Голосование за рубежом":
                assert units[tik_unit["parent_id"]]["name_ru"] == district, uik
                assert stations[uik]["kind"] == "polling_station", uik
            else:
                assert stations[uik]["kind"] == "abroad", uik
    assert set(stations) == seen


@needs_shared
def test_spb_venues_as_published(packages):
    """Each linked station has its venue (the lower number where upstream links two), with the
    coordinates as published."""
    links = pl.read_csv(SPB_SOURCE / "spb2021_venue_uik.csv", infer_schema_length=0)
    first = dict(links.with_columns(pl.col("venue_id").cast(pl.Int64)).group_by("uik").agg(pl.col("venue_id").min())
                 .with_columns(pl.col("venue_id").cast(pl.String)).iter_rows())
    units = read(packages["spb-2021"], "units").filter(pl.col("level") == "station")
    assert dict(units.filter(pl.col("venue_id").is_not_null()).select("code", "venue_id").iter_rows()) == first
    venues = read(packages["spb-2021"], "venues")
    source = pl.read_csv(SPB_SOURCE / "spb2021_venues.csv", infer_schema_length=0)
    assert venues.sort(pl.col("venue_id").cast(pl.Int64))["latitude"].to_list() == \
        source.sort(pl.col("venue_id").cast(pl.Int64))["latitude"].to_list()


@needs_shared
def test_spb_turnout_reports_match_the_source(packages):
    source = pl.read_csv(SPB_SOURCE / "spb2021_duma_turnout_uik.csv", infer_schema_length=0)
    turnout = read(packages["spb-2021"], "turnout")
    assert as_int(turnout, "voters_received_ballot").sum() == source["voted_count"].cast(pl.Int64).sum()
    assert sorted(turnout["turnout_percent"].to_list()) == sorted(source["voted_percentage"].to_list())
