"""The corrections page: generated from the package's changes resource, never written by hand."""
from __future__ import annotations

import re

import polars as pl

import synthetic
from ashyq import load, model
from ashyq.package_writer import write_package
from ashyq.render.data import load_election
from ashyq.render.locale import Locale
from ashyq.render.pages.changelog import changelog_page


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_2019_correction_is_on_the_corrections_page(built_site, datasets_dir):
    changes = pl.read_csv(datasets_dir / "kz-2019-presidential" / "changes.csv")
    assert changes.height >= 1
    page = (built_site / "en" / "elections" / "kz-2019-presidential" / "changes" / "index.html").read_text(encoding="utf-8")
    text = visible_text(page)
    for change in changes.to_dicts():
        assert f"{change['old_value']:.2f}" in text and f"{change['new_value']:.2f}" in text
        assert Locale("en").date(change["old_published_on"]) in text
    assert "Tokayev" in text
    election_page = (built_site / "en" / "elections" / "kz-2019-presidential" / "index.html").read_text(encoding="utf-8")
    assert 'href="changes/"' in election_page


def test_an_election_without_corrections_says_so(built_site):
    page = (built_site / "en" / "elections" / "spb-2021" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "No corrections are recorded" in page


def _package_with_changes(tmp_path, changes: list[dict]):
    tables = synthetic.tables()
    tables["changes"] = pl.DataFrame(changes)
    write_package(tmp_path / "test-election", synthetic.METADATA, tables)
    db = model.build_model(load.load_packages(tmp_path))
    return changelog_page(Locale("en"), db, load_election(db, "test-election"))


def test_each_change_names_its_unit_field_and_figures_and_escapes_its_note(tmp_path):
    page = _package_with_changes(tmp_path, [
        dict(contest_id="pres", unit_id="r1.d1.1", source_id="official", field="ballots_valid",
             old_value=580.0, new_value=590.0, old_published_on="2024-01-02", changed_on="2024-01-05",
             note="<script>alert(1)</script> late recount", url="javascript:alert(1)"),
        dict(contest_id="pres", unit_id="r1.d1.1", source_id="official", field="votes:a",
             old_value=390.0, new_value=400.0, old_published_on="2024-01-02"),
    ])
    body = page.body
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; late recount" in body
    assert "javascript:" not in body  # only http(s) links from data
    text = visible_text(body)
    assert "Valid ballots" in text and "Votes: Candidate A" in text
    assert "580" in text and "590" in text and "5 January 2024" in text
    # a correction date that was never published is labelled, not blank
    assert "not published" in text
    assert 'href="../stations/r1.d1/0-99/#r1.d1.1"' in body  # the station's column on its sheet
