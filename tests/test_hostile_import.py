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
