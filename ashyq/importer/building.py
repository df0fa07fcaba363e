"""Turn the wide table (a row per station) into the contract's tables.

Polars does the work on rows; Python sees only distinct unit names (for ids) and rows with problems.

Units: the country from the mapping, then one unit per distinct value of each hierarchy level, then
the stations. Only stations get protocols and votes: the table publishes nothing for the levels
above (the site sums stations there). Every figure is checked: blank → empty ("not published"),
never zero; anything that is not a whole number is reported with its file, row, column and value.
"""
from __future__ import annotations

import polars as pl

from ..problems import InputError, Problem
from . import limits
from .ids import slug
from .mapping import ID, Columns, Level, Mapping, located
from .reading import ROW, Table

# A whole number as spreadsheets print it: 1234, "1 234" (space or no-break space between
# thousands), 1234.0 (a float cell). Nothing else: 1.234 and 1,234 are ambiguous.
WHOLE_NUMBER = r"^(?:\d+|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+\.0+)$"
MAX_ID_LENGTH = 80


def build_tables(mapping: Mapping, columns: Columns, table: Table) -> dict[str, pl.DataFrame]:
    if table.frame.is_empty():
        raise InputError([_problem(table, "has a header but no rows of figures", mapping.input.header_row,
                                   None, None, "empty-table")])
    problems: list[Problem] = []
    frame = _hierarchy(mapping, columns, table, problems)
    figures = _figures(mapping, columns, table, problems)
    if problems:
        raise InputError(problems)
    frame = frame.hstack(figures)
    units = _units(mapping, columns, table, frame, problems)
    choices = _choices(mapping, columns, table, problems)
    if problems:
        raise InputError(problems)

    station = _id_column(len(mapping.levels) - 1)
    keys = [pl.lit(mapping.contest["contest_id"]).alias("contest_id"), pl.col(station).alias("unit_id"),
            pl.lit(mapping.source["source_id"]).alias("source_id")]
    protocols = frame.select(*keys, *[pl.col(_line_column(name)).alias(name) for name in columns.lines])
    votes = pl.concat([
        frame.select(*keys, pl.lit(choice_id).alias("choice_id"), pl.col(_choice_column(position)).alias("votes"))
        for (position, _), choice_id in zip(columns.choices, choices["choice_id"])
    ])
    if votes.height > limits.MAX_PACKAGE_ROWS:
        raise InputError([_problem(table, f"makes {votes.height:,} vote rows (stations × choices), over the limit of "
                                          f"{limits.MAX_PACKAGE_ROWS:,} rows a package may hold: split the table "
                                          "(by region) into packages", None, None, None, "limit")])
    contest = {key: value for key, value in mapping.contest.items() if value is not None}
    return {
        "units": units,
        "contests": pl.DataFrame([{**contest, "scope_unit_id": mapping.country["id"]}]),
        "choices": choices,
        "sources": pl.DataFrame([{k: v for k, v in mapping.source.items() if v is not None}]),
        "protocols": protocols,
        "votes": votes,
    }


def _hierarchy(mapping: Mapping, columns: Columns, table: Table, problems: list[Problem]) -> pl.DataFrame:
    """Per row: code, name and id of the row's unit at each level (columns L0_code, L0_name, L0_id…)."""
    frame = table.frame.select(ROW)
    for index, (level, position) in enumerate(zip(mapping.levels, columns.levels)):
        header = table.headers[position]
        cell = pl.col(str(position)).str.strip_chars()
        cell = pl.when(cell == "").then(None).otherwise(cell)
        if level.fill_down:
            cell = cell.forward_fill()
        values = table.frame.select(ROW, cell.alias("value"))
        for row in values.filter(pl.col("value").is_null())[ROW].to_list():
            problems.append(_problem(table, f"the {level.level} is empty (every row needs one; "
                                            "set fill_down: true if it is given only once per group)",
                                     row, header, "", "empty-unit"))
        code, name = _code_and_name(level, values["value"])
        frame = frame.with_columns(code.alias(f"L{index}_code"), name.alias(f"L{index}_name"))
        if columns.addresses.get(index) is not None:
            address = pl.col(str(columns.addresses[index])).str.strip_chars()
            frame = frame.with_columns(table.frame.select(address)[:, 0].alias(f"L{index}_address"))
        frame = frame.with_columns(_part(level, index, frame, table, header, problems).alias(f"L{index}_part"))
        scope = _scope_index(mapping, index)
        own = pl.lit(level.id_prefix) + pl.col(f"L{index}_part")
        frame = frame.with_columns(
            (own if scope is None else pl.concat_str([pl.col(_id_column(scope)), own], separator="."))
            .alias(_id_column(index)))
        too_long = frame.filter(pl.col(_id_column(index)).str.len_chars() > MAX_ID_LENGTH)
        for row, unit_id in too_long.select(ROW, _id_column(index)).unique(_id_column(index)).sort(ROW).iter_rows():
            problems.append(_problem(table, f"makes the id {unit_id!r}, longer than {MAX_ID_LENGTH} characters: "
                                            "use id: code, or a shorter id_prefix", row, header, None, "unit-id"))
    return frame


def _code_and_name(level: Level, values: pl.Series) -> tuple[pl.Series, pl.Series]:
    if level.split is None:
        empty = pl.Series([None] * len(values), dtype=pl.String)
        return (values, empty) if level.value == "code" else (empty, values)
    parts = values.str.extract_groups(level.split).struct.unnest()
    # A value the pattern does not fit is a name without a number ("Алтайский край" next to "98 Город Байконур").
    matched = parts["code"].is_not_null()
    code = parts["code"].str.strip_chars()
    name = pl.select(pl.when(matched).then(parts["name"].str.strip_chars()).otherwise(values)).to_series()
    return code, name


def _part(level: Level, index: int, frame: pl.DataFrame, table: Table, header: str,
          problems: list[Problem]) -> pl.Series:
    """The unit's own piece of its id: the slug of its code or of its name."""
    source = frame[f"L{index}_{level.id_from}"]
    rows = frame[ROW]
    given = frame[f"L{index}_code"].is_not_null() | frame[f"L{index}_name"].is_not_null()
    for row in rows.filter(source.is_null() & given).to_list():
        problems.append(_problem(table, f"has no {level.id_from} to make the {level.level}'s id from "
                                        f"(set id: {'name' if level.id_from == 'code' else 'code'})",
                                 row, header, None, "unit-id"))
    slugs = {value: slug(value) for value in source.drop_nulls().unique().to_list()}
    for value, made in slugs.items():
        if not made:
            row = rows.filter(source == value)[0]
            problems.append(_problem(table, f"gives an empty id (no letter or digit in the {level.id_from})",
                                     row, header, value, "unit-id"))
    return source.replace_strict(slugs, default=None, return_dtype=pl.String)


def _scope_index(mapping: Mapping, index: int) -> int | None:
    """The level whose id prefixes this one's (None: the country, i.e. no prefix)."""
    scope = mapping.levels[index].unique_within
    if scope is None:
        return index - 1 if index > 0 else None
    if scope == "country":
        return None
    return [level.level for level in mapping.levels].index(scope)


def _figures(mapping: Mapping, columns: Columns, table: Table, problems: list[Problem]) -> pl.DataFrame:
    """Every protocol line and choice column as Int64: blank → null, non-numbers reported."""
    wanted = [(_line_column(name), position) for name, position in columns.lines.items()] + \
             [(_choice_column(position), position) for position, _ in columns.choices]
    not_published = list(mapping.input.not_published)
    expressions, checks = [], []
    for alias, position in wanted:
        cell = pl.col(str(position)).str.strip_chars()
        blank = cell.is_null() | (cell == "") | cell.is_in(not_published)
        number = cell.str.replace_all(r"[ \u00a0\u202f\u2009]|\.0+$", "").cast(pl.Int64, strict=False)
        shape = cell.str.contains(WHOLE_NUMBER)
        valid = shape & number.is_not_null() & (number <= limits.MAX_FIGURE)
        expressions.append(pl.when(blank).then(None).otherwise(number).alias(alias))
        # 0: fine; 1: not a whole number; 2: a whole number too large to be a count of ballots
        checks.append(pl.when(blank | valid.fill_null(False)).then(0)
                      .when(shape.fill_null(False)).then(2).otherwise(1).alias(alias))
    bad = table.frame.select(ROW, *checks)
    after = {position for position, _ in columns.choices} if mapping.choices_after is not None else set()
    for alias, position in wanted:
        flagged = bad.filter(pl.col(alias) > 0).select(ROW, alias)
        if flagged.is_empty():
            continue
        message = "is not a whole number ≥ 0 (leave the cell empty when the figure was not published)"
        if position in after:
            message += f"; the column is taken as a choice because it comes after {mapping.choices_after!r}: " \
                       "list it under ignore if it is not one"
        too_large = f"is larger than {limits.MAX_FIGURE:,}, more than any count of voters or ballots can be"
        values = table.frame.join(flagged, on=ROW).select(ROW, pl.col(str(position)), alias)
        for row, value, code in values.iter_rows():
            problems.append(_problem(table, too_large if code == 2 else message, row, table.headers[position],
                                     value, "not-a-number"))
    return table.frame.select(expressions)


def _units(mapping: Mapping, columns: Columns, table: Table, frame: pl.DataFrame,
           problems: list[Problem]) -> pl.DataFrame:
    language = f"name_{mapping.names}"
    country = {"unit_id": mapping.country["id"], "parent_id": None, "level": "country",
               "code": mapping.election["country"],
               **{f"name_{lang}": name for lang, name in mapping.country["names"].items()}}
    if mapping.complete:
        country["complete"] = True
    parts = [pl.DataFrame([country])]
    last = len(mapping.levels) - 1
    for index, level in enumerate(mapping.levels):
        header = table.headers[columns.levels[index]]
        attributes = [pl.col(f"L{index}_code").alias("code"), pl.col(f"L{index}_name").alias(language)]
        if f"L{index}_address" in frame.columns:
            attributes.append(pl.col(f"L{index}_address").alias("address"))
        parent = pl.col(_id_column(index - 1)) if index > 0 else pl.lit(mapping.country["id"])
        units = frame.select(ROW, pl.col(_id_column(index)).alias("unit_id"), parent.alias("parent_id"), *attributes)
        if index == last:
            _report_duplicates(units, table, header, problems)
        else:
            _report_conflicts(units, table, header, level, problems)
            units = units.unique("unit_id", keep="first", maintain_order=True)
        units = units.drop(ROW).with_columns(pl.lit(level.level).alias("level"))
        if level.commission:
            units = units.with_columns(pl.lit(level.commission).alias("commission"))
        if mapping.complete and index != last:
            units = units.with_columns(pl.lit(True).alias("complete"))
        parts.append(units)
    units = pl.concat(parts, how="diagonal_relaxed")
    clashes = units.filter(pl.col("unit_id").is_duplicated()).select("unit_id", "level").unique().sort("unit_id")
    for unit_id, level in clashes.iter_rows():
        problems.append(Problem(*located(mapping.path),
                                f"two units of different levels get the id {unit_id!r} (one a {level}): "
                                "give the levels different id_prefix values", field="levels", kind="unit-id"))
    return units


def _report_duplicates(stations: pl.DataFrame, table: Table, header: str, problems: list[Problem]) -> None:
    repeated = stations.filter(pl.col("unit_id").is_duplicated())
    for unit_id, rows in repeated.group_by("unit_id").agg(pl.col(ROW).sort()).sort("unit_id").iter_rows():
        problems.append(_problem(
            table, f"station {unit_id!r} appears on rows {', '.join(map(str, rows))}: station ids must be "
                   "unique (is the number unique only within a region? set unique_within)",
            rows[1], header, None, "duplicate-station"))


def _report_conflicts(units: pl.DataFrame, table: Table, header: str, level: Level,
                      problems: list[Problem]) -> None:
    """Rows that give one unit id different parents or names (e.g. a number reused with two names)."""
    versions = units.group_by([c for c in units.columns if c != ROW]).agg(pl.col(ROW).min()).sort(ROW)
    for unit_id, group in versions.filter(pl.col("unit_id").is_duplicated()).group_by("unit_id", maintain_order=True):
        first, other = group.row(0, named=True), group.row(1, named=True)
        differ = [k for k in first if k != ROW and first[k] != other[k]]
        described = "; ".join(f"{k} {first[k]!r} (row {first[ROW]}) vs {other[k]!r}" for k in differ)
        problems.append(_problem(table, f"{level.level} {unit_id[0]!r} is given differently on two rows: {described}",
                                 other[ROW], header, None, "unit-conflict"))


def _choices(mapping: Mapping, columns: Columns, table: Table, problems: list[Problem]) -> pl.DataFrame:
    rows = []
    for order, (position, choice) in enumerate(columns.choices, start=1):
        header = table.headers[position]
        choice_id = choice.id or slug(header)
        names = {mapping.names: header, **choice.names}
        rows.append({"contest_id": mapping.contest["contest_id"], "choice_id": choice_id, "ballot_order": order,
                     "kind": choice.kind, **{f"name_{lang}": name for lang, name in names.items()},
                     "affiliation": choice.affiliation})
        if not ID.match(choice_id or ""):
            problems.append(_problem(table, f"gives the choice id {choice_id!r}, not a valid id: set it under "
                                            "choices (id: ...)", mapping.input.header_row, header, None, "choice-id"))
    frame = pl.DataFrame(rows)
    for choice_id in frame.filter(pl.col("choice_id").is_duplicated())["choice_id"].unique().sort().to_list():
        problems.append(Problem(*located(mapping.path),
                                f"two choice columns get the id {choice_id!r}: set distinct ids under choices",
                                field="choices", kind="choice-id"))
    return frame


def _id_column(index: int) -> str:
    return f"L{index}_id"


def _line_column(name: str) -> str:
    return f"line:{name}"


def _choice_column(position: int) -> str:
    return f"choice:{position}"


def _problem(table: Table, message: str, row: int | None, field: str | None, value, kind: str) -> Problem:
    return Problem(*located(table.path), message, row=row, field=field,
                   value=None if value is None else str(value), kind=kind)
