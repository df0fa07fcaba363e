"""The rule every input is held to, as assertions shared by the named cases and the fuzzer."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from ashyq.render import slots, urls
from ashyq.render.escape import h
from ashyq.render.locale import LANGUAGES

# What must never reach a terminal raw (line feeds and tabs are the report's own layout).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def assert_refusal(code: int, err: str, file: str | None = None, text: str | None = None) -> None:
    """Exit 1, no traceback, nothing raw on the terminal; the message names ``file`` and says ``text``."""
    assert code == 1, f"exit {code}, expected a refusal (1):\n{err}"
    assert "Traceback" not in err
    assert not RAW_CONTROL.search(err), f"raw control character reaches the terminal: {err!r}"
    assert "problem(s) in the input data" in err, err
    if file is not None:
        assert file in err, f"the refusal does not name {file!r}:\n{err}"
    if text is not None:
        assert text in err, f"the refusal does not say {text!r}:\n{err}"


def assert_complete_site(site: Path, datasets: Path) -> None:
    """The home page and the manifest, the page of every unit of every package in every language, every station page
    written; no slot placeholder left anywhere."""
    assert (site / "index.html").is_file() and (site / "manifest.json").is_file()
    for package in sorted(p for p in datasets.iterdir() if p.is_dir()):
        with (package / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
            units = list(csv.DictReader(handle))
        for unit in units:
            for lang in LANGUAGES:
                url = urls.unit(lang, package.name, unit["unit_id"], unit["level"], is_root=not unit["parent_id"],
                                parent_id=unit["parent_id"], code=unit.get("code"))
                page, _, station = url.partition("#")  # a station is a column of its protocol sheet
                assert (site / page / "index.html").is_file(), f"no page for unit {unit['unit_id']} at {url}"
                if unit["level"] == "station":
                    html = (site / page / "index.html").read_text(encoding="utf-8")
                    assert '<div class="ashyq-station">' in html and f' id="{h(station)}"' in html, url
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'data-ashyq-slot="' not in text and slots.OPEN not in text and slots.CLOSE not in text, page
