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
def bundled_elections(datasets_dir):
    from ashyq import checks, load, model
    from ashyq.render.data import load_election

    packages = [load.load_package(datasets_dir / name) for name in ("spb-2021", "kz-2019-presidential")]
    db = model.build_model(packages)
    checks.run_checks(db)
    return {p.id: load_election(db, p.id) for p in packages}


@pytest.mark.parametrize("election_id, venues", [("kz-2019-presidential", False), ("spb-2021", True)])
def test_a_changed_figure_changes_its_region_s_key_and_with_venue_maps_every_key(bundled_elections, election_id,
                                                                                  venues):
    import copy

    from ashyq.render import reuse
    from ashyq.render.data import region_views

    data = bundled_elections[election_id]
    before = {r: region.key for r, region in reuse.regions(region_views(data), {"en": "x"}).items()}
    changed = copy.deepcopy(data)
    # one figure below the root: a station's protocol, or (Kazakhstan 2019 publishes no more) a region's turnout
    table = next(t for t in (changed.protocols, changed.turnout)
                 if any(changed.units[k[1]]["parent_id"] is not None for k in t))
    key = next(k for k in table if changed.units[k[1]]["parent_id"] is not None)
    row = table[key][0]
    figure = next(name for name, value in row.items() if isinstance(value, (int, float)) and not isinstance(value, bool))
    row[figure] += 1
    after = {r: region.key for r, region in reuse.regions(region_views(changed), {"en": "x"}).items()}
    differing = {r for r in before if before[r] != after[r]}
    region = next(r for r, view in region_views(changed).items() if key[1] in view.units)
    assert any(view.venues for view in region_views(data).values()) == venues
    assert differing == (set(before) if venues else {region})
    assert len(before) > 1
    # The contexts (each language's MkDocs config) are in every key.
    assert all(reuse.regions(region_views(data), {"en": "y"})[r].key != before[r] for r in before)
