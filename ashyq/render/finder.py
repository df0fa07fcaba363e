"""Find your polling station, and the site search (the magnifier): one index, written once for every
language at ``find/`` beside the language folders, read by ``assets/finder.js``.

What is found: every unit of every election (polling stations, commissions, the election itself),
every single-member constituency, and the hand-written pages by their title and headings. A record is
found by the words of its names (kk, ru, en), its number, its commission, and for a station the
address and name of the building it sits in (the ``venues`` resource, or ``units.address``).

Words are normalised the same way here and in finder.js (``tokens``): lowercase, ё → е, Kazakh letters
kept, digits split from letters, and the words people put before a station number ("УИК", "№",
"PEC", "учаске", "участок", "ИУ") dropped, so "УИК №410" is the word "410".

The index is cut into chunks by the words' first letters: a chunk holds every word starting with its
key and, for each, the records it finds. A key whose words would exceed ``CHUNK_BYTES`` is split by
one more letter (the word equal to the key itself gets an "exact" chunk, ``=key``). Chunks are packed
into files of at most ``CHUNK_BYTES`` (``find/<n>.js``). A query loads the small manifest
(``find/index.js``: which key is in which file) once, then one file per word typed, so any query
fetches a bounded amount however large the site. Words found in more than ``COMMON_POSTINGS``
records (e.g. "санкт" in every St Petersburg address) are listed as common: they narrow a query,
never start one.

Files are scripts that hand their data to ``ashyqFind.add``, loaded by a ``<script>`` element: that
works over http and from the offline copy opened via file://, where fetch() is blocked.
"""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .data import ElectionData
from .escape import h, script_json
from .locale import Locale

INDEX_DIR = "find/"  # at the site root, shared by every language
MANIFEST_FILE = "index.js"
CHUNK_BYTES = 96_000  # largest chunk file (uncompressed JSON); about 20 kB gzip
COMMON_POSTINGS = 400  # a word in more records than this narrows queries but does not start one
LANGS = ("kk", "ru", "en")
FIND_ANCHOR = "ashyq-find-input"  # the finder box's field: station pages link to their election's

# Words written before a station number in the three languages (and their short forms).
NUMBER_WORDS = frozenset({
    "уик", "тик", "ик", "иу", "аик", "оик", "pec", "tec", "uik", "no", "nr", "n",
    "участок", "участка", "участке", "учаске", "учаскесі", "учаскесы", "уч",
    "избирательный", "избирательного", "сайлау", "polling", "station",
})
_WORD = re.compile(r"\d+|[^\W\d_]+")
# Russian endings stripped from a query word before it is matched as a prefix (a light stemmer:
# "адмиралтейском" finds "адмиралтейский"); longest first. Words stay at least STEM_MIN letters.
RU_ENDINGS = tuple(sorted((
    "иями", "ями", "ами", "ией", "ием", "иях", "ого", "его", "ому", "ему", "ыми", "ими", "ая", "яя", "ое",
    "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ом", "ем", "ах", "ях", "ам", "ям", "ов", "ев", "ую", "юю",
    "а", "я", "о", "е", "ы", "и", "у", "ю", "ь",
), key=len, reverse=True))
STEM_MIN = 4
_CYRILLIC = re.compile(r"^[а-яёәғқңөұүһі]+$")


def tokens(text: str) -> list[str]:
    """The words of ``text`` as the index holds them (see the module's docstring)."""
    text = (text or "").lower().replace("ё", "е").replace("№", " ")
    return [w for w in _WORD.findall(text) if w not in NUMBER_WORDS]


def stem(word: str) -> str:
    """A Russian (Cyrillic) query word without its ending, for prefix matching; others unchanged."""
    if len(word) < STEM_MIN + 2 or not _CYRILLIC.match(word):
        return word
    for ending in RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= STEM_MIN:
            return word[:-len(ending)]
    return word


@dataclass(frozen=True)
class Index:
    manifest: dict
    files: list[dict]  # file n → {"t": {word: [record ids]}, "r": {id: record}}


def finder_box(lang: str, page_url: str, election_id: str | None = None) -> str:
    """The "find your polling station" box (safe HTML). ``election_id``: matches of that election first."""
    index = urls.relative(page_url, INDEX_DIR)
    root = posixpath.relpath("/" + urls.language_root(lang), "/" + page_url)  # "../.." or "."
    root = "" if root == "." else root + "/"
    asset = urls.relative(page_url, urls.asset("finder.js"))
    first = f' data-election="{h(election_id)}"' if election_id else ""
    return (f'<form class="ashyq-find ashyq-finder" role="search" onsubmit="return false" data-index="{h(index)}" '
            f'data-root="{h(root)}" data-lang="{h(lang)}"{first}{_text_attributes(lang)}>'
            f'<label for="{FIND_ANCHOR}">{h(t("find_station", lang))}</label> '
            f'<input id="{FIND_ANCHOR}" type="search" autocomplete="off" spellcheck="false" '
            f'aria-describedby="ashyq-find-hint ashyq-find-status" placeholder="{h(t("find_station_example", lang))}">'
            f'<small id="ashyq-find-hint">{h(t("find_station_hint", lang))}</small>'
            f'<p id="ashyq-find-status" class="ashyq-find-status" role="status" aria-live="polite"></p>'
            f'<div class="ashyq-find-results"></div></form>'
            f'<script src="{h(asset)}" defer></script>')


def search_config(lang: str) -> dict:
    """What the magnifier (overrides/partials/search.html) needs: its texts in ``lang`` and where the
    index is from the root of that language's pages (``find/``, or ``../find/`` under ``kk/``)."""
    index = posixpath.relpath("/" + INDEX_DIR, "/" + urls.language_root(lang)) + "/"
    return {"lang": lang, "index": index, **{key: t(key, lang) for key in TEXT_KEYS}}


TEXT_KEYS = ("find_no_match", "find_matches", "find_more", "find_common", "find_keep_typing", "find_station_short",
             "search_label", "search_hint", "search_pages")


def t(key: str, lang: str) -> str:
    return Locale(lang).t(key)


def _text_attributes(lang: str) -> str:
    return "".join(f' data-{key.replace("_", "-")}="{h(t(key, lang))}"' for key in TEXT_KEYS)


def write_index(site_dir: Path, elections: list[ElectionData], pages: list[dict] | None = None) -> int:
    """Write ``find/`` into the built site; returns the number of files written."""
    index = build_index(elections, pages or [])
    folder = Path(site_dir) / INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_text(f"ashyqFind.manifest({script_json(index.manifest)});\n", encoding="utf-8")
    for number, content in enumerate(index.files):
        (folder / f"{number}.js").write_text(f"ashyqFind.add({number},{script_json(content)});\n", encoding="utf-8")
    return len(index.files) + 1


def build_index(elections: list[ElectionData], pages: list[dict]) -> Index:
    """Records of every election (newest first, as given) and page, cut into bounded chunks."""
    records: list[list] = []
    words: dict[str, set[int]] = {}
    meta = []
    for number, data in enumerate(elections):
        meta.append(_election_meta(data))
        for record, text in _election_records(data, number):
            _add(records, words, record, text)
    for page in pages:
        section = page.get("section", "")
        _add(records, words, ["p", -1, page["path"], page["title"], "", "", [section] if section else [], ""],
             " ".join([page["title"], section, re.sub(r"\d+", " ", page.get("text", ""))]))
    common = sorted(w for w, ids in words.items() if len(ids) > COMMON_POSTINGS)
    for word in common:
        del words[word]
    record_bytes = [_record_bytes(r) for r in records]
    sizes = {w: len(w.encode("utf-8")) + 4 + sum(len(str(i)) + 1 + record_bytes[i] for i in ids)
             for w, ids in words.items()}  # bytes a word adds to a chunk: itself, its ids, its records
    chunks = _split("", sorted(words), sizes)
    files, keys = _pack(chunks, words, records, sizes)
    manifest = {"version": 1, "elections": meta, "keys": keys, "common": common, "files": len(files)}
    return Index(manifest=manifest, files=files)


def _add(records: list[list], words: dict[str, set[int]], record: list, text: str) -> None:
    number = len(records)
    records.append(record)
    for word in set(tokens(text)):
        words.setdefault(word, set()).add(number)


def _record_bytes(record: list) -> int:
    return len(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + 8


def _split(prefix: str, words: list[str], sizes: dict[str, int]) -> list[tuple[str, list[str]]]:
    """(key, words) chunks: ``prefix`` whole when small enough, else its exact word and one more letter."""
    if prefix and (sum(sizes[w] for w in words) <= CHUNK_BYTES or all(w == prefix for w in words)):
        return [(prefix, words)]
    out = []
    if prefix in sizes:
        out.append(("=" + prefix, [prefix]))
    groups: dict[str, list[str]] = {}
    for word in words:
        if word != prefix:
            groups.setdefault(word[:len(prefix) + 1], []).append(word)
    for key in sorted(groups):
        out.extend(_split(key, groups[key], sizes))
    return out


def _pack(chunks, words, records, sizes) -> tuple[list[dict], dict[str, list[int]]]:
    """Chunks into files of at most CHUNK_BYTES, in key order; key → [file, bytes of its words]."""
    files: list[dict] = []
    keys: dict[str, list[int]] = {}
    current: dict = {"t": {}, "r": {}}
    used = 0
    for key, chunk_words in chunks:
        size = sum(sizes[w] for w in chunk_words)
        if current["t"] and used + size > CHUNK_BYTES:
            files.append(current)
            current, used = {"t": {}, "r": {}}, 0
        for word in chunk_words:
            ids = sorted(words[word])
            current["t"][word] = ids
            for i in ids:
                current["r"][str(i)] = records[i]
        used += size
        keys[key] = [len(files), size]
    if current["t"]:
        files.append(current)
    return files, keys


def _names(row: dict, prefix: str = "name") -> str | list[str]:
    """A name in the three languages: one string when they agree (or only one is given), else [kk, ru, en]."""
    values = [(row.get(f"{prefix}_{lang}") or "").strip() for lang in LANGS]
    given = {v for v in values if v}
    if len(given) <= 1:
        return next(iter(given), "")
    return values


def _election_meta(data: ElectionData) -> dict:
    """What the finder shows of an election and how it builds links (paths under a language root)."""
    e = data.election
    title = _names(e, "title") or e.get("title") or data.election_id
    eid = data.election_id
    home = urls.language_root("en")  # the same paths under every language's root
    return {"id": eid, "title": title, "date": str(e.get("date") or ""),
            "paths": {"r": _under(urls.election("en", eid), home),
                      "u": _under(urls.unit("en", eid, "{id}", "region"), home),
                      "s": _under(urls.station_pattern("en", eid), home),
                      "c": _under(urls.contest("en", eid, "{id}"), home)}}


def _under(url: str, root: str) -> str:
    return url[len(root):] if root and url.startswith(root) else url


def _election_records(data: ElectionData, number: int):
    """([kind, election, id, names, commission, number, trail, address(, sheet)], words) per unit and
    constituency; a station's record ends with its sheet (``urls.sheet_key``).

    kind: "r" the election itself, "u" a commission, "s" a polling station, "c" a constituency."""
    names = {uid: _names(unit) or unit.get("name") or "" for uid, unit in data.units.items()}
    for uid, unit in data.units.items():
        is_root = unit["parent_id"] is None
        kind = "r" if is_root else ("s" if unit["level"] == "station" else "u")
        trail = [names[u["unit_id"]] for u in data.path(uid)[1:-1]]
        address, place = _address(data, unit)
        record = [kind, number, uid, names[uid], unit.get("commission") or "", unit.get("code") or "", trail, address]
        if kind == "s":  # the station's sheet (the page it is a column of)
            record.append(urls.sheet_key(unit["parent_id"], unit.get("code")))
        # Numbers in an address (houses, postcodes) narrow a query but do not start one: "2" is a station.
        text = " ".join([_flat(names[uid]), unit.get("name") or "", unit.get("commission") or "",
                         unit.get("code") or "", re.sub(r"\d+", " ", f"{address} {place}")])
        yield record, text
    for contest in data.contests:
        if contest.get("kind") == "single_member" and contest.get("constituency"):  # has its own page
            name = _names(contest) or contest.get("name") or contest["contest_id"]
            scope = data.units.get(contest.get("scope_unit_id") or "")
            trail = [names[scope["unit_id"]]] if scope and scope["parent_id"] is not None else []
            record = ["c", number, contest["contest_id"], name, "", str(contest.get("constituency") or ""), trail, ""]
            yield record, " ".join([_flat(name), str(contest.get("constituency") or "")])


def _address(data: ElectionData, unit: dict) -> tuple[str, str]:
    """(what is shown: venue name and address, what else is searched: the municipality)."""
    venue = data.venues.get(unit.get("venue_id") or "") or {}
    name = venue.get("name_ru") or venue.get("name_kk") or venue.get("name_en") or ""
    address = venue.get("address") or unit.get("address") or ""
    shown = ", ".join(x for x in (name, address) if x)
    return shown, venue.get("municipality") or ""


def _flat(name: str | list[str]) -> str:
    return name if isinstance(name, str) else " ".join(name)


def hand_written_pages(docs_dir: Path, pages: list[str]) -> list[dict]:
    """{path, title, section, text} of each hand-written page and each of its headings (h1–h3), for
    the magnifier: found by the words of its title, heading and text (numbers left out)."""
    from markdown.extensions.toc import slugify

    out: list[dict] = []
    for source in pages:
        text = (Path(docs_dir) / source).read_text(encoding="utf-8")
        path = source[:-len("index.md")] if source.endswith("index.md") else source[:-3] + "/"
        title = None
        for line in text.splitlines():
            match = re.match(r"^(#{1,3})\s+(.+?)\s*#*\s*$", line)
            if not match:
                if out and title is not None:
                    out[-1]["text"] += " " + re.sub(r"<[^>]*>|\]\([^)]*\)|[*_`#|>\[\]]", " ", line)
                continue
            heading = re.sub(r"[*_`\[\]]|\{.*?\}", "", match.group(2)).strip()
            if title is None:
                title = heading
                out.append({"path": path, "title": heading, "text": ""})
            else:
                out.append({"path": f"{path}#{slugify(heading, '-')}", "title": title, "section": heading, "text": ""})
    return out
