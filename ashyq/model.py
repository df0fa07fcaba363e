"""Stage 3, model: load the validated packages into DuckDB and give pages one query layer.

Every resource becomes a table of the same name with an ``election_id`` column in front; the views
in ``sql/views.sql`` (hierarchy, totals at every level per contest and source, coverage, turnout
timelines) and the named queries in ``sql/queries.sql`` are the only way pages and downloads read
data, so a number is computed once and shown the same everywhere.
"""
from __future__ import annotations

import json
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from . import contract
from .load import ElectionPackage

SQL_DIR = Path(__file__).with_name("sql")
# Totals a protocol derives from its parts: when the total line is not published but every part is,
# the model derives it ONCE (views.sql, table ``protocols``, with ``<line>_derived`` = true) and pages,
# checks and downloads all read that one value. The package's CSV is never rewritten. "Every part":
# a part the form does not have at all (no protocol of the contest publishes it, e.g. early voting on
# a Kazakh form) counts as 0.
DERIVED_TOTALS = {
    "ballots_issued": ("ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside"),
    "ballots_in_boxes": ("ballots_in_mobile_boxes", "ballots_in_stationary_boxes"),
}
# DuckDB caches up to 80% of RAM by default; the checks stage's tables of a national election (about
# 600 MB for RU 2018) then stay resident next to the render stage's Python data. Capped, DuckDB spills
# them to a temporary folder (its own, removed when the connection closes) at no measurable cost.
# The cap grows with the input: RU 2018 (63 MB of CSV) needs more than 256 MB (out of memory in the
# checks stage below that) and runs as fast at 320 MB as uncapped; 8x the CSV bytes keeps twice that margin.
DUCKDB_MIN_MEMORY_MB = 512
DUCKDB_MEMORY_PER_INPUT_BYTE = 8
# The colours of the parties and candidates that have none in their package (choices.colour): 14
# colours for the largest ballots bundled (St Petersburg 2021: 14 party lists). First the 7 colours of
# Okabe & Ito's colour-blind-safe set ("Color Universal Design", 2008; its black left out, as text is
# black), then 7 of Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/, also made
# to stay distinct for colour-blind readers), leaving out its cyan and teal, too close to Okabe-Ito's.
CHOICE_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
                  "#332288", "#117733", "#882255", "#999933", "#AA4499", "#DDCC77", "#CC6677")
OTHERS_COLOUR = "#BBBBBB"  # Tol's grey: the small choices grouped as "others" on a stacked bar
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


@dataclass
class Model:
    con: duckdb.DuckDBPyConnection
    packages: list[ElectionPackage] = field(default_factory=list)

    def frame(self, sql: str, params: dict | list | None = None) -> pl.DataFrame:
        """Run SQL and return a Polars frame."""
        return self.con.sql(sql, params=params or {}).pl()

    def rows(self, sql: str, params: dict | list | None = None) -> list[dict]:
        result = self.con.execute(sql, params or {})
        names = [column[0] for column in result.description]
        # Equal text (ids, levels, statuses) shares one str object: a national election's 780k vote
        # rows otherwise hold millions of equal copies (render data of RU 2018: 1.0 GB → 0.58 GB).
        shared: dict[str, str] = {}

        def one(value):
            return shared.setdefault(value, value) if type(value) is str else value

        return [dict(zip(names, map(one, row))) for row in result.fetchall()]

    def named(self, query: str, **params) -> list[dict]:
        """Run a named query from ``sql/queries.sql`` with ``$name`` parameters."""
        return self.rows(named_queries()[query], params)


def build_model(packages: list[ElectionPackage], database: str = ":memory:") -> Model:
    spill_dir = Path(tempfile.gettempdir()) / f"ashyq-duckdb-{uuid.uuid4().hex}"  # DuckDB creates and removes it
    con = duckdb.connect(database, config={"autoinstall_known_extensions": False,
                                           "autoload_known_extensions": False,
                                           "memory_limit": f"{_memory_limit_mb(packages)}MB",
                                           "temp_directory": str(spill_dir)})
    _create_tables(con)
    for package in packages:
        _load_package(con, package)
    _assign_choice_colours(con)
    con.execute(views_sql())
    return Model(con, list(packages))


def _assign_choice_colours(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``choice_colours``: one colour per party or candidate of each election, the same on every
    chart and map of it.

    A party or candidate is known by its name (the first of name_ru, name_en, name_kk, lower case,
    else its choice_id): a party on two lists, or a candidate standing in two constituencies under two
    choice ids, is drawn in one colour. The package's own colour (choices.colour) where it gives one
    (for that name in any contest); else a colour of CHOICE_PALETTE. Names take their colour in order
    of first appearance (contest by contest, party lists and presidential ballots before single-member
    ones, each in ballot order): the colour used least so far in the election that no name sharing a
    ballot with it has. A name left without a free colour, or one whose colour is already taken on a
    ballot, gets a colour free on that ballot: two choices of one chart share a colour only when a
    ballot has more choices than the palette has colours."""
    con.execute("CREATE TABLE choice_colours (election_id VARCHAR, contest_id VARCHAR, choice_id VARCHAR, colour VARCHAR)")
    rows = con.execute(
        "SELECT ch.election_id, ch.contest_id, ch.choice_id, "
        "lower(regexp_replace(trim(coalesce(ch.name_ru, ch.name_en, ch.name_kk, '#' || ch.choice_id)), '\\s+', ' ', 'g')), "
        "upper(ch.colour) FROM choices ch JOIN contests c USING (election_id, contest_id) "
        "ORDER BY ch.election_id, c.kind = 'single_member', c.kind, c.round, "
        "try_cast(regexp_extract(ch.contest_id, '\\d+') AS BIGINT) NULLS FIRST, ch.contest_id, ch.ballot_order, ch.choice_id"
    ).fetchall()
    given: dict[tuple[str, str], str] = {}
    for election, _, _, name, colour in rows:
        if colour:
            given.setdefault((election, name), colour)
    contests: dict[tuple[str, str], list[tuple]] = {}
    neighbours: dict[tuple[str, str], set[tuple[str, str]]] = {}  # names that share a ballot
    for row in rows:
        contests.setdefault(row[:2], []).append(row)
    for (election, _), ballot in contests.items():
        names = {(election, row[3]) for row in ballot}
        for name in names:
            neighbours.setdefault(name, set()).update(names - {name})
    # each name in order of first appearance: its package colour, else the least used colour that no
    # name sharing a ballot with it has (greedy colouring; none free: chosen ballot by ballot below)
    named: dict[tuple[str, str], str] = {}
    used: dict[str, dict[str, int]] = {}  # election → colour → names drawn in it
    for election, _, _, name, _ in rows:
        key = (election, name)
        if key in named:
            continue
        counts = used.setdefault(election, {})
        if key in given:
            named[key] = given[key]
        else:
            near = {named[n] for n in neighbours[key] if n in named} | {given[n] for n in neighbours[key] if n in given}
            free = [c for c in CHOICE_PALETTE if c not in near]
            if not free:
                continue
            named[key] = min(free, key=lambda c: (counts.get(c, 0), CHOICE_PALETTE.index(c)))
        counts[named[key]] = counts.get(named[key], 0) + 1
    out = []
    for (election, contest), ballot in contests.items():
        taken: set[str] = set()
        for _, _, choice, name, own in ballot:
            colour = own or named.get((election, name))
            if colour is None or (colour in taken and not own):
                counts = used[election]
                free = [c for c in CHOICE_PALETTE if c not in taken] or list(CHOICE_PALETTE)
                colour = min(free, key=lambda c: (counts.get(c, 0), CHOICE_PALETTE.index(c)))
            taken.add(colour)
            out.append((election, contest, choice, colour))
    if out:
        con.executemany("INSERT INTO choice_colours VALUES (?, ?, ?, ?)", out)


def _memory_limit_mb(packages: list[ElectionPackage]) -> int:
    size = sum(path.stat().st_size for p in packages for path in p.resource_paths.values() if path.is_file())
    return max(DUCKDB_MIN_MEMORY_MB, DUCKDB_MEMORY_PER_INPUT_BYTE * size // 2**20)


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE elections (election_id VARCHAR PRIMARY KEY, name VARCHAR, title VARCHAR, "
        "title_en VARCHAR, title_ru VARCHAR, title_kk VARCHAR, date DATE, country VARCHAR, type VARCHAR, "
        "version VARCHAR, licenses VARCHAR, sources VARCHAR, division VARCHAR)"
    )
    for resource in contract.resource_names():
        columns = ", ".join(
            f'"{f["name"]}" {DUCKDB_TYPES[f["type"]]}' for f in contract.fields(resource)
        )
        # protocols as published; views.sql makes ``protocols`` from it with the derived totals
        table = "protocols_published" if resource == "protocols" else resource
        con.execute(f'CREATE TABLE "{table}" (election_id VARCHAR, {columns})')
    # The lines a package adds to its protocol form (election.extra_lines), and their values, long.
    con.execute("CREATE TABLE extra_lines (election_id VARCHAR, name VARCHAR, position INTEGER, "
                "label_en VARCHAR, label_ru VARCHAR, label_kk VARCHAR)")
    con.execute("CREATE TABLE protocol_extra_values (election_id VARCHAR, contest_id VARCHAR, unit_id VARCHAR, "
                "source_id VARCHAR, line VARCHAR, value BIGINT)")


def _load_package(con: duckdb.DuckDBPyConnection, package: ElectionPackage) -> None:
    election = package.election
    titles = election.get("title", {})
    con.execute(
        "INSERT INTO elections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            package.id,
            package.descriptor.get("name"),
            package.descriptor.get("title"),
            titles.get("en"),
            titles.get("ru"),
            titles.get("kk"),
            election.get("date"),
            election.get("country"),
            election.get("type"),
            package.descriptor.get("version"),
            json.dumps(package.descriptor.get("licenses", []), ensure_ascii=False),
            json.dumps(package.descriptor.get("sources", []), ensure_ascii=False),
            election.get("division"),  # the regions' map (ashyq/geo), joined by units.code
        ],
    )
    extra = contract.extra_lines(package.descriptor)
    for position, line in enumerate(extra):
        con.execute("INSERT INTO extra_lines VALUES (?, ?, ?, ?, ?, ?)",
                    [package.id, line.name, position, line.labels.get("en"), line.labels.get("ru"),
                     line.labels.get("kk")])
    for resource in contract.resource_names():
        path = package.resource_paths.get(resource)
        if path is None:
            continue
        columns = {f["name"]: DUCKDB_TYPES[f["type"]] for f in contract.fields(resource, extra)}
        read = (f"read_csv($path, header = true, auto_detect = false, delim = ',', quote = '\"', "
                f"escape = '\"', nullstr = '', columns = {_struct_literal(columns)})")
        params = {"election_id": package.id, "path": str(path)}
        if resource != "protocols":
            con.execute(f'INSERT INTO "{resource}" SELECT $election_id, * FROM {read}', params)
            continue
        standard = ", ".join(f'"{f["name"]}"' for f in contract.fields("protocols"))
        con.execute(f"INSERT INTO protocols_published SELECT $election_id, {standard} FROM {read}", params)
        if extra:
            names = ", ".join(f'"{line.name}"' for line in extra)
            con.execute(f"INSERT INTO protocol_extra_values SELECT $election_id, contest_id, unit_id, source_id, "
                        f"line, value FROM (UNPIVOT (SELECT contest_id, unit_id, source_id, {names} FROM {read}) "
                        f"ON {names} INTO NAME line VALUE value)", params)


def _struct_literal(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def views_sql() -> str:
    """``sql/views.sql`` with the protocol lines of the contract filled in."""
    lines = contract.line_names()
    return (SQL_DIR / "views.sql").read_text(encoding="utf-8").format(
        form_has=",\n           ".join(f'count("{n}") > 0 AS form_has_{n}' for n in _parts()),
        derived_exclude=", ".join([*DERIVED_TOTALS, *(f"form_has_{n}" for n in _parts())]),
        derived_lines=",\n       ".join(_derived_sql(total, parts) for total, parts in DERIVED_TOTALS.items()),
        derived_flags=",\n       ".join(f'"{total}" IS NULL AND ({_parts_sql(parts)}) IS NOT NULL AS "{total}_derived"'
                                         for total, parts in DERIVED_TOTALS.items()),
        any_figure=" OR ".join(f'p."{n}" IS NOT NULL' for n in lines),
        line_sums=",\n       ".join(f'sum(p."{n}")::BIGINT AS "{n}", count(p."{n}") AS "{n}__n"' for n in lines),
        derived_counts=",\n       ".join(f'count(*) FILTER (WHERE p."{n}_derived") AS "{n}__derived"'
                                          for n in DERIVED_TOTALS),
        line_counts=", ".join(f'count(p."{n}") FILTER (WHERE NOT p."{n}_derived") AS "{n}"' if n in DERIVED_TOTALS
                              else f'count(p."{n}") AS "{n}"' for n in lines),
    )


def _parts_sql(parts: tuple[str, ...]) -> str:
    """The sum of the parts; a part no protocol of the contest publishes (not on the form) counts as 0."""
    on_form = " OR ".join(f"form_has_{n}" for n in parts)
    total = " + ".join(f'CASE WHEN form_has_{n} THEN "{n}" ELSE 0 END' for n in parts)
    return f"CASE WHEN {on_form} THEN {total} END"


def _derived_sql(total: str, parts: tuple[str, ...]) -> str:
    return f'coalesce("{total}", {_parts_sql(parts)}) AS "{total}"'


def _parts() -> list[str]:
    return [part for parts in DERIVED_TOTALS.values() for part in parts]


@cache
def named_queries() -> dict[str, str]:
    """``-- name: x`` blocks of ``sql/queries.sql``."""
    text = (SQL_DIR / "queries.sql").read_text(encoding="utf-8")
    blocks = re.split(r"^-- name: *(\w+) *$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(blocks[1::2], blocks[2::2])}
