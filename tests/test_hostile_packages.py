"""Issue 12's rule on hostile and broken packages: a clear refusal or a complete site, never a traceback.

Each case of tests/hostile/packages.py edits a copy of a bundled package; ``build.py validate`` (run
in-process through the real command line, ``ashyq.cli.main``) must refuse it with exit 1 and a
message naming the file and the offending value, or accept it; ``build`` cases are then built into
a site in which every unit of the package has its page. A handful run as real subprocesses too.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ashyq import cli
from hostile.packages import CASES, Case
from hostile.rule import RAW_CONTROL, assert_complete_site, assert_refusal

ROOT = Path(__file__).resolve().parent.parent


def make_datasets(tmp_path: Path, case: Case) -> Path:
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    package = datasets / case.base
    shutil.copytree(ROOT / "datasets" / case.base, package)
    case.make(package)
    return datasets


@pytest.fixture
def quiet_env(monkeypatch):
    monkeypatch.setenv("ASHYQ_VALIDATION_CACHE", "off")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_package_case(case: Case, tmp_path, capsys, monkeypatch, quiet_env):
    for target, value in case.patch.items():
        module, name = target.split(":")
        monkeypatch.setattr(f"ashyq.validation.{module}.{name}", value)
    datasets = make_datasets(tmp_path, case)
    code = cli.main(["validate", "--datasets", str(datasets), "--quiet"])
    err = capsys.readouterr().err
    if case.refuse:
        assert_refusal(code, err, *case.refuse)
        return
    assert code == 0, err
    if case.build:
        site = tmp_path / "site"
        assert cli.main(["--datasets", str(datasets), "--site", str(site), "--quiet"]) == 0, capsys.readouterr().err
        assert_complete_site(site, datasets)


def test_the_corpus_covers_the_issue():
    """At least 50 package cases; both answers represented; names unique (they are the test ids)."""
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 50
    assert sum(c.accepted for c in CASES) >= 5
    assert all(c.build for c in CASES if c.accepted), "what validate accepts, the build must build: build it"
    issue = {"path-dot", "descriptor-nested-100000", "resource-name-list", "dialect-csv-string", "cr-only-line-ends",
             "cell-over-131072", "stray-quote-in-quoted-cell", "date-2011-02-30", "licenses-string", "sources-object",
             "crlf-first-lines-only", "int64-max-in-protocol", "choice-ids-differ-in-case", "title-is-body-marker",
             "two-links-to-one-package", "two-to-the-63", "folder-ansi-escape", "resources-80000",
             "unit-ids-differ-in-case"}
    assert issue <= set(names), issue - set(names)


SUBPROCESS_CASES = ["path-dot", "descriptor-nested-100000", "stray-quote-in-quoted-cell", "folder-ansi-escape",
                    "two-links-to-one-package"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_command_line(name, tmp_path):
    """The same refusals from ``python build.py validate`` in its own process: exit 1, no traceback."""
    case = next(c for c in CASES if c.name == name)
    datasets = make_datasets(tmp_path, case)
    env = dict(os.environ, ASHYQ_VALIDATION_CACHE="off", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "validate", "--datasets", str(datasets)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert_refusal(result.returncode, result.stderr, *case.refuse)
    assert not RAW_CONTROL.search(result.stdout)


CACHED_CASES = ["descriptor-lone-surrogate", "path-symlink-loop", "resource-is-fifo", "two-links-to-one-package",
                "cr-only-line-ends"]


@pytest.mark.parametrize("name", CACHED_CASES)
def test_refusals_with_the_validation_cache_on(name, tmp_path, capsys, monkeypatch):
    """The cache key is computed before the checks: a package it cannot hash is still refused clearly."""
    monkeypatch.setenv("ASHYQ_VALIDATION_CACHE", str(tmp_path / "cache"))
    case = next(c for c in CASES if c.name == name)
    datasets = make_datasets(tmp_path, case)
    code = cli.main(["validate", "--datasets", str(datasets), "--quiet"])
    assert_refusal(code, capsys.readouterr().err, *case.refuse)
