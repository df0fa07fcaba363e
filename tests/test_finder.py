"""The finder's index (ashyq/render/finder.py): how a query's words are normalised (here and in
finder.js, which must agree), how the index is cut into bounded chunks, and that the built site's
index finds every polling station of the bundled packages by its number."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from ashyq.render import finder, urls
from ashyq.render.escape import h
from ashyq.render.finder import stem, tokens
from ashyq.render.locale import Locale

ROOT = Path(__file__).resolve().parent.parent
FINDER_JS = ROOT / "ashyq" / "assets" / "finder.js"

STATION_FORMS = ["410", "№410", "№ 410", "УИК 410", "УИК №410", "уик№410", "PEC 410", "pec №410", "учаске 410",
                 "Учаске №410", "участок 410", "Участок № 410", "ИУ 410", "Избирательный участок №410",
                 "№410 сайлау учаскесі", "Polling station 410"]
OTHER_TEXTS = ["Санкт-Петербург, набережная реки Пряжки, дом 4-6", "Ёлкина ул., д.12а", "Қарағанды облысы",
               "Өскемен қ., Абай даңғылы 7/1", "TIK 20", "Адмиралтейском районе", "O'Brien & Sons"]


@pytest.mark.parametrize("query", STATION_FORMS)
def test_every_way_of_writing_a_station_number_is_the_number(query):
    assert tokens(query) == ["410"]


def test_words_are_lowercased_with_yo_as_ye_kazakh_letters_kept_and_digits_split():
    assert tokens("Ёлкина ул., д.12а") == ["елкина", "ул", "д", "12", "а"]
    assert tokens("Қарағанды облысы") == ["қарағанды", "облысы"]
    assert tokens("Өскемен қ., Абай даңғылы 7/1") == ["өскемен", "қ", "абай", "даңғылы", "7", "1"]
    assert tokens("") == [] and tokens(None) == []


def test_russian_query_words_lose_their_endings_and_match_other_forms_as_prefixes():
    for query, word in [("Адмиралтейском", "Адмиралтейский"), ("Садовой", "Садовая"), ("Таласского", "Таласский"),
                        ("проспекте", "проспект")]:
        assert tokens(word)[0].startswith(stem(tokens(query)[0])), (query, word)
    assert stem("410") == "410" and stem("talas") == "talas" and stem("сад") == "сад"
    assert len(stem("адмиралтейском")) >= finder.STEM_MIN


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_finder_js_normalises_and_stems_exactly_as_python():
    texts = STATION_FORMS + OTHER_TEXTS + ["Адмиралтейском", "Таласского", "проспекте", "Садовой"]
    script = ("global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};"
              f"require({json.dumps(str(FINDER_JS))});"
              "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(texts.map(x => [window.ashyqFind.tokens(x),"
              " window.ashyqFind.tokens(x).map(window.ashyqFind.stem)])));")
    result = subprocess.run(["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == [[tokens(x), [stem(w) for w in tokens(x)]] for x in texts]


def _chunks_of(words: dict[str, int], limit: int, monkeypatch) -> list[tuple[str, list[str]]]:
    monkeypatch.setattr(finder, "CHUNK_BYTES", limit)
    return finder._split("", sorted(words), words)


def test_chunks_split_by_one_more_letter_until_they_fit(monkeypatch):
    # 300 station numbers 1..300 of 100 bytes each, and a few street words.
    words = {str(n): 100 for n in range(1, 301)} | {w: 100 for w in ("садовая", "садовый", "сенная", "абай")}
    chunks = _chunks_of(words, 1_000, monkeypatch)
    covered = [w for _, ws in chunks for w in ws]
    assert sorted(covered) == sorted(words)  # every word in exactly one chunk
    for key, ws in chunks:
        assert sum(words[w] for w in ws) <= 1_000 or ws == [key.lstrip("=")], key
        if key.startswith("="):
            assert ws == [key[1:]]  # an exact chunk holds its one word
        else:
            assert all(w.startswith(key) for w in ws)
    keys = {k for k, _ in chunks}
    assert "=1" in keys and "=10" in keys and "100" in keys  # "1" split, then "10", then "100" fits
    assert "с" in keys and "а" in keys  # small groups stay whole


def test_a_word_too_big_for_a_chunk_is_a_chunk_of_its_own(monkeypatch):
    words = {"москва": 5_000, "мост": 10, "мо": 10}
    chunks = dict(_chunks_of(words, 1_000, monkeypatch))
    assert chunks["москва"] == ["москва"] and chunks["=мо"] == ["мо"] and chunks["мост"] == ["мост"]


# --- the index of the site built from the bundled datasets ---

ELECTIONS = ["kz-2011-presidential", "kz-2019-presidential", "kz-2022-presidential", "kz-2023-majilis", "spb-2021"]


@pytest.fixture(scope="module")
def present(datasets_dir) -> list[str]:
    found = [e for e in ELECTIONS if (datasets_dir / e / "datapackage.json").exists()]
    if not found:
        pytest.skip("no bundled datasets")
    return found


def _load(path: Path, call: str):
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(rf"ashyqFind\.{call}\((?:\d+,)?(.*)\);\n", text, re.S)
    assert match, path
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def index(built_site):
    folder = built_site / finder.INDEX_DIR
    manifest = _load(folder / finder.MANIFEST_FILE, "manifest")
    files = {int(p.stem): _load(p, "add") for p in folder.glob("*.js") if p.stem.isdigit()}
    return manifest, files


def _key(manifest: dict, word: str) -> str | None:
    """The chunk key finder.js reads for ``word`` (keyOf): the longest key it starts with, else its exact key."""
    for end in range(len(word), 0, -1):
        if word[:end] in manifest["keys"]:
            return word[:end]
    return "=" + word if "=" + word in manifest["keys"] else None


def test_index_files_are_bounded_and_every_key_points_into_a_file(built_site, index):
    manifest, files = index
    assert sorted(files) == list(range(manifest["files"]))
    for number in files:
        path = built_site / finder.INDEX_DIR / f"{number}.js"
        keys = [k for k, (file, _) in manifest["keys"].items() if file == number]
        assert path.stat().st_size <= finder.CHUNK_BYTES * 1.1 or len(keys) == 1, path.name
    for number, content in files.items():
        for word in content["t"]:
            assert manifest["keys"][_key(manifest, word)][0] == number, word  # each word where finder.js looks


def test_index_finds_every_station_of_every_package_by_its_number(datasets_dir, index, present):
    manifest, files = index
    elections = [e["id"] for e in manifest["elections"]]
    for election in present:
        units = pl.read_csv(datasets_dir / election / "units.csv", infer_schema_length=0)
        stations = units.filter(pl.col("level") == "station")
        for station in stations.iter_rows(named=True):
            code = tokens(station["code"] or "")
            if not code:
                continue
            content = files[manifest["keys"][_key(manifest, code[0])][0]]
            found = [content["r"][str(i)] for i in content["t"][code[0]]]
            assert any(r[0] == "s" and r[2] == station["unit_id"] and elections[r[1]] == election for r in found), \
                (election, station["unit_id"])


def test_index_lists_elections_newest_first_with_links_under_a_language_root(index, present):
    manifest, _ = index
    dates = [e["date"] for e in manifest["elections"]]
    assert dates == sorted(dates, reverse=True) and {e["id"] for e in manifest["elections"]} >= set(present)
    for election in manifest["elections"]:
        assert election["paths"]["s"] == urls.station_pattern("en", election["id"]).removeprefix(urls.language_root("en"))


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_finder_box_is_labelled_and_speaks_the_page_language(lang):
    box = finder.finder_box(lang, urls.election(lang, "kz-2011-presidential"), "kz-2011-presidential")
    assert f'data-lang="{lang}"' in box and 'aria-live="polite"' in box and '<label for="ashyq-find-input">' in box
    assert h(Locale(lang).t("find_station")) in box and h(Locale(lang).t("find_no_match")) in box
    assert 'data-index="../../../find/"' in box and 'data-root="../../"' in box and 'src="../../../assets/finder.js"' in box
    for key in finder.TEXT_KEYS:  # the texts exist in every language, none falls back to English
        assert Locale(lang).t(key) and (lang == "en" or Locale(lang).t(key) != Locale("en").t(key)), (key, lang)


def test_with_language_folders_links_stay_in_the_language_and_the_index_is_shared():
    """Pages live under kk/, ru/, en/: the box links under the page's language, the index is one."""
    assert urls.language_root("kk") == "kk/" and urls.election("kk", "x").startswith(urls.language_root("kk"))
    box = finder.finder_box("kk", "kk/elections/kz-2011-presidential/units/zhambyl/")
    assert 'data-index="../../../../../find/"' in box and 'data-root="../../../../"' in box
    assert finder.search_config("ru")["index"] == "../find/"
