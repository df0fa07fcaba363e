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
from pathlib import Path

import pytest
import yaml

from ashyq import cli
from ashyq.publish import release, swap
from paths import REALDATA, ROOT

SHPILKIN_2018 = REALDATA / "ru-uik-shpilkin" / "2018.csv"
MAPPING = ROOT / "docs" / "examples" / "ru-2018-presidential.mapping.yml"
PER_REGION = 30
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


def import_and_build(table: Path, datasets: Path, site: Path, capsys) -> dict[str, tuple[int, int]]:
    """Import ``table`` into ``datasets`` (replacing the package) and build ``site``; per language,
    (pages reused, pages built) as the build reports them."""
    package = datasets / "ru-2018"
    assert cli.main(["--quiet", "import", str(table), "--mapping", str(MAPPING), "--out", str(package),
                     "--force"]) == 0
    capsys.readouterr()
    assert cli.main(["--datasets", str(datasets), "--site", str(site)]) == 0
    return {lang: (int(kept), int(built)) for lang, kept, built in SUMMARY.findall(capsys.readouterr().err)}


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rebuild_after_one_region_changes_and_one_arrives_is_byte_identical_to_a_full_build(tmp_path, capsys):
    header, rows = first_stations(3, PER_REGION + 1)
    regions = list(dict.fromkeys(row[0] for row in rows))
    last_of_second = [row for row in rows if row[0] == regions[1]][-1]
    night, cold = tmp_path / "night", tmp_path / "cold"
    for folder in (night, cold):
        folder.mkdir()

    # 21:00, the first two regions, one station of the second missing; then 23:00, the second region
    # corrected (a figure changed, the missing station's protocol added) and the third region added.
    early = [row for row in rows if row[0] != regions[2] and row is not last_of_second]
    first = import_and_build(write_table(night / "21h.csv", header, early), night / "datasets", night / "site",
                             capsys)
    corrected = [list(row) for row in rows]
    station = next(row for row in corrected if row[0] == regions[1])
    station[3] = str(int(station[3]) + 7)  # the voters on the list of one station of the second region
    later = write_table(night / "23h.csv", header, corrected)
    second = import_and_build(later, night / "datasets", night / "site", capsys)
    full = import_and_build(later, cold / "datasets", cold / "site", capsys)

    assert set(first) == set(second) == set(full) == {"kk", "ru", "en"}
    for lang in ("kk", "ru", "en"):
        assert first[lang][0] == 0 and full[lang][0] == 0  # nothing to reuse: every page built
        kept, built = second[lang]
        assert kept > 0 and built > 0, f"{lang}: the rebuild reused {kept} and built {built} pages"
        assert kept + built == full[lang][1]  # every page either reused or built
    # The rebuild is the full build, byte for byte: the site and the Release.
    rebuilt, expected = tree_bytes(night / "site"), tree_bytes(cold / "site")
    assert sorted(rebuilt) == sorted(expected)
    assert [path for path in expected if rebuilt[path] != expected[path]] == []
    assert tree_bytes(release.release_dir(night / "site")) == tree_bytes(release.release_dir(cold / "site"))
    # The cache beside the site holds this build's pages only: one file per page and language.
    cache = swap.pages_path(night / "site")
    for lang in ("kk", "ru", "en"):
        assert len(list((cache / lang).iterdir())) == full[lang][1]


def test_a_folder_in_the_cache_s_place_that_is_not_ours_is_left_alone(tmp_path, capsys):
    header, rows = first_stations(1)
    table = write_table(tmp_path / "table.csv", header, rows[:5])
    theirs = swap.pages_path(tmp_path / "site")
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    counts = import_and_build(table, tmp_path / "datasets", tmp_path / "site", capsys)
    assert counts == {}  # no cache used: the build does not say it reused or built anything
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_page_s_key_follows_its_markdown_path_and_config_but_not_the_build_folders(tmp_path):
    from ashyq.render import page_cache

    def key(config: dict, source: str = "elections/e/units/r1/index.md", markdown: bytes = b"# R1\n") -> str:
        path = tmp_path / "mkdocs.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return page_cache._key(page_cache._context(path), source, markdown)

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
