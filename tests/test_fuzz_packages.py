"""Property-based fuzzing (Hypothesis) of ``build.py validate`` and the build on mutated real packages.

Each example copies a bundled package and mutates it: bytes inserted, replaced or cut; the file
re-encoded; line ends changed (all, some, or one); quotes added; a figure set to a value at or past a
type limit; an id renamed (case, length, characters) or made to collide; a cell set to arbitrary
Unicode; a row dropped, doubled or cut short; a node of the descriptor replaced by any JSON value.
The rule holds for every example: ``validate`` refuses it (exit 1, a report naming a file of the
package, no traceback, no raw control character), or accepts it and then the model stage loads it
and the checks run on it (what validate accepts, the build builds). A few accepted examples are
built into a complete site.

Bounded for the suite (profile ``ci``: 100 examples, derandomized, so CI is deterministic). A longer
run by hand, with fresh random examples each time:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz_packages.py -p no:cacheprovider \
        --hypothesis-show-statistics

(3,000 examples, about an hour on 2 cores; ``HYPOTHESIS_EXAMPLES=500`` sets another number.)
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from ashyq import checks, cli, contract, load, model
from hostile.rule import assert_complete_site, assert_refusal

ROOT = Path(__file__).resolve().parent.parent
BASES = ["kz-2011-presidential", "kz-2019-presidential"]
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, suppress_health_check=_SLOW,
                          database=None, print_blob=True)
settings.register_profile("long", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 3000)), deadline=None,
                          suppress_health_check=_SLOW, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Values at and past the limits of the contract's types and of the model's 64-bit integers.
EDGE_FIGURES = ["0", "-0", "+7", "007", " 12 ", "\t12", "12\r", "9223372036854775807", "-9223372036854775808",
                str(2**63), str(2**64), str(10**12), str(10**12 + 1), str(-10**12), "1e12", "1e308", "1e309",
                "-1e-400", "NaN", "nan", "inf", "-Infinity", "1_000", "1,000", "1 000", "\u00a012", "\u200312",
                "１２", "٥", "0x10", "1.", ".5", "+.5", "1e", "--1", "12a", "", "100.0000001", "-0.0"]
EDGE_IDS = ["", " ", "a", "A", "kz", "KZ", "a/b", "../x", ".hidden", "-x", "x" * 80, "x" * 81, "ıd", "İD", "ǆ", "Ǆ",
            "straße", "STRASSE", "a b", "a\tb", "a\u200bb", "😀", "con", "nul.txt"]
EDGE_BYTES = [b'"', b'""', b",", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\x1b[31m", b"\xc3",
              b"\xe2\x80\xae", b"\\", b"'", b";", b"\t"]


def _csv_files(package: Path) -> list[str]:
    return sorted(p.name for p in package.glob("*.csv"))


# An earlier mutation may have left bytes that are not UTF-8: they pass through the later ones unchanged.
TEXT = {"encoding": "utf-8", "errors": "surrogateescape"}


def _records(path: Path) -> list[list[str]]:
    """The file's records, read as the validator reads it (a byte-order mark is not part of the first cell)."""
    records = list(csv.reader(io.StringIO(path.read_text(**TEXT).removeprefix("\ufeff"), newline="")))
    return records if records and records[0] else [[""]]


def _write_records(path: Path, records: list[list[str]]) -> None:
    """Written back as it was spelled before: with its byte-order mark if it had one."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    bom = "\ufeff" if path.read_bytes().startswith(b"\xef\xbb\xbf") else ""
    path.write_text(bom + out.getvalue(), **TEXT)


def _fields_of(kind: str) -> dict[str, list[str]]:
    """resource file → its fields of this kind ("figure": integer or number; "id": a unit/contest/choice/source id)."""
    out = {}
    for name in contract.resource_names():
        fields = contract.fields(name)
        if kind == "figure":
            chosen = [f["name"] for f in fields if f["type"] in ("integer", "number")]
        else:
            chosen = [f["name"] for f in fields if f["name"].endswith("_id")]
        if chosen:
            out[f"{name}.csv"] = chosen
    return out


FIGURES, IDS = _fields_of("figure"), _fields_of("id")


# ---- mutations: each draws what it needs and edits the package folder; returns what it did ----

def mutate_bytes(data, package: Path) -> str:
    file = data.draw(st.sampled_from([*_csv_files(package), "datapackage.json"]))
    raw = (package / file).read_bytes()
    at = data.draw(st.integers(0, len(raw)))
    chunk = data.draw(st.one_of(st.sampled_from(EDGE_BYTES), st.binary(min_size=1, max_size=6)))
    how = data.draw(st.sampled_from(["insert", "replace", "cut-here", "delete"]))
    raw = {"insert": raw[:at] + chunk + raw[at:], "replace": raw[:at] + chunk + raw[at + len(chunk):],
           "cut-here": raw[:at], "delete": raw[:at] + raw[at + len(chunk):]}[how]
    (package / file).write_bytes(raw)
    return f"{how} {chunk!r} at byte {at} of {file}"


def mutate_encoding(data, package: Path) -> str:
    file = data.draw(st.sampled_from(_csv_files(package)))
    codec = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "cp1251", "latin-1", "utf-8-sig", "koi8-r",
                                       "cp866", "mac-cyrillic", "utf-7"]))
    path = package / file
    path.write_bytes(path.read_text(**TEXT).encode(codec, "replace"))
    return f"{file} re-encoded as {codec}"


def mutate_line_ends(data, package: Path) -> str:
    file = data.draw(st.sampled_from(_csv_files(package)))
    path = package / file
    lines = path.read_bytes().split(b"\n")
    if len(lines) < 2:
        return f"{file} has no line end to change"
    everywhere = data.draw(st.sampled_from([None, b"\r\n", b"\r", b"\n\n", b"\n\r"]))
    ends = [everywhere or b"\n"] * (len(lines) - 1)
    if everywhere is None:  # a few lines only: the first ones (an editor's save), or any
        for line, end in data.draw(st.lists(st.tuples(st.integers(0, len(ends) - 1),
                                                       st.sampled_from([b"\r\n", b"\r", b"\n\r"])),
                                            min_size=1, max_size=4)):
            ends[line] = end
    path.write_bytes(b"".join(line + end for line, end in zip(lines, ends)) + lines[-1])
    return f"line ends of {file}: {sorted(set(ends))}"


def mutate_quoting(data, package: Path) -> str:
    file = data.draw(st.sampled_from(_csv_files(package)))
    path = package / file
    text = path.read_text(**TEXT)
    at = data.draw(st.integers(0, len(text)))
    piece = data.draw(st.sampled_from(['"', '""', '","', '"x"', '\n"', '"\n', '" ', ' "']))
    path.write_text(text[:at] + piece + text[at:], **TEXT)
    return f"{piece!r} inserted at {at} of {file}"


def _draw_cell(data, package: Path, files: dict[str, list[str]]) -> tuple[Path, list[list[str]], int, int]:
    present = sorted(f for f in files if (package / f).is_file())
    file = data.draw(st.sampled_from(present))
    records = _records(package / file)
    row = data.draw(st.integers(1, max(1, len(records) - 1)))
    if row >= len(records):
        records.append(list(records[-1]))
    name = data.draw(st.sampled_from(files[file]))
    column = records[0].index(name) if name in records[0] else 0
    records[row] += [""] * (column + 1 - len(records[row]))
    return package / file, records, row, column


def mutate_figure(data, package: Path) -> str:
    path, records, row, column = _draw_cell(data, package, FIGURES)
    value = data.draw(st.one_of(st.sampled_from(EDGE_FIGURES), st.integers(-2**70, 2**70).map(str),
                                st.floats(allow_nan=True, allow_infinity=True).map(repr),
                                st.text(alphabet="0123456789+-.eE _,\u00a0", max_size=14)))
    records[row][column] = value
    _write_records(path, records)
    return f"{path.name} row {row + 1} column {column + 1} = {value!r}"


def mutate_id(data, package: Path) -> str:
    path, records, row, column = _draw_cell(data, package, IDS)
    others = sorted({r[column] for r in records[1:] if len(r) > column and r[column]})
    how = data.draw(st.sampled_from(["edge", "other", "text"] if others else ["edge", "text"]))
    if how == "other":  # another id of the file, as it is or in another case: a duplicate, or differing in case
        other = data.draw(st.sampled_from(others))
        value = data.draw(st.sampled_from([other, other.upper(), other.swapcase(), other.title(), other + " "]))
    else:
        value = data.draw(st.sampled_from(EDGE_IDS) if how == "edge" else st.text(max_size=30))
    records[row][column] = value
    _write_records(path, records)
    return f"{path.name} row {row + 1} column {column + 1} = {value!r}"


def mutate_cell_text(data, package: Path) -> str:
    file = data.draw(st.sampled_from(_csv_files(package)))
    records = _records(package / file)
    row = data.draw(st.integers(1, max(1, len(records) - 1)))
    if row >= len(records):
        records.append(list(records[0]))
    column = data.draw(st.integers(0, len(records[row]) - 1)) if records[row] else 0
    records[row] += [""] * (column + 1 - len(records[row]))
    value = data.draw(st.text(max_size=40))
    records[row][column] = value
    _write_records(package / file, records)
    return f"{file} row {row + 1} column {column + 1} = {value!r}"


def mutate_rows(data, package: Path) -> str:
    file = data.draw(st.sampled_from(_csv_files(package)))
    records = _records(package / file)
    how = data.draw(st.sampled_from(["drop", "double", "short", "long", "swap-header", "only-header"]))
    if len(records) < 2:
        records.append(list(records[0]))
    row = data.draw(st.integers(1, len(records) - 1))
    if how == "drop":
        del records[row]
    elif how == "double":
        records.insert(row, list(records[row]))
    elif how == "short":
        records[row] = records[row][:data.draw(st.integers(0, max(0, len(records[row]) - 1)))]
    elif how == "long":
        records[row] = records[row] + [""] * data.draw(st.integers(1, 3))
    elif how == "swap-header":
        records[0] = records[0][1:] + records[0][:1]
    else:
        records = records[:1]
    _write_records(package / file, records)
    return f"{how} row {row + 1} of {file}"


def _json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                        st.text(max_size=20), st.sampled_from(["", ".", "..", "/", "units.csv", "../units.csv",
                                                               "2011-02-30", "MIT", "\x1b[31m"]))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=6)


def _nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


def mutate_descriptor(data, package: Path) -> str:
    file = package / "datapackage.json"
    try:
        descriptor = json.loads(file.read_text(encoding="utf-8"))
    except ValueError:
        return "datapackage.json left as it is (no longer JSON)"
    # Not inside the contract's schemas (hundreds of nodes, all checked alike): the shapes around them.
    paths = [p for p in _nodes(descriptor) if p and not (len(p) > 3 and p[2] == "schema" and p[3] == "fields"
                                                         and len(p) > 5)]
    if not paths:
        return "datapackage.json has no node to change"
    path = data.draw(st.sampled_from(paths))
    parent = descriptor
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
        what = "deleted"
    else:
        parent[path[-1]] = data.draw(_json_values())
        what = f"= {parent[path[-1]]!r}"
    file.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return f"datapackage.json {'/'.join(map(str, path))} {what}"


MUTATIONS = [mutate_bytes, mutate_encoding, mutate_line_ends, mutate_quoting, mutate_figure, mutate_id,
             mutate_cell_text, mutate_rows, mutate_descriptor]


# ---- changes the contract allows: validate must accept them, and the build must build them ----

FREE_TEXT = {"units.csv": ["name_kk", "name_ru", "name_en", "address"], "choices.csv": ["name_en", "affiliation"],
             "protocols.csv": ["note"], "sources.csv": ["title", "note"]}
COUNTS = {"votes.csv": ["votes"], "protocols.csv": ["voters_on_list", "ballots_issued", "ballots_invalid"]}
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), min_size=1,
                    max_size=60).filter(str.strip)


def allowed_text(data, package: Path) -> str:
    path, records, row, column = _draw_cell(data, package, FREE_TEXT)
    records[row][column] = value = data.draw(PRINTABLE)
    _write_records(path, records)
    return f"{path.name} row {row + 1} column {column + 1} = {value!r}"


def allowed_count(data, package: Path) -> str:
    path, records, row, column = _draw_cell(data, package, COUNTS)
    value = data.draw(st.one_of(st.integers(0, 10**12), st.sampled_from([10**12, 0, 1])))
    records[row][column] = str(value)
    _write_records(path, records)
    return f"{path.name} row {row + 1} column {column + 1} = {value}"


def allowed_spelling(data, package: Path) -> str:
    """Every CSV as a spreadsheet program may save it: CRLF, a byte-order mark, every cell quoted."""
    crlf, bom, quote_all = data.draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
    for path in sorted(package.glob("*.csv")):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n" if crlf else "\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(_records(path))
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return f"CSVs saved with crlf={crlf}, bom={bom}, quote_all={quote_all}"


ALLOWED = [allowed_text, allowed_count, allowed_spelling]
# Mixed in, so that some examples pass validation and reach the model (most mutations are refused).
MUTATIONS += ALLOWED


@contextlib.contextmanager
def _mutated(data, mutations) -> Path:
    """A datasets folder holding one mutated copy of a bundled package."""
    with tempfile.TemporaryDirectory(prefix="ashyq-fuzz-") as tmp:
        datasets = Path(tmp) / "datasets"
        base = data.draw(st.sampled_from(BASES))
        shutil.copytree(ROOT / "datasets" / base, datasets / base)
        for mutation in data.draw(st.lists(st.sampled_from(mutations), min_size=1, max_size=2)):
            note(f"{base}: {mutation(data, datasets / base)}")
        yield datasets


@pytest.fixture(scope="module", autouse=True)
def _no_validation_cache():
    saved = {k: os.environ.get(k) for k in ("ASHYQ_VALIDATION_CACHE", "NO_MKDOCS_2_WARNING")}
    os.environ.update(ASHYQ_VALIDATION_CACHE="off", NO_MKDOCS_2_WARNING="1")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _validate(datasets: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(["validate", "--datasets", str(datasets), "--quiet"])
    return code, err.getvalue()


@given(st.data())
def test_mutated_packages_are_refused_clearly_or_modelled(data):
    with _mutated(data, MUTATIONS) as datasets:
        code, err = _validate(datasets)
        if code != 0:
            event("refused")
            files = [p.name for p in next(datasets.iterdir()).iterdir()] + ["datapackage.json"]
            assert_refusal(code, err)
            assert any(name in err for name in files), f"the refusal names no file of the package:\n{err}"
            return
        event("accepted")
        db = model.build_model(load.load_packages(datasets))
        try:
            checks.run_checks(db)
        finally:
            db.con.close()


@settings(max_examples=max(3, settings().max_examples // 30))
@given(st.data())
def test_allowed_changes_are_accepted_and_built(data):
    """Changes the contract allows (any printable text in a name or note, any count up to the limit,
    CRLF, a byte-order mark, quoted cells) are accepted and built into a complete site."""
    with _mutated(data, ALLOWED) as datasets:
        code, err = _validate(datasets)
        assert code == 0, err
        site = datasets.parent / "site"
        with contextlib.redirect_stderr(io.StringIO()) as build_err:
            assert cli.main(["--datasets", str(datasets), "--site", str(site), "--quiet"]) == 0, build_err.getvalue()
        assert_complete_site(site, datasets)
