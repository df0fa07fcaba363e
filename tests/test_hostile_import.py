"""Every bad import gets a clear refusal (exit 1; file, row, field, value; no traceback; nothing left
behind) or a package that validates. The cases are named in tests/hostile/imports.py."""
from __future__ import annotations

import pytest

from ashyq import cli
from hostile.imports import CASES, NAME, SHPILKIN_2018, Case

pytestmark = pytest.mark.skipif(not SHPILKIN_2018.is_file(), reason=f"{SHPILKIN_2018} not here (shared data)")


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_is_large_and_its_names_unique():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_import(case: Case, tmp_path, capsys):
    argv = case.make(tmp_path)
    before = _files(tmp_path)
    code = cli.main(["--quiet", "import", *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    leftovers = [p.name for p in tmp_path.rglob(".*") if p.name.endswith((".importing", ".replaced"))]
    assert leftovers == [], "a failed or finished import left its staging folder behind"
    if case.accepted:
        assert code == 0, err
        out = tmp_path / "datasets" / NAME
        assert cli.main(["--quiet", "--datasets", str(out.parent), "validate"]) == 0, capsys.readouterr().err
        after = _files(tmp_path)
        for kept in case.keeps:
            assert after[kept] == before[kept], f"{kept} was changed by the import"
        return
    assert code == 1, f"expected a refusal, got exit {code}"
    assert err.startswith("ashyq: "), err
    for text in case.expect:
        assert text in err, f"the refusal does not say {text!r}:\n{err}"
    assert _files(tmp_path) == before, "a refused import changed files"


@pytest.mark.parametrize("limit, value, expect", [
    ("MAX_ROWS", 10, "has more than 10 rows, the importer's limit"),
    ("MAX_TABLE_BYTES", 4096, "over the importer's limit of 4 KiB"),
    ("MAX_COLUMNS", 20, "the header has 24 columns, over the importer's limit of 20"),
    ("MAX_FIGURE", 2000, "is larger than 2,000"),
    ("MAX_PACKAGE_ROWS", 100, "makes 240 vote rows"),
])
def test_each_limit_is_enforced_with_its_message(limit, value, expect, tmp_path, capsys, monkeypatch):
    """The real limits are far above a 30-row table: lowered here, each refuses it with its own message."""
    from ashyq.importer import limits

    monkeypatch.setattr(limits, limit, value)
    case = next(case for case in CASES if case.name == "cr-only-line-ends")  # a table that imports
    argv = case.make(tmp_path)
    assert cli.main(["--quiet", "import", *argv]) == 1
    err = capsys.readouterr().err
    assert expect in err and "Traceback" not in err
    assert not (tmp_path / "datasets").exists()


def test_a_killed_imports_staging_folder_goes_with_the_next_import_even_a_refused_one(tmp_path, capsys):
    case = next(case for case in CASES if case.name == "letters-in-a-figure")
    argv = case.make(tmp_path)
    stale = tmp_path / "datasets" / f".{NAME}.importing" / NAME
    stale.mkdir(parents=True)
    (stale / "votes.csv").write_text("half written by a killed import")
    assert cli.main(["--quiet", "import", *argv]) == 1
    assert "value '22O6'" in capsys.readouterr().err
    assert list((tmp_path / "datasets").iterdir()) == []
