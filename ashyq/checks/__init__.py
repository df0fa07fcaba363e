"""Stage 4, checks: show every number that does not add up.

``run_checks(db)`` evaluates the registry (``registry.py``) and the comparisons of ``sql/checks.sql``
in DuckDB and leaves these tables for the pages and downloads:

- ``findings``: one row per protocol and check that failed or cannot be checked;
- ``check_counts``: checked / passed / failed / cannot be checked per election, contest, check, level;
- ``check_outcomes``: every evaluation including the passed ones (for badges and tests);
- ``tabulation_differences``: a commission's own aggregate against the complete sum of its stations;
- ``source_differences``: the same protocol from two sources, figure by figure;
- ``turnout_increments`` and ``turnout_flags``: turnout through the day and its indicators.

Python only assembles SQL from the registry; the arithmetic is set operations in DuckDB.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .. import contract
from .registry import (BY_ID, CHECKS, MIN_UNITS_FOR_OUTLIERS, ROBUST_Z_THRESHOLD, SECOND_PEAK_SHARE,
                       TURNOUT_FLAGS, Check)

__all__ = ["run_checks", "CHECKS", "BY_ID", "Check", "TURNOUT_FLAGS", "FINDINGS_COLUMNS"]

SQL_FILE = Path(__file__).resolve().parent.parent / "sql" / "checks.sql"
FINDINGS_COLUMNS = ("election_id", "contest_id", "unit_id", "source_id", "check_id", "status",
                    "expected", "actual", "difference", "detail")
STAGES = ("protocol_figures", "turnout_series", "turnout_check_results", "check_outcomes", "findings",
          "check_counts", "field_labels", "station_sums_long", "tabulation_differences",
          "source_differences", "turnout_increments", "turnout_flags")


def run_checks(db) -> None:
    """Create the findings and comparison tables in the model's DuckDB."""
    con = db.con
    _create_line_labels(con)
    blocks = _blocks()
    for name in STAGES:
        con.execute(blocks[name])


def have_run(db) -> bool:
    """Whether the checks stage has run on this model (its tables exist; a render-only test has none)."""
    return db.rows("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'check_outcomes'")[0]["n"] > 0


@cache
def _blocks() -> dict[str, str]:
    text = SQL_FILE.read_text(encoding="utf-8")
    parts = re.split(r"^-- name: *(\w+) *$", text, flags=re.MULTILINE)
    lines = ", ".join(f'"{n}"' for n in contract.line_names())
    values = dict(
        lines=lines,
        line_counts=", ".join(f'"{n}__n"' for n in contract.line_names()),
        protocol_checks="\n    UNION ALL\n    ".join(protocol_check_sql(c) for c in CHECKS if c.scope == "protocol"),
        min_units=MIN_UNITS_FOR_OUTLIERS,
        z_threshold=ROBUST_Z_THRESHOLD,
        peak_share=SECOND_PEAK_SHARE,
        figures_of=_FiguresOf(lines),
    )
    return {name: body.strip().format(**values) for name, body in zip(parts[1::2], parts[2::2])}


class _FiguresOf:
    """``{figures_of:<table>}`` in checks.sql: the published figures of the protocols in <table> (a
    few of many, chosen before unpivoting), one row each: the lines, then "votes:<choice_id>"."""

    def __init__(self, lines: str):
        self.lines = lines

    def __format__(self, table: str) -> str:
        return (f"SELECT election_id, contest_id, unit_id, source_id, field, value::BIGINT AS value\n"
                f"FROM (UNPIVOT (SELECT election_id, contest_id, unit_id, source_id, {self.lines} FROM {table})\n"
                f"      ON {self.lines} INTO NAME field VALUE value)\n"
                f"UNION ALL\n"
                f"SELECT v.election_id, v.contest_id, v.unit_id, v.source_id, 'votes:' || v.choice_id, v.votes\n"
                f"FROM votes v SEMI JOIN {table} USING (election_id, contest_id, unit_id, source_id)\n"
                f"WHERE v.votes IS NOT NULL")


def protocol_check_sql(check: Check) -> str:
    """One SELECT evaluating a protocol check on every protocol."""
    missing = ", ".join(f"CASE WHEN ({sql}) IS NULL THEN {_quote(label)} END" for label, sql in check.terms.items())
    passes = f"actual {check.relation} expected"
    detail = check.detail or (
        f"printf('%s: %,d against %,d (difference %+,d)', {_quote(check.formula)}, actual, expected, actual - expected)"
    )
    return f"""SELECT election_id, contest_id, unit_id, source_id, level, {_quote(check.id)} AS check_id,
           actual::DOUBLE AS actual, expected::DOUBLE AS expected,
           CASE WHEN actual IS NULL OR expected IS NULL THEN 'cannot_check'
                WHEN {passes} THEN 'passed' ELSE 'failed' END AS status,
           CASE WHEN actual IS NULL OR expected IS NULL
                     THEN 'Cannot be checked: not published: ' || concat_ws(', ', {missing})
                WHEN NOT ({passes}) THEN {detail} END AS detail,
           NULL::TIMESTAMP AS previous_at, NULL::TIMESTAMP AS reported_at, NULL::BOOLEAN AS by_count
    FROM (SELECT f.*, ({check.actual}) AS actual, ({check.expected}) AS expected
          FROM protocol_figures f)"""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_line_labels(con) -> None:
    con.execute("CREATE OR REPLACE TABLE check_line_labels (field VARCHAR, label VARCHAR, position INTEGER)")
    con.executemany("INSERT INTO check_line_labels VALUES (?, ?, ?)",
                    [(line.name, line.label("en"), i) for i, line in enumerate(contract.protocol_lines())])


def methodology_markdown(loc) -> str:
    """The methodology page's description of every check (the render hook asks the checks stage)."""
    from ..render.methodology import methodology_markdown as generate

    return generate(loc)
