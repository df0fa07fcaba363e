"""Maps: the boundaries (converter, divisions, the 2011 merge), the join of a package's regions to
their polygons (refused when they do not match), and the map block on the built election pages."""
from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import polars as pl
import pytest

from ashyq import geo, load, validate
from ashyq.cli import main
from ashyq.render import maps
from ashyq.render.locale import Locale
from paths import SHARED

needs_shared = pytest.mark.skipif(not (SHARED / "realdata" / "kz-boundaries").is_dir(),
                                  reason=f"boundaries source not available at {SHARED}")
EN = Locale("en")  # the pages these tests read; every language's page carries the same map
MAP_DATA = re.compile(r'<script type="application/json" class="ashyq-map-data">(.*?)</script>', re.DOTALL)


def csv(datasets_dir: Path, election: str, name: str) -> pl.DataFrame:
    return pl.read_csv(datasets_dir / election / f"{name}.csv", infer_schema_length=0)


def map_data(site: Path, election: str) -> list[dict]:
    html = (site / "en" / "elections" / election / "index.html").read_text(encoding="utf-8")
    return [json.loads(m) for m in MAP_DATA.findall(html)]


# --- boundaries ---------------------------------------------------------------------------------

@needs_shared
def test_boundaries_converter_gives_the_committed_files_byte_for_byte(tmp_path):
    from ashyq.converters import boundaries

    written = boundaries.convert(SHARED, tmp_path)
    assert sorted(p.name for p in written) == ["kz-adm1-2018.geojson", "kz-adm1-2024.geojson"]
    for path in written:
        committed = geo.BOUNDARIES / path.name
        assert path.read_bytes() == committed.read_bytes(), f"{path.name}: re-run the boundaries converter and commit"
        assert path.stat().st_size < 60_000, f"{path.name} is not simplified enough"


def test_divisions_have_the_regions_of_their_years():
    assert len(geo.regions("kz-adm1-2018")) == 17
    assert len(geo.regions("kz-adm1-2024")) == 20
    assert {"KZ-ABY", "KZ-ZHT", "KZ-ULT"} <= set(geo.regions("kz-adm1-2024"))
    assert not {"KZ-ABY", "KZ-ZHT", "KZ-ULT"} & set(geo.regions("kz-adm1-2018"))


def test_2011_south_kazakhstan_is_turkestan_and_shymkent_merged_at_build_time():
    old, new = geo.regions("kz-adm1-2011"), geo.regions("kz-adm1-2018")
    assert len(old) == 16 and "KZ-SHY" not in old
    south = old["KZ-YUZ"]
    assert south.names["en"] == "South Kazakhstan" and south.kato == "510000000"
    parts = new["KZ-YUZ"].geometry.union(new["KZ-SHY"].geometry)
    assert south.geometry.symmetric_difference(parts).area < 1e-9
    assert south.geometry.area > new["KZ-YUZ"].geometry.area  # Shymkent added, not dropped
    assert south.geometry.geom_type == "Polygon"  # one piece: the two shared their border exactly


def test_drawing_keeps_holes_as_rings_of_their_region():
    """Astana lies inside Akmola: Akmola's drawing holds Astana's outline as a ring of its own."""
    akmola = geo.drawing("kz-adm1-2024")["KZ-AKM"]
    assert None in akmola[0]
    assert "KZ-AST" in geo.dots("kz-adm1-2024") and "KZ-AKM" not in geo.dots("kz-adm1-2024")


def test_the_credit_line_is_the_one_the_licence_asks_for():
    assert geo.attribution() == ("Boundaries: geokz (A. Rodionov), CC BY 4.0, based on the Bureau of National "
                                 "Statistics of Kazakhstan")


# --- the join: refused when regions and polygons differ --------------------------------------------

def _copy(datasets_dir: Path, tmp_path: Path, election: str, division: str | None) -> Path:
    folder = tmp_path / "datasets"
    shutil.copytree(datasets_dir / election, folder / election)
    path = folder / election / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    if division is None:
        descriptor["election"].pop("division")
    else:
        descriptor["election"]["division"] = division
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def test_bundled_packages_name_divisions_that_match_their_regions(datasets_dir):
    named = {p.id: p.election.get("division") for p in load.load_packages(datasets_dir)}
    assert named["kz-2011-presidential"] == "kz-adm1-2011"
    assert named["kz-2022-presidential"] == "kz-adm1-2024"
    for package in load.load_packages(datasets_dir):
        if package.election.get("division"):
            assert not [p for p in validate.fast_problems(package) if p.kind == "division"], package.id


def test_a_region_without_a_polygon_is_refused(datasets_dir, tmp_path, capsys):
    folder = _copy(datasets_dir, tmp_path, "kz-2022-presidential", "kz-adm1-2018")
    assert main(["validate", "--datasets", str(folder), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error
    for unit, code in [("abai", "KZ-ABY"), ("zhetysu", "KZ-ZHT"), ("ulytau", "KZ-ULT")]:
        assert re.search(rf"kz-2022-presidential/units.csv, row \d+, field 'code', value '{code}': "
                         rf"region '{unit}' has no polygon in map division 'kz-adm1-2018'", error), error


def test_a_polygon_without_a_region_fails_the_build(datasets_dir, tmp_path, capsys):
    """2011 drawn with the 2018 division: Shymkent's polygon has no region (it was part of South Kazakhstan)."""
    folder = _copy(datasets_dir, tmp_path, "kz-2011-presidential", "kz-adm1-2018")
    assert main(["--datasets", str(folder), "--site", str(tmp_path / "site"), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert "map division 'kz-adm1-2018' has polygon(s) 'KZ-SHY' (Shymkent (city)) that no region unit carries" in error
    assert not (tmp_path / "site").exists()


def test_an_unknown_division_is_refused(datasets_dir, tmp_path, capsys):
    folder = _copy(datasets_dir, tmp_path, "kz-2022-presidential", "kz-adm1-1999")
    assert main(["validate", "--datasets", str(folder), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert "field 'election.division', value 'kz-adm1-1999': unknown map division" in error


def test_a_code_carried_twice_is_refused(datasets_dir, tmp_path, capsys):
    folder = _copy(datasets_dir, tmp_path, "kz-2022-presidential", None)
    units = folder / "kz-2022-presidential" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace(",KZ-ABY,", ",KZ-VOS,"), encoding="utf-8")
    assert main(["validate", "--datasets", str(folder), "--quiet"]) == 0  # no division named: no map, no join
    descriptor = json.loads((folder / "kz-2022-presidential" / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["election"]["division"] = "kz-adm1-2024"
    (folder / "kz-2022-presidential" / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["validate", "--datasets", str(folder), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert re.search(r"row \d+, field 'code', value 'KZ-VOS': region 'eko' carries code 'KZ-VOS' like the unit "
                     r"in row 2", error), error
    assert "has polygon(s) 'KZ-ABY' (Abay) that no region unit carries" in error


# --- the map block -------------------------------------------------------------------------------

def test_classes_hold_every_value_and_colour_none_as_not_published():
    values = [27.93, 70.92, 75.0, 76.1, 80.25, 64.57]
    bands = maps.classes(values)
    assert bands[0][0] == min(values) and bands[-1][1] == max(values)
    assert all(any(low <= v <= high for low, high in bands) for v in values)
    assert maps.colour(None, bands) is None
    assert maps.colour(min(values), bands) != maps.colour(max(values), bands)
    assert maps.classes([5.0]) == [(5.0, 5.0)]


def test_hover_text_escapes_names_from_data():
    measure = maps.Measure("turnout", "Turnout", {"r": 50.0}, {"r": "50.00%"})
    text = maps._hover("<img src=x onerror=alert(1)>", measure, ["r"], "r", [measure])
    assert "<img" not in text and "&lt;img" in text


def test_2011_map_shows_16_regions_and_2022_map_20(built_site):
    (m2011,), (m2022,) = map_data(built_site, "kz-2011-presidential"), map_data(built_site, "kz-2022-presidential")
    assert (m2011["division"], len(m2011["regions"])) == ("kz-adm1-2011", 16)
    assert (m2022["division"], len(m2022["regions"])) == ("kz-adm1-2024", 20)
    for data in (m2011, m2022):
        script = (built_site / "assets" / "maps" / f"{data['division']}.js").read_text(encoding="utf-8")
        outlines = json.loads(script.split("]=", 1)[1].rstrip().rstrip(";"))
        assert sorted(r["code"] for r in data["regions"]) == sorted(outlines)


def test_2022_hover_holds_each_regions_turnout_as_published(built_site, datasets_dir):
    (data,) = map_data(built_site, "kz-2022-presidential")
    units = csv(datasets_dir, "kz-2022-presidential", "units")
    code_of = dict(zip(units["unit_id"], units["code"]))
    reports = csv(datasets_dir, "kz-2022-presidential", "turnout").filter(pl.col("reported_at") == "2022-11-20T18:05:00")
    labels = [m["label"] for m in data["measures"]]
    at_1805 = labels.index("Turnout at 18:05")
    assert data["default"] == at_1805  # the measure published for every region, latest of the day
    by_code = {r["code"]: r for r in data["regions"]}
    assert len(reports.filter(pl.col("unit_id") != "kz")) == 20
    for unit_id, percent in reports.filter(pl.col("unit_id") != "kz").select("unit_id", "turnout_percent").iter_rows():
        hover = by_code[code_of[unit_id]]["hover"][at_1805]
        assert f"Turnout at 18:05: {float(percent):.2f}%" in hover, (unit_id, hover)
        assert (built_site / "en" / "elections" / "kz-2022-presidential" / by_code[code_of[unit_id]]["url"] / "index.html").is_file()


def test_2022_final_turnout_map_says_not_published_where_it_was_not(built_site, datasets_dir):
    (data,) = map_data(built_site, "kz-2022-presidential")
    turnout = next(i for i, m in enumerate(data["measures"]) if m["label"] == "Turnout")
    protocols = csv(datasets_dir, "kz-2022-presidential", "protocols").filter(pl.col("unit_id") != "kz")
    published = dict(protocols.select("unit_id", "turnout_percent").iter_rows())
    units = csv(datasets_dir, "kz-2022-presidential", "units").filter(pl.col("level") == "region")
    unit_of = dict(zip(units["code"], units["unit_id"]))
    for index, region in enumerate(data["regions"]):
        unit_id = unit_of[region["code"]]
        fill, hover = data["measures"][turnout]["fill"][index], region["hover"][turnout]
        if unit_id in published:
            assert fill is not None and f"Turnout: {float(published[unit_id]):.2f}%" in hover
        else:  # hatched, labelled, never a zero
            assert fill is None and "Turnout: not published" in hover, (unit_id, hover)
    assert len(published) == 2


def test_2011_leader_share_matches_the_votes(built_site, datasets_dir):
    (data,) = map_data(built_site, "kz-2011-presidential")
    leader = next(i for i, m in enumerate(data["measures"]) if m["label"].startswith("Leading"))
    votes = csv(datasets_dir, "kz-2011-presidential", "votes").with_columns(pl.col("votes").cast(pl.Int64))
    units = csv(datasets_dir, "kz-2011-presidential", "units").filter(pl.col("level") == "region")
    unit_of = dict(zip(units["code"], units["unit_id"]))
    for region in data["regions"]:
        rows = votes.filter(pl.col("unit_id") == unit_of[region["code"]])
        share = 100 * rows["votes"].max() / rows["votes"].sum()
        assert f"Nursultan Nazarbayev: ≈{share:.2f}%" in region["hover"][leader], region


def test_map_page_carries_summary_legend_credit_and_table(built_site):
    html = (built_site / "en" / "elections" / "kz-2022-presidential" / "index.html").read_text(encoding="utf-8")
    block = html[html.index('<figure class="ashyq-map-block">'):]
    block = block[:block.index("</details>")]
    caption = unescape(re.search(r"<figcaption>(.*?)</figcaption>", block).group(1))
    assert caption.startswith("Map by region, Turnout at 18:05: published for 20 of 20 regions")
    assert f'aria-label="{caption}"' in unescape(block) and 'role="img"' in block
    assert geo.credit() in block and '<label for="map-president">' in block
    assert block.count("<tr>") == 1 + 20  # the header and one row per region
    assert '../../../assets/ashyq-map.js' in block and '../../../assets/maps/kz-adm1-2024.js' in block


def test_only_pages_with_a_map_load_the_map_code(built_site):
    loads = re.compile(r'<script src="[^"]*assets/ashyq-map\.js">')
    with_map = [p for p in (built_site / "en").rglob("index.html") if loads.search(p.read_text(encoding="utf-8"))]
    region_maps = sorted(p.parent.name for p in with_map if p.parent.name.startswith("kz-"))
    assert region_maps == ["kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential"]
    # the others are St Petersburg's pages, each showing where its stations stand
    others = [p for p in with_map if not p.parent.name.startswith("kz-")]
    assert others and all("spb-2021" in p.parts and "ashyq-venue-map" in p.read_text(encoding="utf-8")
                          for p in others)


def _placed_venues(datasets_dir: Path, contest_id: str, below: str | None = None) -> set[str]:
    """Venues with coordinates of the stations in Russia listing a protocol for ``contest_id`` (under
    the unit ``below``), straight from the package's CSVs. A listed protocol without figures is drawn
    too, as "not published"; stations abroad are listed apart, not placed."""
    folder = datasets_dir / "spb-2021"
    units = pl.read_csv(folder / "units.csv", infer_schema_length=0)
    placed = set(pl.read_csv(folder / "venues.csv", infer_schema_length=0)
                 .filter(pl.col("latitude").is_not_null())["venue_id"])
    protocols = pl.read_csv(folder / "protocols.csv", infer_schema_length=0).filter(pl.col("contest_id") == contest_id)
    listed = set(protocols["unit_id"])
    parent = dict(zip(units["unit_id"], units["parent_id"]))

    def under(unit: str) -> bool:
        while unit is not None and unit != below:
            unit = parent.get(unit)
        return unit == below
    stations = units.filter(pl.col("unit_id").is_in(list(listed)) & (pl.col("kind") != "abroad"))
    return {v for u, v in zip(stations["unit_id"], stations["venue_id"])
            if v in placed and (below is None or under(u))}


@needs_shared
def test_st_petersburg_pages_place_the_venues_of_their_own_stations(built_site, datasets_dir):
    units = pl.read_csv(datasets_dir / "spb-2021" / "units.csv", infer_schema_length=0)
    venue_of = dict(zip(units["unit_id"], units["venue_id"]))

    def shown(page: Path) -> set[str]:
        """The venues a page's map shows, each known by the station its point links to."""
        (data,) = [d for d in map(json.loads, MAP_DATA.findall(page.read_text(encoding="utf-8")))
                   if d.get("set") == "spb-2021/duma-list"]
        script = (built_site / "en" / "elections" / "spb-2021" / f"venues-{data['set'].split('/')[1]}.js").read_text(encoding="utf-8")
        payload = json.loads(script.split("]=", 1)[1].rstrip().rstrip(";"))
        links = [payload["venues"][i]["url"] for i in data["show"]]
        assert all(link.startswith("stations/") for link in links)
        return {venue_of[link.split("#")[1]] for link in links}  # stations/<tik>/<range>/#<station>

    city = built_site / "en" / "elections" / "spb-2021" / "index.html"
    assert shown(city) == _placed_venues(datasets_dir, "duma-list")
    district = built_site / "en" / "elections" / "spb-2021" / "units" / "spb.kalininsky" / "index.html"
    assert shown(district) == _placed_venues(datasets_dir, "duma-list", below="spb.kalininsky")


def test_the_about_page_credits_the_boundaries(built_site):
    about = (built_site / "en" / "about" / "index.html").read_text(encoding="utf-8")
    assert geo.attribution() in unescape(about)


# --- polling venues (coded against CONTRACT-11: venues.csv and units.kind / units.venue_id) ---------

# Neither ballots_issued nor the lines it is derived from (early, in the station, outside).
NO_BALLOTS_ISSUED = {"ballots_issued": None, "ballots_issued_early": None, "ballots_issued_in_station": None,
                     "ballots_issued_outside": None}


@pytest.fixture()
def venue_election(tmp_path):
    """The synthetic package (4 stations) with venues as the contract's ``venues`` resource gives
    them: stations 1 and 2 share a school, station 3 has a venue without coordinates, station 4 is
    abroad; station 2 published no ballots_issued."""
    import synthetic
    from ashyq import model
    from ashyq.render.data import load_election

    synthetic.write(tmp_path, protocol_overrides={"r1.d1.2": {"voters_on_list": 3000, **NO_BALLOTS_ISSUED},
                                                  "r1.d1.1": {"voters_on_list": 1000, "ballots_issued": 600}})
    db = model.build_model(load.load_packages(tmp_path))
    data = load_election(db, "test-election")
    for station, kind, venue in [("r1.d1.1", None, "v1"), ("r1.d1.2", None, "v1"), ("r1.d2.3", None, "v2"),
                                 ("r1.d2.4", "abroad", None)]:
        data.units[station].update(kind=kind, venue_id=venue)
    venues = {
        "v1": {"venue_id": "v1", "name_ru": "Школа № 1", "name_en": "School <1>", "address": "Nevsky 1",
               "latitude": 59.93, "longitude": 30.31, "kind": "school"},
        "v2": {"venue_id": "v2", "name_en": "Library", "address": "Sadovaya 2", "latitude": None, "longitude": None},
    }
    return data, venues


def test_venue_map_places_venues_sizes_by_voters_and_lists_the_rest_apart(venue_election, tmp_path):
    data, venues = venue_election
    contest = data.contests[0]
    maps.write_venue_scripts(tmp_path, data, venues, EN)
    script = (tmp_path / "en" / "elections" / "test-election" / "venues-pres.js").read_text(encoding="utf-8")
    points = json.loads(script.split("]=", 1)[1].rstrip().rstrip(";"))
    (school,) = points["venues"]  # v2 has no coordinates, station 4 is abroad
    assert (school["x"], school["y"]) == (30.31, 59.93)
    assert school["url"] == "stations/r1.d1/0-99/#r1.d1.1"  # its column on its sheet, relative to the election's folder
    measures = [m["label"] for m in points["measures"]]
    turnout = measures.index("Turnout")
    # ballots issued only where published: station 1 alone, 600 of its 1,000 voters
    assert school["texts"][turnout] == "≈60.00%"
    assert school["head"] == "<b>School &lt;1&gt;</b><br>Nevsky 1<br>Stations: 1, 2"
    assert "<1>" not in script
    share = measures.index("Share: Candidate A")
    assert school["texts"][share] == f"≈{100 * 800 / 1180:.2f}%"  # both stations' votes over their valid ballots

    url = "en/elections/test-election/units/r1.d1/"  # a district page: its own stations only
    html = maps.venue_map(data, contest, maps.stations_below(data, "r1.d1"), url, venues, EN)
    page = json.loads(MAP_DATA.search(html).group(1))
    assert page["show"] == [0] and page["base"] == "../../" and page["set"] == "test-election/pres"
    # the points are fetched by the map code when the map nears the screen, not by a script tag
    assert page["points"] == "../../venues-pres.js" and "venues-pres.js\"></script>" not in html
    assert page["summaries"][turnout].startswith("1 polling venues of 2 stations, coloured by Turnout")
    table = html[html.index('<details class="ashyq-map-table">'):]
    assert "4,000" in table  # voters of the venue: 1,000 + 3,000
    assert 'href="../../stations/r1.d1/0-99/#r1.d1.2"' in table

    html = maps.venue_map(data, contest, maps.stations_below(data, "kz"), "en/elections/test-election/", venues, EN)
    abroad = html[html.index("Stations abroad"):]
    assert 'href="stations/r1.d2/0-99/#r1.d2.4"' in abroad
    unplaced = html[html.index("Stations without coordinates"):]
    assert 'href="stations/r1.d2/0-99/#r1.d2.3"' in unplaced
    assert maps.venue_map(data, contest, maps.stations_below(data, "r1.d2"), url, venues, EN) == ""  # none placed


def test_venue_map_draws_nothing_without_placed_venues(venue_election):
    data, venues = venue_election
    assert maps.venue_map(data, data.contests[0], maps.stations_below(data, "kz"), "en/x/", {}, EN) == ""


def test_a_package_without_a_division_has_no_region_map(venue_election):
    data, _ = venue_election
    assert maps.region_map(data, data.contests[0], ["r1"], "en/elections/test-election/", EN) == ""
