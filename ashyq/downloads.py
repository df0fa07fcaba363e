"""Downloads: every result table of every election as CSV, Parquet and JSON, and each package as a zip.

Per election, contest and level there is one table with one row per unit: where the unit sits in the
hierarchy, its names, where its figures come from (``figures``), every protocol line in contract
order, the turnout as published and the votes per choice. A unit's own published protocol is
preferred; where there is none, the sum of its stations' protocols is given and says over how many
stations it runs. An empty cell is "not published", never zero.

All bytes are deterministic (rows in hierarchy order, fixed zip timestamps), CSV cells that a
spreadsheet could run as a formula are neutralised, and the tables of an election come from a few
DuckDB queries over all its contests and levels (sql/downloads.sql), split and written by Polars, so
the 97,699 stations of a national election take seconds, not minutes.

Each unit between the election and its polling stations (a region, a district) also gets its
stations' protocols and votes as published, CSV and Parquet, under ``units/<unit_id>/``.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import polars as pl

from . import contract
from .load import DESCRIPTOR, ElectionPackage
from .model import DERIVED_TOTALS, SQL_DIR, Model
from .problems import InputError, Problem

FORMATS = ("csv", "parquet", "json")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# A text cell a spreadsheet could run as a formula (CSV injection): one starting with a tab or a
# carriage return, or whose first character after any white space (spaces, NBSP, line breaks, zero-width
# spaces, a BOM) is = + - @ or their full-width or small forms. Such a cell gets a leading apostrophe.
# The same pattern runs in Python (``re``) and in Polars (Rust ``regex``); tests check they agree.
FORMULA_START = (r"^(?:[\t\r]|[\s\u200b-\u200d\u2060\ufeff]*"
                 r"[=+\-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b])")
_FORMULA = re.compile(FORMULA_START)
# Control characters never reach a download: all but tab, line feed and carriage return are dropped
# from text cells (NUL, ESC and the rest would reach a terminal or confuse a reader).
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
PACKAGE_README = "README.txt"

FIGURES_DESCRIPTION = (
    'Where the row\'s figures come from: "official protocol", "commission summary" or "observer copy" '
    'for the unit\'s own published protocol; "sum of N of M stations" where the unit has none and its '
    'stations\' protocols were added up (N stations with a protocol from that source, M in the contest), '
    'followed by ", partial" and the reason when the package does not list all the unit\'s stations or '
    "a line is published at only some of them (its sum then covers only those)."
)
# A unit's own protocol beats a sum; among sources, official first.
OWN_PRIORITY = {"official": 0, "commission_summary": 1, "observer_copy": 4}
SUM_PRIORITY = {"official": 2, "commission_summary": 3, "observer_copy": 5}


@dataclass(frozen=True)
class Download:
    election_id: str
    contest_id: str | None  # None for files covering the whole election
    level: str  # a unit level, "turnout", "package", or "protocols" / "votes" for a unit's stations
    format: str  # csv | parquet | json | zip
    path: str  # relative to out_dir, posix
    size: int
    sha256: str
    rows: int | None  # None for the zip
    description: str
    unit_id: str | None = None  # the unit whose stations a file holds (units/<unit_id>/), else None
    release: str | None = None  # its asset name if it is a GitHub Release asset (publish/release.py)


@dataclass(frozen=True)
class KeptUnits:
    """The station files of some regions of an election kept from the previous build
    (render/reuse.py): the regions, and their units' downloads as written then."""
    regions: set[str]
    downloads: list[Download]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | number | datetime
    description: str


def write_downloads(db: Model, packages: list[ElectionPackage], out_dir: Path,
                    kept: dict[str, KeptUnits] | None = None, zips: bool = True) -> list[Download]:
    """Write every download of every package under ``out_dir``; return them in a stable order.
    ``kept``: per election, regions whose units' station files are not written but kept as they are.
    ``zips=False``: without the packages' zips (``write_package_zips``: render writes them meanwhile)."""
    out_dir = Path(out_dir)
    downloads: list[Download] = []
    for package in sorted(packages, key=lambda p: p.id):
        election_id = _safe_id(package.id, package.id, DESCRIPTOR, "name")
        tables = results_tables(db, election_id)
        for contest in db.rows(
            "SELECT contest_id, coalesce(name_en, name_ru, name_kk, contest_id) AS name FROM contests "
            "WHERE election_id = $e ORDER BY contest_id", {"e": election_id}
        ):
            contest_id = _safe_id(contest["contest_id"], election_id, "contests.csv", "contest_id")
            for level in _level_order():
                frame = tables.pop((contest_id, level), None)
                if frame is None or frame.height == 0:
                    continue
                description = f"{contest['name']}: one row per {level} ({_count(frame.height)})"
                downloads += _write_table(frame, out_dir, f"{election_id}/{contest_id}/{level}",
                                          election_id, contest_id, level, description)
        downloads += _write_unit_stations(db, out_dir, election_id, (kept or {}).get(package.id))
        turnout = turnout_table(db, election_id)
        if turnout.height:
            downloads += _write_table(turnout, out_dir, f"{election_id}/turnout", election_id, None, "turnout",
                                      f"Turnout reports through election day, one row per unit and report "
                                      f"({_count(turnout.height)})")
        if zips:
            downloads.append(_write_package_zip(package, out_dir, election_id))
    return downloads


def write_package_zips(packages: list[ElectionPackage], out_dir: Path) -> list[Download]:
    """Each package as a zip (``write_downloads`` writes them too, after each package's tables)."""
    return [_write_package_zip(package, Path(out_dir), _safe_id(package.id, package.id, DESCRIPTOR, "name"))
            for package in sorted(packages, key=lambda p: p.id)]


def move_to_release(downloads: list[Download], out_dir: Path, release_dir: Path,
                    taken: list[Download] = ()) -> list[Download]:
    """Move the bulk files (``release.in_release``) from ``out_dir`` to ``release_dir``, named as
    Release assets; return the downloads with ``release`` set on those. ``taken``: downloads moved
    there before, whose asset names are taken."""
    from dataclasses import replace

    from .publish import release

    moved, names = [], {d.release.casefold(): d.path for d in taken}
    for download in downloads:
        if release.in_release(download):
            name = release.asset_name(download.path)
            if name.casefold() in names:
                raise RuntimeError(f"two downloads would be the Release asset {name!r}: "
                                   f"{names[name.casefold()]!r} and {download.path!r}")
            names[name.casefold()] = download.path
            Path(release_dir).mkdir(parents=True, exist_ok=True)
            (Path(out_dir) / download.path).replace(Path(release_dir) / name)
            download = replace(download, release=name)
        moved.append(download)
    return moved


# --- the result tables -------------------------------------------------------------------------

def _levels(db: Model, election_id: str, contest_id: str) -> list[str]:
    """Levels with a protocol or a sum of stations in the contest, top to bottom."""
    present = {r["level"] for r in db.rows(
        "SELECT DISTINCT u.level FROM units u JOIN ("
        "  SELECT unit_id FROM protocols WHERE election_id = $e AND contest_id = $c"
        "  UNION SELECT unit_id FROM station_sums WHERE election_id = $e AND contest_id = $c"
        ") k USING (unit_id) WHERE u.election_id = $e", {"e": election_id, "c": contest_id})}
    return [level for level in _level_order() if level in present]


def _level_order() -> list[str]:
    return next(f for f in contract.fields("units") if f["name"] == "level")["enum"]


def _ancestor_levels(db: Model, election_id: str, level: str) -> list[str]:
    """Levels above ``level`` that its units have as ancestors (the single root left out)."""
    present = {r["level"] for r in db.rows(
        "SELECT DISTINCT au.level FROM unit_ancestors a "
        "JOIN units u ON u.election_id = a.election_id AND u.unit_id = a.unit_id "
        "JOIN unit_tree au ON au.election_id = a.election_id AND au.unit_id = a.ancestor_id "
        "WHERE a.election_id = $e AND u.level = $level AND a.distance > 0 AND au.depth > 0",
        {"e": election_id, "level": level})}
    return [lv for lv in _level_order() if lv in present]


def _choices(db: Model, election_id: str, contest_id: str) -> list[dict]:
    """The contest's choices in ballot order, with whether any percent is published for them."""
    return db.rows(
        "SELECT ch.choice_id, coalesce(ch.name_en, ch.name_ru, ch.name_kk, ch.choice_id) AS name, "
        "  EXISTS (SELECT 1 FROM votes v WHERE v.election_id = ch.election_id AND v.contest_id = ch.contest_id "
        "          AND v.choice_id = ch.choice_id AND v.percent IS NOT NULL) AS has_percent "
        "FROM choices ch WHERE ch.election_id = $e AND ch.contest_id = $c ORDER BY ch.ballot_order, ch.choice_id",
        {"e": election_id, "c": contest_id})


def table_columns(db: Model, election_id: str, contest_id: str, level: str) -> list[Column]:
    """The columns of one result table, in file order, described from the contract."""
    return _table_columns(_ancestor_levels(db, election_id, level), _extra_lines(db, election_id),
                          _choices(db, election_id, contest_id))


def _table_columns(ancestors: list[str], extra: list[dict], choices: list[dict]) -> list[Column]:
    units = {f["name"]: f for f in contract.fields("units")}
    protocols = {f["name"]: f for f in contract.fields("protocols")}
    votes = {f["name"]: f for f in contract.fields("votes")}
    columns = [Column("unit_id", "string", units["unit_id"]["description"])]
    for above in ancestors:
        columns += [Column(f"{above}_id", "string", f"unit_id of the {above} this unit belongs to."),
                    Column(f"{above}_name", "string",
                           f"Name of that {above} (English, else Russian, else Kazakh, else its code).")]
    columns += [Column(name, "string", units[name]["description"])
                for name in ("commission", "code", "name_kk", "name_ru", "name_en", "address")]
    columns.append(Column("source_id", "string", protocols["source_id"]["description"]))
    columns.append(Column("figures", "string", FIGURES_DESCRIPTION))
    columns += [Column(line.name, "integer", f"{line.label('en')}. Empty: not published."
                       + (f" Where the protocol does not publish it but publishes all its parts, their sum "
                          f"(see {line.name}_derived)." if line.name in DERIVED_TOTALS else ""))
                for line in contract.protocol_lines()]
    columns += [Column(f"{name}_derived", "integer",
                       f"How many of the protocols in this row's {name} do not publish it: their figure is the sum "
                       f"of its published parts, derived once by the model (0 or 1 for a unit's own protocol).")
                for name in DERIVED_TOTALS]
    columns += [Column(line["name"], "integer", f"{line['label_en'] or line['name']} (a line of this package's own "
                                                "protocol form). Empty: not published, or a sum of stations.")
                for line in extra]
    columns.append(Column("turnout_percent", "number",
                          f"{protocols['turnout_percent']['description']} Empty for sums of stations."))
    columns += [Column(f"votes_{c['choice_id']}", "integer",
                       f"{c['name']}: {votes['votes']['description']} Summed like the lines. Empty: not published.")
                for c in choices]
    columns += [Column(f"percent_{c['choice_id']}", "number", f"{c['name']}: {votes['percent']['description']}")
                for c in choices if c["has_percent"]]
    return columns


def _extra_lines(db: Model, election_id: str) -> list[dict]:
    return db.named("election_extra_lines", election_id=election_id)


def columns_dictionary(db: Model, election_id: str, contest_id: str) -> list[dict]:
    """Every column that the contest's result tables can have (name, type, description), in file order."""
    seen: dict[str, Column] = {}
    for level in _levels(db, election_id, contest_id):
        for column in table_columns(db, election_id, contest_id, level):
            seen.setdefault(column.name, column)
    # Ancestor columns appear only at lower levels: order as in the lowest level's table, others after.
    order = {name: i for i, name in enumerate(seen)}
    lowest = table_columns(db, election_id, contest_id, _levels(db, election_id, contest_id)[-1]) if seen else []
    rank = {c.name: i for i, c in enumerate(lowest)}
    names = sorted(seen, key=lambda n: (rank.get(n, len(rank)), order[n]))
    return [{"name": n, "type": seen[n].type, "description": seen[n].description} for n in names]


def results_table(db: Model, election_id: str, contest_id: str, level: str) -> pl.DataFrame:
    """One row per unit of ``level`` in the contest, in hierarchy order."""
    frame = results_tables(db, election_id).get((contest_id, level))
    if frame is None:
        columns = table_columns(db, election_id, contest_id, level)
        frame = pl.DataFrame(schema={c.name: _POLARS_TYPES[c.type] for c in columns})
    return frame


def results_tables(db: Model, election_id: str) -> dict[tuple[str, str], pl.DataFrame]:
    """Every result table of the election, keyed by (contest, level), each in hierarchy order.

    A few queries over all contests and levels (sql/downloads.sql), split per table in Polars: one
    query per table made the downloads of a package with 35 contests take most of the build."""
    lines = contract.line_names()
    levels = _level_order()
    extra = _extra_lines(db, election_id)
    own_rank = _case("s.kind", OWN_PRIORITY, 9)
    sum_rank = _case("s.kind", SUM_PRIORITY, 9)
    line_sql = [f'CASE WHEN c.is_sum THEN ss."{n}" ELSE p."{n}" END AS "{n}"' for n in lines]
    line_sql += [f'CASE WHEN c.is_sum THEN ss."{n}__derived" ELSE p."{n}_derived"::INTEGER END AS "{n}_derived"'
                 for n in DERIVED_TOTALS]
    ancestor_sql = "".join(
        f", arg_min(au.unit_id, a.distance) FILTER (WHERE au.level = {_literal(lv)}) AS \"{lv}_id\""
        f", arg_min(au.name, a.distance) FILTER (WHERE au.level = {_literal(lv)}) AS \"{lv}_name\""
        for lv in levels)
    extra_sql = "".join(f", max(x.value) FILTER (WHERE x.line = {_literal(line['name'])}) AS \"{line['name']}\""
                        for line in extra)
    queries = _download_queries(
        own_rank=own_rank, sum_rank=sum_rank, lines=", ".join(line_sql),
        fewest_published="least(" + ", ".join(f'nullif(ss."{n}__n", 0)' for n in lines) + ")",
        ancestor_columns=ancestor_sql, extra_columns=extra_sql or ", NULL AS no_extra_line",
        ancestor_select="".join(f'an."{lv}_id", an."{lv}_name", ' for lv in levels),
        extra_select="".join(f'ex."{line["name"]}", ' for line in extra))
    params = {"e": election_id}
    db.con.execute(queries["download_sources"], params)
    try:
        results = db.frame(queries["download_results"], params)
        votes = db.frame(queries["download_votes"], params)
    finally:
        db.con.execute("DROP TABLE IF EXISTS download_sources")
    choices: dict[str, list[dict]] = {}
    for choice in db.rows(queries["download_choices"], params):
        choices.setdefault(choice["contest_id"], []).append(choice)
    ancestors: dict[str, set[str]] = {}
    for row in db.rows(queries["download_ancestor_levels"], params):
        ancestors.setdefault(row["level"], set()).add(row["ancestor_level"])

    tables = {}
    votes_by_contest = votes.partition_by("contest_id", as_dict=True, maintain_order=True)
    for (contest_id, level), frame in results.partition_by(["contest_id", "level"], as_dict=True,
                                                           maintain_order=True).items():
        contest_choices = choices.get(contest_id, [])
        columns = _table_columns([lv for lv in levels if lv in ancestors.get(level, set())],
                                 extra, contest_choices)
        frame = frame.with_row_index("__row").join(
            _vote_columns(votes_by_contest.get((contest_id,)), contest_choices), on="unit_id", how="left"
        ).sort("__row")
        tables[(contest_id, level)] = _conform(frame, columns)
    return tables


def _vote_columns(votes: pl.DataFrame | None, choices: list[dict]) -> pl.DataFrame:
    """One row per unit with votes_<choice> (and percent_<choice> where any is published)."""
    names = [f"votes_{c['choice_id']}" for c in choices]
    names += [f"percent_{c['choice_id']}" for c in choices if c["has_percent"]]
    if votes is None or votes.height == 0:
        return pl.DataFrame({"unit_id": []}, schema={"unit_id": pl.String}).with_columns(
            pl.lit(None).alias(n) for n in names)
    wide = votes.select("unit_id").unique(maintain_order=True)
    for value in ("votes", "percent"):
        part = votes.with_columns(column=pl.lit(f"{value}_") + pl.col("choice_id")).pivot(
            on="column", index="unit_id", values=value, aggregate_function="first")
        wide = wide.join(part, on="unit_id", how="left")
    return wide.with_columns(pl.lit(None).alias(n) for n in names if n not in wide.columns).select(
        ["unit_id"] + names)


@cache
def _download_query_text() -> dict[str, str]:
    text = (SQL_DIR / "downloads.sql").read_text(encoding="utf-8")
    blocks = re.split(r"^-- name: *(\w+) *$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(blocks[1::2], blocks[2::2])}


def _download_queries(**values: str) -> dict[str, str]:
    """sql/downloads.sql's queries with their {placeholders} filled (struct literals left alone)."""
    fill = lambda m: values[m.group(1)] if m.group(1) in values else m.group(0)  # noqa: E731
    return {name: re.sub(r"\{(\w+)\}", fill, sql) for name, sql in _download_query_text().items()}


# --- the stations of each unit ---------------------------------------------------------------

UNIT_FORMATS = ("csv", "parquet")
UNIT_TABLES = ("protocols", "votes")
STATION_NAMES = ("code", "name_kk", "name_ru", "name_en")


def unit_station_columns(table: str) -> list[Column]:
    """The columns of a unit's protocols or votes file: the contract's (the protocols with the
    station's code and names after its unit_id)."""
    units = {f["name"]: f for f in contract.fields("units")}
    columns = [Column(f["name"], f["type"], f["description"]) for f in contract.fields(table)]
    if table == "protocols":
        at = [c.name for c in columns].index("unit_id") + 1
        columns[at:at] = [Column(n, "string", f"The station's {n}: {units[n]['description']}") for n in STATION_NAMES]
    return columns


def _write_unit_stations(db: Model, out_dir: Path, election_id: str, kept: KeptUnits | None) -> list[Download]:
    """Per unit between the root and the stations (a region, a district): its stations' protocols
    and votes as published, CSV and Parquet, under ``units/<unit_id>/``; the units of ``kept``
    regions are not written again (their files are a function of the region's units, protocols,
    votes and choices: the region's view, which keyed them)."""
    downloads: list[Download] = list(kept.downloads) if kept else []
    queries = _download_queries()
    present = {r["level"] for r in db.rows(queries["download_unit_levels"], {"e": election_id})}
    skip = sorted(kept.regions) if kept else []
    for level in (lv for lv in _level_order() if lv in present):
        for table in UNIT_TABLES:
            columns = unit_station_columns(table)
            frame = db.frame(queries[f"download_unit_{table}"], {"e": election_id, "level": level, "kept": skip})
            # Made ready once per format, then cut per unit (a national election has ~3,000 units, and
            # each step's cost is mostly per call; every step works row by row: the files are the same).
            # The query orders by unit, so each unit's rows are one run, cut without a copy.
            runs = [(length, unit_id, _safe_id(unit_id, election_id, "units.csv", "unit_id"))
                    for length, unit_id in frame["folder_id"].rle().struct.unnest().rows()]  # in order
            conformed = _conform(frame, columns)
            del frame
            for fmt in UNIT_FORMATS:
                ready, offset = _format_frames(conformed, (fmt,))[fmt], 0
                for length, unit_id, folder in runs:
                    part, offset = ready.slice(offset, length), offset + length
                    description = f"The {table} of the polling stations of {level} {unit_id}, as published " \
                                  f"({_count(length)})"
                    downloads += _write_frames({fmt: part}, out_dir, f"{election_id}/units/{folder}/{table}",
                                               election_id, None, table, description, unit_id)
                del ready
    return sorted(downloads, key=lambda d: d.path)



def turnout_columns() -> list[Column]:
    units = {f["name"]: f for f in contract.fields("units")}
    turnout = contract.fields("turnout")
    head = [f for f in turnout if f["name"] in ("contest_id", "unit_id")]
    tail = [f for f in turnout if f["name"] not in ("contest_id", "unit_id")]
    columns = [Column(f["name"], f["type"], f["description"]) for f in head]
    columns += [Column(n, "string", units[n]["description"])
                for n in ("level", "code", "name_kk", "name_ru", "name_en")]
    columns += [Column(f["name"], f["type"], f["description"]) for f in tail]
    return columns


def turnout_table(db: Model, election_id: str) -> pl.DataFrame:
    """Every turnout report of the election, one row per unit and report, as published."""
    columns = turnout_columns()
    unit_fields = {"level", "code", "name_kk", "name_ru", "name_en"}
    select = ", ".join(f'u."{c.name}"' if c.name in unit_fields else f't."{c.name}"' for c in columns)
    sql = f"""
SELECT {select}
FROM turnout t
JOIN units u ON u.election_id = t.election_id AND u.unit_id = t.unit_id
JOIN unit_sort_paths k ON k.election_id = t.election_id AND k.unit_id = t.unit_id
WHERE t.election_id = $e
ORDER BY t.contest_id, k.sort_path, u.code, t.unit_id, t.source_id, t.reported_at
"""
    return _conform(db.frame(sql, {"e": election_id}), columns)


# --- writing -----------------------------------------------------------------------------------

_POLARS_TYPES = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "datetime": pl.Datetime("us")}


def _conform(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """Exactly the described columns, in order, with their types (so every file agrees)."""
    return frame.select([pl.col(c.name).cast(_POLARS_TYPES[c.type]) for c in columns])


def _write_table(frame: pl.DataFrame, out_dir: Path, stem: str, election_id: str, contest_id: str | None,
                 level: str, description: str, formats: tuple[str, ...] = FORMATS,
                 unit_id: str | None = None) -> list[Download]:
    return _write_frames(_format_frames(frame, formats), out_dir, stem, election_id, contest_id, level,
                         description, unit_id)


def _format_frames(frame: pl.DataFrame, formats: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """The frame each format writes: control characters dropped from text; in CSV, cells a
    spreadsheet would run as a formula neutralised; in CSV and JSON, times as text."""
    frame = _without_controls(frame)
    made = {"csv": lambda: _text_cells(_neutralise_formulas(frame)), "parquet": lambda: frame,
            "json": lambda: _text_cells(frame)}
    return {fmt: made[fmt]() for fmt in formats}


_WRITERS = {
    "csv": lambda frame, path: frame.write_csv(path, include_bom=True, line_terminator="\n", null_value="",
                                               quote_style="necessary"),
    "parquet": lambda frame, path: frame.write_parquet(path, compression="zstd", compression_level=9,
                                                       statistics=True),
    "json": lambda frame, path: frame.write_json(path),
}


IN_MEMORY_ROWS = 20_000  # a smaller table is written through memory (Polars' path writer costs ~0.4 ms more a file)


def _write_frames(frames: dict[str, pl.DataFrame], out_dir: Path, stem: str, election_id: str,
                  contest_id: str | None, level: str, description: str, unit_id: str | None = None) -> list[Download]:
    """Write ``stem.<format>`` from each format's frame (``_format_frames``)."""
    (out_dir / stem).parent.mkdir(parents=True, exist_ok=True)
    downloads = []
    for fmt, frame in frames.items():
        relative = f"{stem}.{fmt}"
        data = None
        if frame.height < IN_MEMORY_ROWS:  # the same bytes, and hashed without reading them back
            buffer = io.BytesIO()
            _WRITERS[fmt](frame, buffer)
            data = buffer.getvalue()
            (out_dir / relative).write_bytes(data)
        else:
            _WRITERS[fmt](frame, out_dir / relative)
        downloads.append(_describe(out_dir, relative, election_id, contest_id, level, fmt, frame.height, description,
                                   unit_id, data))
    return downloads


def formula_safe(text: str) -> str:
    """One text cell for a CSV: control characters dropped, and an apostrophe in front if a
    spreadsheet would run it as a formula."""
    text = _CONTROL.sub("", text)
    return "'" + text if _FORMULA.match(text) else text


def _neutralise_formulas(frame: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Prefix text cells a spreadsheet would run as a formula with an apostrophe (numbers untouched)."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String and (columns is None or name in columns)
    )


def _without_controls(frame: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(name).str.replace_all(CONTROL_CHARACTERS, "")
        for name, dtype in frame.schema.items() if dtype == pl.String and (columns is None or name in columns)
    )


def safe_package_csv(resource: str, data: bytes) -> tuple[bytes, int]:
    """A package CSV as the downloads ship it: the same bytes when no text cell holds a control
    character or could run as a formula; otherwise rewritten with those cells made safe (the
    downloads' rule; numbers and every other cell unchanged). Returns the bytes and the cells changed.

    Text cells are the contract's string fields (every column, for a resource it does not know)."""
    numeric = {f["name"] for f in contract.fields(resource) if f["type"] != "string"} \
        if resource in contract.resource_names() else set()
    try:
        frame = pl.read_csv(data, infer_schema=False)
    except pl.exceptions.PolarsError:  # validation read it; a file Polars cannot read goes through csv
        return _safe_csv_by_rows(data, numeric)
    text = [name for name in frame.columns if name not in numeric]
    safe = _neutralise_formulas(_without_controls(frame, text), text)
    changed = sum(int((frame[name].fill_null("") != safe[name].fill_null("")).sum()) for name in text)
    if not changed:
        return data, 0
    return safe.write_csv(line_terminator="\n", null_value="", quote_style="necessary").encode("utf-8"), changed


def _safe_csv_by_rows(data: bytes, numeric: set[str]) -> tuple[bytes, int]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = rows[0] if rows else []
    changed = 0
    for row in rows[1:]:
        for i, cell in enumerate(row):
            if i < len(header) and header[i] in numeric:
                continue
            safe = formula_safe(cell)
            changed += safe != cell
            row[i] = safe
    if not changed:
        return data, 0
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8"), changed


def _text_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Report times as ISO 8601 text in CSV and JSON (the contract's form)."""
    return frame.with_columns(
        pl.col(name).dt.to_string("%Y-%m-%dT%H:%M:%S")
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)
    )


def _write_package_zip(package: ElectionPackage, out_dir: Path, election_id: str) -> Download:
    """datapackage.json and its resource files in a deterministic zip, with a README.txt.

    The descriptor is copied byte for byte; a CSV too, unless a text cell could run as a formula in a
    spreadsheet or holds a control character: then the zip has a copy with those cells made safe as
    in every download (README.txt says which files and how many cells, and where the originals are)."""
    relative = f"{election_id}/{election_id}-datapackage.zip"
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    members = {DESCRIPTOR: (package.directory / DESCRIPTOR).read_bytes()}
    changed: dict[str, int] = {}
    for resource, resource_path in sorted(package.resource_paths.items()):
        name = resource_path.relative_to(package.directory).as_posix()
        members[name], cells = safe_package_csv(resource, resource_path.read_bytes())
        if cells:
            changed[name] = cells
    members[PACKAGE_README] = _package_readme(election_id, changed).encode("utf-8")
    if len({name.casefold() for name in members}) != len(members):
        raise RuntimeError(f"{election_id}: two files of the package differ only in case: {sorted(members)}")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(str(PurePosixPath(election_id) / name), date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permissions below are read the same everywhere
            info.external_attr = 0o100644 << 16
            archive.writestr(info, members[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    made_safe = f"; {sum(changed.values()):,} text cells made spreadsheet-safe (see {PACKAGE_README})" if changed else ""
    return _describe(out_dir, relative, election_id, None, "package", "zip", None,
                     f"The whole Data Package ({DESCRIPTOR} and {len(package.resource_paths)} CSV files), "
                     f"as published here{made_safe}")


def _package_readme(election_id: str, changed: dict[str, int]) -> str:
    lines = [f"The Data Package {election_id}, as Ashyq published it: {DESCRIPTOR} and its CSV files.", ""]
    if not changed:
        lines.append("Every file is the package's file byte for byte: no text cell could run as a formula in "
                     "a spreadsheet or held a control character.")
    else:
        lines += ["Spreadsheet safety: a text cell that a spreadsheet could run as a formula (one starting with",
                  "= + - @, also after spaces or line breaks, or their full-width forms, or with a tab or carriage",
                  "return) starts with an apostrophe (') here, and control characters (NUL, ESC, ...) are dropped.",
                  "Numbers are never changed. These files were rewritten so; every other file is byte for byte:", ""]
        lines += [f"  {name}: {cells:,} cell(s)" for name, cells in sorted(changed.items())]
        lines += ["", "The untouched original files are in the project's repository (datasets/" + election_id + "/);",
                  "their SHA-256 hashes are listed under \"inputs\" in the site's manifest.json."]
    return "\n".join(lines) + "\n"


def _describe(out_dir: Path, relative: str, election_id: str, contest_id: str | None, level: str, fmt: str,
              rows: int | None, description: str, unit_id: str | None = None, data: bytes | None = None) -> Download:
    data = (out_dir / relative).read_bytes() if data is None else data
    return Download(election_id, contest_id, level, fmt, relative, len(data), hashlib.sha256(data).hexdigest(),
                    rows, description, unit_id)


# --- small helpers ------------------------------------------------------------------------------

def _safe_id(value: str, package: str, file: str, field: str) -> str:
    """An id used as a folder name must not leave ``out_dir`` (validation checks this too)."""
    pattern = next(f for f in contract.table_schema("units")["fields"] if f["name"] == "unit_id")
    if not re.fullmatch(pattern["constraints"]["pattern"], value or ""):
        raise InputError([Problem(package, file, "cannot be used in a download's file name: letters, digits, "
                                  "'.', '_' and '-' only, starting with a letter or digit",
                                  field=field, value=value, kind="unsafe-id")])
    return value


def _count(rows: int) -> str:
    return f"{rows:,} row" + ("" if rows == 1 else "s")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _case(expression: str, mapping: dict[str, int], default: int) -> str:
    whens = " ".join(f"WHEN {_literal(k)} THEN {v}" for k, v in mapping.items())
    return f"CASE {expression} {whens} ELSE {default} END"
