"""Shared fixtures. Tests import helpers from this folder (``import synthetic``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    return ROOT / "datasets"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, datasets_dir) -> Path:
    """The whole site built once per session from the bundled datasets (``build.py --site <tmp>``);
    ``ASHYQ_BUILT_SITE=<folder>`` reuses a site built from this tree's datasets (while working on tests)."""
    import os

    from ashyq.cli import main

    if os.environ.get("ASHYQ_BUILT_SITE"):
        return Path(os.environ["ASHYQ_BUILT_SITE"])
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path_factory.mktemp("built") / "site"
    assert main(["--datasets", str(datasets_dir), "--site", str(site), "--quiet"]) == 0
    return site
