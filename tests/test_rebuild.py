"""Election night (issue 13): protocols arrive region by region, and each batch is a rebuild of the
same site. MkDocs builds only the pages whose Markdown changed (render/page_cache.py); every other
page comes from the previous build. The result must be byte for byte the site a full build from
nothing writes.

The data are real: the first stations of the first regions of the 2018 Russian table
(../shared/realdata/ru-uik-shpilkin/2018.csv), imported with the documented mapping.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ashyq import cli, folders
from ashyq.publish import release, swap
from paths import REALDATA, ROOT

SHPILKIN_2018 = REALDATA / "ru-uik-shpilkin" / "2018.csv"
MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
PER_REGION = 30
REGIONS = re.compile(r"ru-2018: (\d+) of (\d+) regions unchanged, reused")
KEPT = re.compile(r"(\d+) files of unchanged regions kept from the previous build")
ZIP_KEPT = re.compile(r"([\d,]+) entries kept from the previous copy")
SUMMARY = re.compile(r"mkdocs build \((\w+)\): [\d.]+ s \((\d+) unchanged page\(s\) reused, (\d+) built\)")

pytestmark = pytest.mark.skipif(not SHPILKIN_2018.is_file(), reason=f"{SHPILKIN_2018} is not there")


def first_stations(regions: int, per_region: int = PER_REGION) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``per_region`` stations of each of the table's first ``regions``."""
    taken: dict[str, list[list[str]]] = {}
    with SHPILKIN_2018.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        for row in reader:
            if row[0] not in taken and len(taken) == regions:
                break
            rows = taken.setdefault(row[0], [])
            if len(rows) < per_region:
                rows.append(row)
    return header, [row for rows in taken.values() for row in rows]


def write_table(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class Built:
    """What a build reports: regions reused of all, files kept, per language the pages MkDocs
    reused and built, and the offline zip's entries kept."""

    regions: tuple[int, int]
    files_kept: int
    pages: dict[str, tuple[int, int]]
    zip_entries_kept: int  # copied from the previous offline zip


def import_and_build(table: Path, datasets: Path, site: Path, capsys) -> Built:
    """Import ``table`` into ``datasets`` (replacing the package) and build ``site``."""
    package = datasets / "ru-2018"
    assert cli.main(["--quiet", "import", str(table), "--mapping", str(MAPPING), "--out", str(package),
                     "--force"]) == 0
    capsys.readouterr()
    assert cli.main(["--datasets", str(datasets), "--site", str(site)]) == 0
    said = capsys.readouterr().err
    regions = REGIONS.search(said)
    zip_kept = ZIP_KEPT.search(said)
    return Built((int(regions.group(1)), int(regions.group(2))), int(KEPT.search(said).group(1)),
                 {lang: (int(kept), int(built)) for lang, kept, built in SUMMARY.findall(said)},
                 int(zip_kept.group(1).replace(",", "")) if zip_kept else 0)


def files_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def folders_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rebuild_after_one_region_changes_and_one_arrives_is_byte_identical_to_a_full_build(tmp_path, capsys):
    header, rows = first_stations(4, PER_REGION + 1)
    regions = list(dict.fromkeys(row[0] for row in rows))
    last_of_second = [row for row in rows if row[0] == regions[1]][-1]
    night, cold = tmp_path / "night", tmp_path / "cold"
    for folder in (night, cold):
        folder.mkdir()

    # 21:00, three regions, one station of the second missing. 23:00: the missing station's protocol
    # arrives, one figure of the third region is corrected, and the fourth region arrives.
    early = [row for row in rows if row[0] != regions[3] and row is not last_of_second]
    first = import_and_build(write_table(night / "21h.csv", header, early), night / "datasets", night / "site",
                             capsys)
    stations = Path("en", "elections", "ru-2018", "stations")  # a folder no page writer makes before the sheets
    first_folder = (night / "site" / stations).stat().st_ino
    corrected = [list(row) for row in rows]
    station = next(row for row in corrected if row[0] == regions[2])
    station[3] = str(int(station[3]) + 7)  # the voters on the list of one station of the third region
    later = write_table(night / "23h.csv", header, corrected)
    second = import_and_build(later, night / "datasets", night / "site", capsys)
    full = import_and_build(later, cold / "datasets", cold / "site", capsys)

    # The first region is kept whole (its pages and sheets in three languages); the others are built,
    # and MkDocs builds only their pages whose Markdown is new.
    assert (first.regions, second.regions, full.regions) == ((0, 3), (1, 4), (0, 4))
    assert first.files_kept == full.files_kept == 0 and second.files_kept > 0
    # Each kept file's entry in the offline zip is copied from the previous zip, not deflated again.
    assert first.zip_entries_kept == full.zip_entries_kept == 0 and second.zip_entries_kept == second.files_kept
    assert set(first.pages) == set(second.pages) == set(full.pages) == {"kk", "ru", "en"}
    for lang in ("kk", "ru", "en"):
        assert first.pages[lang][0] == 0 and full.pages[lang][0] == 0  # nothing to reuse: every page built
        kept, built = second.pages[lang]
        assert kept > 0 and built > 0 and kept + built < full.pages[lang][1]  # the first region's: not at all
    # The rebuild is the full build, byte for byte: the site and the Release.
    rebuilt, expected = tree_bytes(night / "site"), tree_bytes(cold / "site")
    assert sorted(rebuilt) == sorted(expected)
    assert [path for path in expected if rebuilt[path] != expected[path]] == []
    assert tree_bytes(release.release_dir(night / "site")) == tree_bytes(release.release_dir(cold / "site"))
    # The cache beside the site holds this build's pages only: one file per page and language.
    cache = swap.pages_path(night / "site")
    for lang in ("kk", "ru", "en"):
        assert len(list((cache / lang).iterdir())) == sum(second.pages[lang])
    # Beside them, the folders of the site the rebuild replaced (the first), emptied of their files.
    assert (cache / folders.SPARE / stations).is_dir() and files_below(cache / folders.SPARE) == []

    # 23:30: a batch without the first region. The three others are kept, in folders moved from the
    # first site's instead of made; the first region's folders, moved in with them, are removed.
    withdrawn = [row for row in corrected if row[0] != regions[0]]
    third = import_and_build(write_table(night / "2330h.csv", header, withdrawn), night / "datasets",
                             night / "site", capsys)
    cold = tmp_path / "cold-2330"
    again = import_and_build(night / "2330h.csv", cold / "datasets", cold / "site", capsys)
    assert (third.regions, again.regions) == ((3, 3), (0, 3)) and third.files_kept > 0
    assert (night / "site" / stations).stat().st_ino == first_folder  # moved, not made
    assert tree_bytes(night / "site") == tree_bytes(cold / "site")
    assert folders_below(night / "site") == folders_below(cold / "site")  # no folder left empty
    assert files_below(cache / folders.SPARE) == []

    # A kept file changed by hand in the site is not published again: the next build stops, and says
    # how to go on (the site is left as it was).
    sheet = next((night / "site" / "en" / "elections" / "ru-2018" / "stations").glob("*/*/index.html"))
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("</table>", "<!-- 1 --></table>", 1), encoding="utf-8")
    edited = tree_bytes(night / "site")
    assert cli.main(["--quiet", "--datasets", str(night / "datasets"), "--site", str(night / "site")]) == 1
    said = capsys.readouterr().err
    assert "not what the build wrote" in said and str(cache) in said and "Traceback" not in said
    assert tree_bytes(night / "site") == edited


def test_a_folder_in_the_cache_s_place_that_is_not_ours_is_left_alone(tmp_path, capsys):
    header, rows = first_stations(1)
    table = write_table(tmp_path / "table.csv", header, rows[:5])
    theirs = swap.pages_path(tmp_path / "site")
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    package = tmp_path / "datasets" / "ru-2018"
    assert cli.main(["--quiet", "import", str(table), "--mapping", str(MAPPING), "--out", str(package)]) == 0
    capsys.readouterr()
    assert cli.main(["--datasets", str(tmp_path / "datasets"), "--site", str(tmp_path / "site")]) == 0
    said = capsys.readouterr().err
    assert not SUMMARY.search(said) and not REGIONS.search(said)  # no cache used, nothing said of it
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_page_s_key_follows_its_markdown_path_and_config_but_not_the_build_folders(tmp_path):
    from ashyq.render import page_cache

    def key(config: dict, source: str = "elections/e/units/r1/index.md", markdown: bytes = b"# R1\n") -> str:
        path = tmp_path / "mkdocs.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return page_cache._key(page_cache.context(path), source, markdown)

    config = {"site_name": "Ashyq", "nav": [{"Home": "index.md"}], "docs_dir": "/a/docs", "site_dir": "/a/site"}
    same = key(config)
    assert key({**config, "docs_dir": "/b/docs", "site_dir": "/b/site"}) == same  # another staging folder
    assert key({**config, "nav": [{"Home": "index.md"}, {"New election": "elections/new/index.md"}]}) != same
    assert key({**config, "site_name": "Ашық"}) != same
    assert key(config, source="elections/e/units/r2/index.md") != same  # its relative links to the theme
    assert key(config, markdown=b"# R1 \n") != same


def test_only_pages_below_an_election_are_cached():
    from ashyq.render import page_cache, urls

    assert page_cache.cacheable("elections/ru-2018/units/r1/index.md")
    assert page_cache.cacheable("elections/ru-2018/integrity/index.md")
    assert not page_cache.cacheable("elections/ru-2018/index.md")  # in the nav
    assert not page_cache.cacheable("about.md") and not page_cache.cacheable("index.md")
    assert urls.built_file("elections/ru-2018/units/r1/index.md") == "elections/ru-2018/units/r1/index.html"
    assert urls.built_file("about.md") == "about/index.html" and urls.built_file("index.md") == "index.html"


@pytest.fixture(scope="module")
def bundled_model(datasets_dir):
    from ashyq import checks, load, model

    packages = [load.load_package(datasets_dir / name) for name in ("spb-2021", "kz-2019-presidential")]
    db = model.build_model(packages)
    checks.run_checks(db)
    return db


def region_keys(db, election_id, contexts):
    from ashyq.render import reuse
    from ashyq.render.data import load_election, region_views

    data = load_election(db, election_id, figures=False)  # as render reads it: figures not loaded
    views = region_views(data)
    return views, {r: region.key for r, region in reuse.regions(views, contexts).items()}


@pytest.mark.parametrize("election_id, venues", [("kz-2019-presidential", False), ("spb-2021", True)])
def test_a_changed_figure_changes_its_region_s_key_and_with_venue_maps_every_key(bundled_model, election_id,
                                                                                  venues):
    db = bundled_model
    views, before = region_keys(db, election_id, {"en": "x"})
    # one figure below the root, changed in the model: a station's protocol, or (Kazakhstan 2019
    # publishes no more) a region's turnout
    for table, column in (("protocols", "voters_on_list"), ("turnout", "turnout_percent")):
        found = db.rows(f"SELECT t.contest_id, t.unit_id, t.source_id, t.rowid AS row, t.{column} AS value "
                        f"FROM {table} t JOIN units u USING (election_id, unit_id) "
                        f"WHERE t.election_id = $e AND u.parent_id IS NOT NULL AND t.{column} IS NOT NULL "
                        f"ORDER BY t.unit_id, t.rowid LIMIT 1", {"e": election_id})
        if found:
            break
    figure = found[0]
    db.con.execute(f"UPDATE {table} SET {column} = $v WHERE rowid = $r", {"v": figure["value"] + 1, "r": figure["row"]})
    try:
        _, after = region_keys(db, election_id, {"en": "x"})
    finally:  # the module's model as it was, to the bit
        db.con.execute(f"UPDATE {table} SET {column} = $v WHERE rowid = $r", {"v": figure["value"], "r": figure["row"]})
    differing = {r for r in before if before[r] != after[r]}
    region = next(r for r, view in views.items() if figure["unit_id"] in view.units)
    assert any(view.venues for view in views.values()) == venues
    assert differing == (set(before) if venues else {region})
    assert len(before) > 1
    assert region_keys(db, election_id, {"en": "x"})[1] == before  # the figure back: the same keys
    # The contexts (each language's MkDocs config) are in every key.
    again = region_keys(db, election_id, {"en": "y"})[1]
    assert all(again[r] != before[r] for r in before)


def test_a_region_s_figures_are_read_from_the_model_only_when_its_pages_are_built(bundled_model):
    """Election night: the figures of the regions kept stay in DuckDB; the election's own pages read
    the units above the regions and the regions' own units; a page that reads further loads the
    whole election, in the order a full load gives."""
    from ashyq.render import regional
    from ashyq.render.data import load_election, region_views

    db = bundled_model
    eager = load_election(db, "spb-2021")
    data = load_election(db, "spb-2021", figures=False)
    views = region_views(data)
    built = sorted(views)[1]
    data.figures.load([built])
    data.figures.settle(data, views)
    assert set(data.figures.parts) == {regional.ABOVE, built}
    assert all(type(getattr(views[r], f)) is regional.RegionTable for r in views if r != built
               for f in regional.FIGURES)
    for field in regional.FIGURES:
        # the region built: the same figures as a full load, in the same order
        mine = {k: v for k, v in getattr(eager, field).items() if data.figures.region_of.get(regional.unit_of(k)) == built}
        assert list(getattr(views[built], field).items()) == list(mine.items())
        # the election page's own: the root and the regions
        for root in data.roots:
            for unit_id in [root, *data.children[root]]:
                keys = [k for k in getattr(eager, field) if regional.unit_of(k) == unit_id]
                assert [getattr(data, field)[k] for k in keys] == [getattr(eager, field)[k] for k in keys]
    assert data.figures.whole is None
    station = next(u for u in data.stations() if u not in views[built].units)
    key = next(k for k in eager.protocols if k[1] == station)
    assert data.protocols[key] == eager.protocols[key]  # beyond what is loaded: the whole election
    assert data.figures.whole is not None
    assert list(data.votes.items()) == list(eager.votes.items())
