"""Hostile and broken PACKAGES: each case edits a copy of a bundled package and states the answer.

The rule (issue 12): every input gets exactly one of two answers. Either a refusal (exit 1, the
message names the file and the offending value or what is wrong, no traceback), or acceptance and
then a complete site (what validate accepts, the build builds: every accepted case here is a
``build`` case, and the fuzzer holds the two together too).

A case is ``Case(name, make, refuse=(file, text))``: ``make`` edits the package folder, and the
refusal must name ``file`` and contain ``text``; ``patch`` lowers a limit of ``ashyq.limits`` where a
module of ``ashyq.validation`` uses it ("files:MAX_ROWS"), so that a limit is proven without writing
a 5-million-row file.
tests/test_hostile_packages.py runs them all.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .edits import (DESCRIPTOR, cell, chain, copy_row, descriptor, descriptor_bytes, election, every_csv,
                    file_bytes, line_ends, replace, resource, rows)

SMALL = "kz-2011-presidential"  # 4 polling stations, 2 sources: the build takes a few seconds
FULL = "kz-2019-presidential"  # every resource of the contract, turnout and changes included
MARKERS = ("ASHYQ-STATION-BODY-7f3a", "ASHYQ-STATION-TITLE-7f3a")  # the render markers before issue 12


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    refuse: tuple[str, str] | None = None  # (file the message names, text it contains); None: accepted
    build: bool = False  # accepted, and built into a complete site
    base: str = SMALL
    patch: dict[str, int] = field(default_factory=dict)  # "module:NAME" → lowered limit

    @property
    def accepted(self) -> bool:
        return self.refuse is None


def _rename_folder(new: str):
    def apply(package: Path) -> None:
        d = json.loads((package / DESCRIPTOR).read_text(encoding="utf-8"))
        d["name"] = new
        (package / DESCRIPTOR).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        package.rename(package.parent / new)
    return apply


def _link_package(alias: str):
    def apply(package: Path) -> None:
        (package.parent / alias).symlink_to(package.name)
    return apply


def _twin_package(name: str):
    def apply(package: Path) -> None:
        twin = package.parent / name
        shutil.copytree(package, twin)
        d = json.loads((twin / DESCRIPTOR).read_text(encoding="utf-8"))
        d["name"] = name
        (twin / DESCRIPTOR).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return apply


def _nested(depth: int) -> bytes:
    return b'{"name": "x", "resources": [], "deep": ' + b"[" * depth + b"]" * depth + b"}"


def _many_resources(count: int):
    def edit(d):
        d["resources"] += [{"name": f"extra{i}", "path": "units.csv"} for i in range(count)]
    return descriptor(edit)


def _symlink(file: str, target: str):
    def apply(package: Path) -> None:
        (package / file).unlink()
        (package / file).symlink_to(target)
    return apply


def _fifo(file: str):
    def apply(package: Path) -> None:
        (package / file).unlink()
        os.mkfifo(package / file)
    return apply


def _chain(length: int):
    """``length`` nested areas under the country, one below the other."""
    def edit(records):
        for i in range(1, length + 1):
            values = {"unit_id": f"chain{i}", "parent_id": "kz" if i == 1 else f"chain{i - 1}", "level": "area",
                      "name_en": f"Chain {i}"}
            records.append([values.get(name, "") for name in records[0]])  # every column of the header
    return rows(U, edit)


def _without_map(d: dict) -> None:
    """No ``election.division``: the package draws no map, so its regions may be anything."""
    d["election"].pop("division", None)


def _mkdir(name: str):
    def apply(package: Path) -> None:
        (package / name).mkdir()
    return apply


def _remove_resource(name: str):
    def edit(d):
        d["resources"] = [r for r in d["resources"] if r.get("name") != name]
    return descriptor(edit)


def _schema(name: str, edit):
    def change(d):
        for entry in d["resources"]:
            if entry.get("name") == name:
                edit(entry["schema"])
    return descriptor(change)


def _set_field(name: str, field_name: str, **changes):
    def edit(schema):
        for f in schema["fields"]:
            if f["name"] == field_name:
                f.update(changes)
    return _schema(name, edit)


LONG = "Ақмола " * 20_000  # 140,000 characters: over the csv module's own 131,072 limit
P = "protocols.csv"  # row 4: aktobe.martykskiy.166 (dec-summary), ballots_cancelled = 107
V = "votes.csv"
U = "units.csv"

CASES: list[Case] = [
    # ---- resource paths (load) ----
    Case("path-dot", resource("units", path="."), (DESCRIPTOR, "must name a file")),
    Case("path-empty", resource("units", path=""), (DESCRIPTOR, "single relative file name")),
    Case("path-directory", chain(_mkdir("sub"), resource("units", path="sub")), (DESCRIPTOR, "must name a file")),
    Case("path-trailing-slash", resource("units", path="units.csv/"), (DESCRIPTOR, "must name a file")),
    Case("path-traversal", resource("units", path="../kz-2019-presidential/units.csv"),
         (DESCRIPTOR, "leaves the package directory")),
    Case("path-absolute", resource("units", path="/etc/passwd"), (DESCRIPTOR, "absolute")),
    Case("path-windows-drive", resource("units", path="C:/data/units.csv"), (DESCRIPTOR, "absolute")),
    Case("path-url", resource("units", path="https://example.org/units.csv"), (DESCRIPTOR, "URL")),
    Case("path-list", resource("units", path=["units.csv", "more.csv"]), (DESCRIPTOR, "lists and inline data")),
    Case("path-symlink-outside", _symlink(U, "/etc/passwd"), (DESCRIPTOR, "through a link")),
    Case("path-symlink-loop", _symlink(U, U), (DESCRIPTOR, "cannot be followed")),
    Case("path-too-long", resource("units", path="u" * 5000 + ".csv"), (DESCRIPTOR, "cannot be followed")),
    Case("path-nul", resource("units", path="units.csv\x00.txt"), (DESCRIPTOR, "null byte")),
    Case("resource-is-fifo", _fifo(V), (V, "file not found")),
    Case("resource-file-missing", resource("votes", path="nothing-here.csv"), ("nothing-here.csv", "file not found")),
    # ---- descriptor shape and size ----
    Case("descriptor-nested-100000", descriptor_bytes(_nested(100_000)), (DESCRIPTOR, "the limit is 32")),
    Case("descriptor-nested-33", descriptor_bytes(_nested(33)), (DESCRIPTOR, "nested 34 levels")),
    Case("descriptor-over-1mb", descriptor(lambda d: d.update(description="x" * 1_000_001)),
         (DESCRIPTOR, "the limit is 1,000,000")),
    Case("resources-80000", _many_resources(80_000), (DESCRIPTOR, "the limit is 1,000,000")),
    Case("resources-80000-empty", descriptor(lambda d: d.update(resources=[{}] * 80_000)),
         (DESCRIPTOR, "80,000 resources: the limit is 50")),
    Case("resources-over-limit", _many_resources(60), (DESCRIPTOR, "the limit is 50")),
    Case("resource-name-list", resource("units", name=["units"]), (DESCRIPTOR, '["units"]')),
    Case("resource-name-number", resource("units", name=7), (DESCRIPTOR, "has no name")),
    Case("resource-not-object", descriptor(lambda d: d["resources"].append("units.csv")), (DESCRIPTOR, "has no name")),
    Case("resources-not-list", descriptor(lambda d: d.update(resources={"units": "units.csv"})),
         (DESCRIPTOR, "list of resources")),
    Case("descriptor-array", descriptor_bytes(b"[]"), (DESCRIPTOR, "must be an object")),
    Case("descriptor-truncated", file_bytes(DESCRIPTOR, lambda b: b[: len(b) // 2]),
         (DESCRIPTOR, "not valid UTF-8 JSON")),
    Case("descriptor-cp1251", file_bytes(DESCRIPTOR, lambda b: b.decode("utf-8").encode("cp1251", "replace")),
         (DESCRIPTOR, "not valid UTF-8 JSON")),
    Case("descriptor-empty", descriptor_bytes(b""), (DESCRIPTOR, "not valid UTF-8 JSON")),
    Case("descriptor-5000-digit-number", file_bytes(DESCRIPTOR, lambda b: b.replace(b'"version": "1.0.0"',
                                                                                    b'"version": ' + b"9" * 5000)),
         (DESCRIPTOR, "not valid UTF-8 JSON")),
    Case("descriptor-lone-surrogate", file_bytes(DESCRIPTOR, lambda b: b.replace(b'"en": "Kazakhstan',
                                                                                 b'"en": "\\ud800Kazakhstan')),
         (DESCRIPTOR, "lone surrogate")),
    Case("descriptor-nan", file_bytes(DESCRIPTOR, lambda b: b.replace(b'"version": "1.0.0"', b'"version": NaN')),
         (DESCRIPTOR, "field 'version'")),
    Case("dialect-csv-string", resource("units", dialect={"csv": "x"}), (DESCRIPTOR, "CSV dialect")),
    Case("dialect-semicolon", resource("units", dialect={"delimiter": ";"}), (DESCRIPTOR, "CSV dialect")),
    Case("dialect-list", resource("units", dialect=[","]), (DESCRIPTOR, "CSV dialect")),
    Case("resource-declared-twice", descriptor(lambda d: d["resources"].append(dict(d["resources"][0]))),
         (DESCRIPTOR, "declared 2 times")),
    Case("resource-unknown", descriptor(lambda d: d["resources"].append({"name": "extras", "path": "units.csv"})),
         (DESCRIPTOR, "unknown resource 'extras'")),
    Case("resource-required-missing", _remove_resource("units"), (DESCRIPTOR, "required resource 'units'")),
    Case("schema-loosened", _set_field("votes", "votes", type="string"), (DESCRIPTOR, "the contract says 'integer'")),
    Case("schema-fields-not-list", _schema("votes", lambda s: s.update(fields="votes")), (DESCRIPTOR, "is missing")),
    Case("schema-field-name-list", _schema("votes", lambda s: s["fields"][0].update(name=["contest_id"])),
         (DESCRIPTOR, "'contest_id' of the contract is missing")),
    Case("schema-foreign-key-reference-string",
         _schema("votes", lambda s: s["foreignKeys"][0].update(reference="units")), (DESCRIPTOR, "foreignKeys")),
    Case("schema-not-inline", resource("votes", schema="votes.schema.json"), (DESCRIPTOR, "written inline")),
    # ---- descriptor metadata ----
    Case("date-2011-02-30", election(date="2011-02-30"), (DESCRIPTOR, "2011-02-30")),
    Case("date-dotted", election(date="03.04.2011"), (DESCRIPTOR, "03.04.2011")),
    Case("date-number", election(date=20110403), (DESCRIPTOR, "20110403")),
    Case("licenses-string", descriptor(lambda d: d.update(licenses="MIT")), (DESCRIPTOR, "'MIT'")),
    Case("sources-object", descriptor(lambda d: d.update(sources={"title": "CEC"})), (DESCRIPTOR, "list of objects")),
    Case("license-name-number", descriptor(lambda d: d.update(licenses=[{"name": 5}])),
         (DESCRIPTOR, "licenses[0].name")),
    Case("source-title-list", descriptor(lambda d: d["sources"][0].update(title=["a"])),
         (DESCRIPTOR, "sources[0].title")),
    Case("title-ru-list", descriptor(lambda d: d["election"]["title"].update(ru=["x"])),
         (DESCRIPTOR, "election.title.ru")),
    Case("title-object", descriptor(lambda d: d.update(title={"en": "x"})), (DESCRIPTOR, "field 'title'")),
    Case("version-number", descriptor(lambda d: d.update(version=1.0)), (DESCRIPTOR, "field 'version'")),
    Case("election-missing", descriptor(lambda d: d.pop("election") and None), (DESCRIPTOR, "field 'election'")),
    Case("election-string", descriptor(lambda d: d.update(election="2011")), (DESCRIPTOR, "field 'election'")),
    Case("name-not-folder", descriptor(lambda d: d.update(name="other")), (DESCRIPTOR, "must be the folder name")),
    Case("title-ansi-escape", descriptor(lambda d: d["election"]["title"].update(en="Red \x1b[31mALERT\x1b[0m")),
         (DESCRIPTOR, "control character")),
    Case("title-is-body-marker", descriptor(lambda d: d["election"]["title"].update(en=MARKERS[0], ru=MARKERS[1])),
         build=True),
    # ---- the datasets folder ----
    Case("folder-ansi-escape", _rename_folder("kz\x1b[31m-red"), ("kz\\x1b[31m-red", "the folder name")),
    Case("folder-space", _rename_folder("kz 2011"), ("kz 2011", "the folder name")),
    Case("two-links-to-one-package", _link_package("kz-2011-alias"), (DESCRIPTOR, "the same package")),
    Case("two-folders-differing-in-case", _twin_package("KZ-2011-presidential"), (DESCRIPTOR, "the same package")),
    # ---- line ends, quoting, encodings ----
    Case("cr-only-line-ends", line_ends(U, b"\r"), (U, "lone CR")),
    Case("crlf-first-lines-only", line_ends(U, b"\r\n", lines=2), (U, "line ends are mixed")),
    Case("lf-then-crlf", file_bytes(V, lambda b: b.replace(b"\n", b"\r\n").replace(b"\r\n", b"\n", 3)),
         (V, "line ends are mixed")),
    Case("cell-over-131072", cell(U, 2, "name_en", LONG), (U, "longer than 10,000 characters")),
    Case("cell-10001", cell(U, 2, "name_en", "x" * 10_001), (U, "longer than 10,000 characters")),
    Case("stray-quote-in-quoted-cell", replace(U, ",Akmola,", ',"Akm"ola,'), (U, "not well-formed CSV at line 2")),
    Case("quote-in-unquoted-cell", replace(U, ",Akmola,", ',Akm"ola,'), (U, "quote on line 2")),
    Case("unclosed-quote", replace(U, ",Akmola,", ',"Akmola,'), (U, "not well-formed CSV")),
    Case("nul-in-cell", replace(U, ",Akmola,", ",Akm\x00ola,"), (U, "U+0000")),
    Case("ansi-in-cell", replace(U, ",Akmola,", ",\x1b[2J\x1b[31mAkmola,"), (U, "U+001B")),
    Case("utf16", file_bytes(U, lambda b: b.decode("utf-8").encode("utf-16")), (U, "UTF-16")),
    Case("cp1251", file_bytes(U, lambda b: b.decode("utf-8").encode("cp1251", "replace")), (U, "Windows-1251")),
    Case("latin1-byte", file_bytes(U, lambda b: b.replace(b"Akmola", b"Akm\xe9ola", 1)), (U, "0xE9")),
    Case("empty-file", file_bytes(V, lambda b: b""), (V, "the file is empty")),
    Case("semicolons", file_bytes(U, lambda b: b.replace(b",", b";")), (U, "semicolon-separated")),
    Case("header-padded", replace(U, "unit_id,parent_id", "unit_id ,parent_id"), (U, "check for spaces")),
    Case("header-duplicate", replace(U, "name_kk,name_ru", "name_kk,name_kk"), (U, "appears more than once")),
    Case("blank-row", file_bytes(V, lambda b: b + b",,,,,\n"), (V, "row is empty")),
    Case("truncated-row", file_bytes(V, lambda b: b + b"president,akmola,cec\n"), (V, "this cell is missing")),
    Case("extra-cell", replace(V, "akhmetbekov,5430,", "akhmetbekov,5430,,7"), (V, "extra value")),
    # ---- figures ----
    Case("int64-max-in-protocol", cell(P, 4, "ballots_cancelled", "9223372036854775807"),
         (P, "9223372036854775807")),
    Case("two-to-the-63", cell(P, 4, "ballots_cancelled", str(2**63)), (P, "1,000,000,000,000")),
    Case("figure-over-limit", cell(V, 2, "votes", str(10**12 + 1)), (V, "too large")),
    Case("figure-at-limit", chain(cell(V, 2, "votes", str(10**12)), cell(V, 3, "votes", str(10**12))), build=True),
    Case("number-1e400", cell(V, 2, "percent", "1e400"), (V, "too large")),
    Case("negative-votes", cell(V, 2, "votes", "-1"), (V, "must be at least 0")),
    Case("nbsp-in-integer", cell(V, 2, "votes", "\u00a05430"), (V, "expected a whole number")),
    Case("ideographic-space-in-number", cell(V, 2, "percent", "\u30001.5"), (V, "expected a number")),
    Case("digits-arabic-indic", cell(V, 2, "votes", "٥٤٣٠"), (V, "expected a whole number")),
    Case("nan", cell(V, 2, "percent", "NaN"), (V, "expected a number")),
    Case("colour-without-hash", cell("choices.csv", 2, "colour", "0072b2"), ("choices.csv", "must be a colour written #rrggbb")),
    Case("colour-by-name", cell("choices.csv", 2, "colour", "red"), ("choices.csv", "must be a colour written #rrggbb")),
    Case("colour-css-injection", cell("choices.csv", 2, "colour", "#000000;background:url(x)"),
         ("choices.csv", "must be a colour written #rrggbb")),
    # ---- ids ----
    Case("choice-ids-differ-in-case", copy_row("choices.csv", 2, choice_id="AKHMETBEKOV", ballot_order="9"),
         ("choices.csv", "AKHMETBEKOV")),
    Case("unit-ids-differ-in-case", copy_row(U, 2, unit_id="AKMOLA"), (U, "differs only in upper/lower case")),
    Case("contest-ids-differ-in-case", copy_row("contests.csv", 2, contest_id="PRESIDENT"),
         ("contests.csv", "differs only in upper/lower case")),
    Case("source-ids-differ-in-case", copy_row("sources.csv", 2, source_id="CEC"),
         ("sources.csv", "differs only in upper/lower case")),
    Case("id-with-slash", cell(U, 2, "unit_id", "akmola/../x"), (U, "does not match the pattern")),
    Case("duplicate-key", copy_row(V, 2), (V, "duplicate primary key")),
    Case("unknown-unit", cell(V, 2, "unit_id", "atlantis"), (V, "'president, atlantis, cec'")),
    Case("hierarchy-cycle", cell(U, 2, "parent_id", "akmola"), (U, "cycle")),
    Case("hierarchy-17-levels", _chain(16), (U, "the limit is 16 levels")),
    Case("two-roots", cell(U, 2, "parent_id", ""), (U, "exactly one root")),
    Case("javascript-url", cell("sources.csv", 2, "url", "javascript:alert(1)"), ("sources.csv", "only http")),
    Case("date-2011-02-30-in-cell", cell("sources.csv", 2, "published_on", "2011-02-30"),
         ("sources.csv", "expected a date")),
    Case("datetime-with-zone", cell("turnout.csv", 2, "reported_at", "2019-06-09T20:00:00+06:00"),
         ("turnout.csv", "local time"), base=FULL),
    Case("datetime-leap-second", cell("turnout.csv", 2, "reported_at", "2019-06-09T20:00:60"),
         ("turnout.csv", "2019-06-09T20:00:60"), base=FULL),
    Case("datetime-hour-24", cell("turnout.csv", 2, "reported_at", "2019-06-09T24:00:00"),
         ("turnout.csv", "2019-06-09T24:00:00"), base=FULL),
    Case("changes-field-date-24h", cell("changes.csv", 2, "old_published_on", "2019-13-10"),
         ("changes.csv", "expected a date"), base=FULL),
    # ---- limits, lowered so the files stay small ----
    Case("rows-over-limit", lambda package: None, (V, "the limit is 10 rows"), patch={"files:MAX_ROWS": 10}),
    Case("file-over-limit", lambda package: None, (V, "the limit is 2,000 bytes"),
         patch={"files:MAX_FILE_BYTES": 2_000}),
    # ---- accepted spellings, built ----
    Case("spreadsheet-export", chain(every_csv(lambda f: line_ends(f, b"\r\n")),
                                     every_csv(lambda f: file_bytes(f, lambda b: b"\xef\xbb\xbf" + b.rstrip(b"\r\n"))),
                                     cell(V, 2, "votes", " 5430 ")), build=True),
    Case("line-breaks-inside-cells",
         chain(every_csv(lambda f: line_ends(f, b"\r\n")),
               replace("sources.csv", "Annex: Election results", "Annex:\nElection\r\nresults")), build=True),
    Case("at-the-limits", chain(file_bytes(DESCRIPTOR, lambda b: b"\xef\xbb\xbf" + b),  # a byte-order mark
                                _chain(15),  # 16 levels with the country
                                cell(U, 2, "name_en", "Akmola " + "x" * 9_993),  # 10,000 characters
                                cell(P, 4, "ballots_cancelled", str(10**12))), build=True),
    Case("valid-oddities", chain(descriptor(_without_map),  # its regions move: no map
                                 copy_row(U, 2, unit_id="under_station", parent_id="aktobe.martykskiy.166"),
                                 cell(U, 3, "level", "country"),
                                 copy_row("contests.csv", 2, contest_id="second", name_en="No choices"),
                                 cell("citations.csv", 2, "field", "<script>alert(1)</script>"),
                                 cell("choices.csv", 3, "ballot_order", "1"),
                                 cell("contests.csv", 2, "seats", str(10**12))), build=True),
    Case("colours-given-in-upper-and-lower-case", chain(cell("choices.csv", 2, "colour", "#ABCDEF"),
                                                        cell("choices.csv", 3, "colour", "#abcdef")), build=True),
    Case("odd-paths-and-no-votes", chain(resource("units", path="units.csv/."),
                                         resource("contests", path="./contests.csv"),
                                         file_bytes(V, lambda b: b"\xef\xbb\xbf" + b.split(b"\n")[0] + b"\r\n"),
                                         cell(U, 2, "name_en", "Akm\tola")), build=True),
    Case("hostile-text-in-names", chain(cell(U, 2, "name_en", '<script>alert(1)</script> [x](javascript:1) **b**'),
                                        cell(U, 3, "name_en", "Ақмола \u202eevil\u202c 𝔘𝔫𝔦 😀 {{ page }} {% raw %}"),
                                        cell("choices.csv", 2, "name_en", '=HYPERLINK("http://x")'),
                                        cell("choices.csv", 2, "name_ru", "Ахметбеков\u00a0Жамбыл")), build=True),
]
