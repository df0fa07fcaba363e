"""Turn the wide table (a row per station) into the contract's tables.

Polars does the work on rows; Python sees only distinct unit names (for ids) and rows with problems.

Units: the country from the mapping, then one unit per distinct value of each hierarchy level, then
the stations. Rows that are not polling stations (``non_stations``: e-voting, abroad, special) are
stations of their kind, attached to the deepest level their row names. Only stations get protocols
and votes: the table publishes nothing for the levels above (the site sums stations there).
Contests: one for the table, or one per constituency (``contest.per``), each with the choices on its
ballot; a station has a protocol for the contest of its row. Every figure is checked: blank → empty
("not published"), never zero; anything that is not a whole number is reported with its file, row,
column and value.
"""
from __future__ import annotations

import hashlib

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
NUMBER_SIGN = r"^\s*(?:№|N[o°º]?\.?)\s*(\d)"  # "№1", "N 1", "No. 1" → the number 1 (replaced by ${1})
KIND = "__kind"  # the row's station kind (null: a polling station)
OWN_ID = "__own_id"  # a non-station row's id part, used when its station cell is empty
CONTEST = "__contest"  # the row's contest id
CONSTITUENCY = "__constituency"  # the row's constituency code, and name
CONSTITUENCY_NAME = "__constituency_name"


def build_tables(mapping: Mapping, columns: Columns, table: Table) -> dict[str, pl.DataFrame]:
    if table.frame.is_empty():
        raise InputError([_problem(table, "has a header but no rows of figures", mapping.input.header_row,
                                   None, None, "empty-table")])
    problems: list[Problem] = []
    frame = _non_stations(mapping, columns, table, problems)
    frame = _contest_of_rows(mapping, columns, table, frame, problems)
    frame = _hierarchy(mapping, columns, table, frame, problems)
    figures = _figures(mapping, columns, table, problems)
    if problems:
        raise InputError(problems)
    frame = frame.hstack(figures)
    units = _units(mapping, columns, table, frame, problems)
    contests = _contests(mapping, frame, table, problems)
    choices, ballots = _choices(mapping, columns, table, frame, contests, problems)
    if problems:
        raise InputError(problems)

    station = _id_column(len(mapping.levels) - 1)
    keys = [pl.col(CONTEST).alias("contest_id"), pl.col(station).alias("unit_id"),
            pl.lit(mapping.source["source_id"]).alias("source_id")]
    protocols = frame.select(*keys, *[pl.col(_line_column(name)).alias(name) for name in columns.lines])
    votes = pl.concat([
        frame.join(on_ballot, on=CONTEST).select(*keys, pl.col("choice_id"),
                                                 pl.col(_choice_column(position)).alias("votes"))
        for position, on_ballot in ballots
    ])
    if votes.height > limits.MAX_PACKAGE_ROWS:
        raise InputError([_problem(table, f"makes {votes.height:,} vote rows (stations × choices), over the limit of "
                                          f"{limits.MAX_PACKAGE_ROWS:,} rows a package may hold: split the table "
                                          "(by region) into packages", None, None, None, "limit")])
    return {
        "units": units,
        "contests": contests,
        "choices": choices,
        "sources": pl.DataFrame([{k: v for k, v in mapping.source.items() if v is not None}]),
        "protocols": protocols,
        "votes": votes,
    }


def fit_id(text: str) -> str:
    """An id of at most 80 characters: a longer one keeps its first 71 and gets a hash of the whole
    (``-`` and 8 hex digits), so it stays unique and the same on every import."""
    if len(text) <= MAX_ID_LENGTH:
        return text
    return text[:MAX_ID_LENGTH - 9].rstrip(".-_") + "-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def _fit_ids(column: pl.Series) -> pl.Series:
    long = column.filter(column.str.len_chars() > MAX_ID_LENGTH).unique().to_list()
    if not long:
        return column
    return column.replace({value: fit_id(value) for value in long})


def _non_stations(mapping: Mapping, columns: Columns, table: Table, problems: list[Problem]) -> pl.DataFrame:
    """Per row: its station kind (null: a polling station) and, for a non-station, its own id part."""
    kind = pl.lit(None, dtype=pl.String)
    own = pl.lit(None, dtype=pl.String)
    for rule, position in reversed(list(zip(mapping.non_stations, columns.non_stations))):  # first rule wins
        if rule.every_row:
            matches = pl.lit(True)
        else:
            cell = pl.col(str(position)).str.strip_chars().fill_null("")
            matches = (cell == "") if rule.empty else cell.str.contains(rule.pattern)
        kind = pl.when(matches).then(pl.lit(rule.kind)).otherwise(kind)
        own = pl.when(matches).then(pl.lit(rule.id)).otherwise(own)
    return table.frame.select(ROW, kind.alias(KIND), own.alias(OWN_ID))


def _contest_of_rows(mapping: Mapping, columns: Columns, table: Table, frame: pl.DataFrame,
                     problems: list[Problem]) -> pl.DataFrame:
    per = mapping.per_constituency
    if per is None:
        return frame.with_columns(pl.lit(mapping.contest["contest_id"]).alias(CONTEST),
                                  pl.lit(None, dtype=pl.String).alias(CONSTITUENCY),
                                  pl.lit(None, dtype=pl.String).alias(CONSTITUENCY_NAME))
    header = table.headers[columns.constituency]
    cell = pl.col(str(columns.constituency)).str.strip_chars()
    values = table.frame.select(ROW, pl.when(cell == "").then(None).otherwise(cell).alias("value"))
    for row in values.filter(pl.col("value").is_null())[ROW].to_list():
        problems.append(_problem(table, "the constituency is empty: every row belongs to one (contest.per)",
                                 row, header, "", "empty-constituency"))
    level = Level("constituency", per.column, per.split, "code", "code", "", None, None, False, None)
    code, name = _code_and_name(level, values, table, header, problems)
    code = code.str.replace(NUMBER_SIGN, "${1}")
    templates = {distinct: _render(per.id, *distinct)
                 for distinct in zip(code.to_list(), name.to_list()) if distinct[0] or distinct[1]}
    contest_ids = {key: fit_id(slug(value)) for key, value in templates.items()}
    for key, contest_id in contest_ids.items():
        if not ID.match(contest_id):
            problems.append(_problem(table, f"gives the contest id {contest_id!r}, not a valid id: change contest.id",
                                     None, header, key[0] or key[1], "contest-id"))
    ids = [contest_ids.get((c, n)) for c, n in zip(code.to_list(), name.to_list())]
    return frame.with_columns(pl.Series(CONTEST, ids, dtype=pl.String), code.alias(CONSTITUENCY),
                              name.alias(CONSTITUENCY_NAME))


def _render(template: str, code: str | None, name: str | None) -> str:
    return template.replace("{code}", code or "").replace("{name}", name or "")


def _hierarchy(mapping: Mapping, columns: Columns, table: Table, frame: pl.DataFrame,
               problems: list[Problem]) -> pl.DataFrame:
    """Per row: code, name and id of the row's unit at each level (columns L0_code, L0_name, L0_id…).

    A non-station row may leave levels empty: its unit at an empty level is the one above (``L{i}_own``
    false: the row makes no unit there), and a station cell left empty gives ``<parent id>.<rule id>``.
    """
    last = len(mapping.levels) - 1
    special = frame[KIND].is_not_null()
    for index, (level, position) in enumerate(zip(mapping.levels, columns.levels)):
        header = _header(table, position)
        if position is None:  # no station column: every row is a non-station (every_row)
            cell = pl.lit(None, dtype=pl.String)
        else:
            cell = pl.col(str(position)).str.strip_chars()
            cell = pl.when(cell == "").then(None).otherwise(cell)
        if level.fill_down:
            cell = cell.forward_fill()
        values = table.frame.select(ROW, cell.alias("value"))
        empty = values.filter(pl.col("value").is_null() & ~special)
        for row in empty[ROW].to_list():
            problems.append(_problem(table, f"the {level.level} is empty (every row needs one; set fill_down: true "
                                            "if it is given only once per group, or describe rows that are not "
                                            "polling stations under non_stations)", row, header, "", "empty-unit"))
        code, name = _code_and_name(level, values, table, header, problems)
        frame = frame.with_columns(code.alias(f"L{index}_code"), name.alias(f"L{index}_name"))
        if columns.addresses.get(index) is not None:
            address = pl.col(str(columns.addresses[index])).str.strip_chars()
            frame = frame.with_columns(table.frame.select(address)[:, 0].alias(f"L{index}_address"))
        frame = frame.with_columns(_part(level, index, frame, table, header, problems).alias(f"L{index}_part"))
        scope = _scope_index(mapping, index)
        own = (pl.lit(level.id_prefix) if level.id_from == "code" else pl.lit("")) + pl.col(f"L{index}_part")
        made = own if scope is None else pl.concat_str([pl.col(_id_column(scope)), own], separator=".")
        above = pl.col(_id_column(index - 1)) if index > 0 else pl.lit(mapping.country["id"])
        if index < last:
            unit_id = pl.when(pl.col(f"L{index}_part").is_not_null()).then(made).otherwise(above)
        else:
            unit_id = pl.when(pl.col(f"L{index}_part").is_not_null()).then(made) \
                .otherwise(pl.concat_str([above, pl.col(OWN_ID)], separator="."))
        frame = frame.with_columns(pl.col(f"L{index}_part").is_not_null().alias(f"L{index}_own"),
                                   unit_id.alias(_id_column(index)))
        frame = frame.with_columns(_fit_ids(frame[_id_column(index)]).alias(_id_column(index)))
    return frame


def _code_and_name(level: Level, values: pl.DataFrame, table: Table, header: str,
                   problems: list[Problem]) -> tuple[pl.Series, pl.Series]:
    """The unit's code and name from its cell; a code written "№1" is the number 1 (it sorts as one)."""
    cells = values["value"]
    if level.split is None:
        empty = pl.Series([None] * len(cells), dtype=pl.String)
        if level.value == "code":
            return cells.str.replace(NUMBER_SIGN, "${1}"), empty
        return empty, cells
    parts = cells.str.extract_groups(level.split).struct.unnest()
    matched = parts["code"].is_not_null() | parts["name"].is_not_null()
    if not level.split_fallback:
        unfit = values.filter(cells.is_not_null() & ~matched.fill_null(False))
        unfit = unfit.group_by("value").agg(pl.col(ROW).min(), pl.len()).sort(ROW)
        for value, row, count in unfit.select("value", ROW, "len").iter_rows():
            problems.append(_problem(table, f"the {level.level} does not fit the split pattern {level.split!r}"
                                            + (f" (nor on {count - 1} more rows)" if count > 1 else "")
                                            + ": fix the cell, or set split_fallback: name (a value the pattern does "
                                            "not fit is then a name without a code)", row, header, value, "split"))
    # With split_fallback, a value the pattern does not fit is a name without a number
    # ("Алтайский край" next to "98 Город Байконур").
    code = parts["code"].str.strip_chars().str.replace(NUMBER_SIGN, "${1}")
    unmatched = cells if level.split_fallback else pl.Series([None] * len(cells), dtype=pl.String)  # reported
    name = pl.select(pl.when(matched).then(parts["name"].str.strip_chars()).otherwise(unmatched)).to_series()
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
    rule_names = _rule_names(mapping)
    for index, level in enumerate(mapping.levels):
        header = _header(table, columns.levels[index])
        name = pl.col(f"L{index}_name")
        if index == last and rule_names is not None:  # a non-station without a station cell: the rule's name
            name = pl.when(pl.col(f"L{index}_own")).then(name).otherwise(pl.col(KIND).replace_strict(
                rule_names.get(mapping.names, {}), default=None, return_dtype=pl.String))
        attributes = [pl.col(f"L{index}_code").alias("code"), name.alias(language)]
        if index == last and rule_names is not None:
            attributes += [pl.when(pl.col(f"L{index}_own")).then(None).otherwise(pl.col(KIND).replace_strict(
                names, default=None, return_dtype=pl.String)).alias(f"name_{lang}")
                for lang, names in rule_names.items() if lang != mapping.names]
            attributes.append(pl.col(KIND).alias("kind"))
        if f"L{index}_address" in frame.columns:
            attributes.append(pl.col(f"L{index}_address").alias("address"))
        parent = pl.col(_id_column(index - 1)) if index > 0 else pl.lit(mapping.country["id"])
        rows = frame if index == last else frame.filter(pl.col(f"L{index}_own"))
        units = rows.select(ROW, pl.col(_id_column(index)).alias("unit_id"), parent.alias("parent_id"), *attributes)
        if index == last and mapping.per_constituency is not None:
            # a station has one protocol per contest: one row per (station, constituency)
            keyed = units.with_columns(pl.concat_str([pl.col("unit_id"), rows[CONTEST]], separator=" / ",
                                                     ignore_nulls=True).alias("unit_id"))
            _report_duplicates(keyed, table, header, level, mapping, problems)
            _report_conflicts(units, table, header, level, problems)
            units = units.unique("unit_id", keep="first", maintain_order=True)
        elif index == last:
            _report_duplicates(units, table, header, level, mapping, problems)
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
    levels_of = units.group_by("unit_id").agg(pl.col("level").unique().sort()).filter(pl.col("level").list.len() > 1)
    for unit_id, levels in levels_of.sort("unit_id").iter_rows():
        problems.append(Problem(*located(mapping.path),
                                f"units of different levels ({', '.join(levels)}) get the id {unit_id!r}: give the "
                                "levels different id_prefix values", field="levels", kind="unit-id"))
    return units


def _rule_names(mapping: Mapping) -> dict[str, dict[str, str]] | None:
    """language → {kind → the name the non_stations rule gives its stations}; None without rules."""
    if not mapping.non_stations:
        return None
    names: dict[str, dict[str, str]] = {lang: {} for lang in ("en", "ru", "kk")}
    for rule in reversed(mapping.non_stations):
        for lang, name in rule.names.items():
            names[lang][rule.kind] = name
    return names


def _report_duplicates(stations: pl.DataFrame, table: Table, header: str, level: Level, mapping: Mapping,
                       problems: list[Problem]) -> None:
    repeated = stations.filter(pl.col("unit_id").is_duplicated())
    if level.fill_down:
        advice = ("fill_down is set on the station column, so a blank station cell repeats the station above: "
                  "turn it off for the station level, or describe rows that are not polling stations under "
                  "non_stations")
    elif mapping.non_stations:
        advice = ("station ids must be unique: is the number unique only within a region (set unique_within)? "
                  "Several non-station rows under one parent need their own station cell or a distinct "
                  "non_stations id")
    else:
        advice = "station ids must be unique (is the number unique only within a region? set unique_within)"
    for unit_id, rows in repeated.group_by("unit_id").agg(pl.col(ROW).sort()).sort("unit_id").iter_rows():
        problems.append(_problem(table, f"station {unit_id!r} appears on rows {', '.join(map(str, rows))}: {advice}",
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


def _contests(mapping: Mapping, frame: pl.DataFrame, table: Table, problems: list[Problem]) -> pl.DataFrame:
    contest = {key: value for key, value in mapping.contest.items() if value is not None}
    per = mapping.per_constituency
    if per is None:
        return pl.DataFrame([{**contest, "scope_unit_id": mapping.country["id"]}])
    scope = _scope_of(mapping, per.scope)
    rows = []
    groups = frame.filter(pl.col(CONTEST).is_not_null()).group_by(CONTEST, maintain_order=True)
    for (contest_id,), group in groups:
        code, name = group[CONSTITUENCY][0], group[CONSTITUENCY_NAME][0]
        scopes = group[scope].unique().to_list() if scope else [mapping.country["id"]]
        if len(scopes) > 1:
            problems.append(_problem(table, f"the stations of contest {contest_id!r} lie in {len(scopes)} units of "
                                            f"level {per.scope} ({', '.join(map(str, sorted(scopes)[:3]))}…): set "
                                            "contest.scope to a level that holds the whole constituency",
                                     group[ROW][0], per.column, code or name, "contest-scope"))
        rows.append({**contest, "contest_id": contest_id, "scope_unit_id": scopes[0], "constituency": code or name,
                     **{f"name_{lang}": _render(template, code, name) for lang, template in per.names.items()}})
    return pl.DataFrame(rows)


def _scope_of(mapping: Mapping, scope: str) -> str | None:
    if scope == "country":
        return None
    return _id_column([level.level for level in mapping.levels].index(scope))


def _choices(mapping: Mapping, columns: Columns, table: Table, frame: pl.DataFrame, contests: pl.DataFrame,
             problems: list[Problem]) -> tuple[pl.DataFrame, list[tuple[int, pl.DataFrame]]]:
    """choices.csv, and for each choice column the contests whose ballot it is on (with its choice id)."""
    contest_ids = contests["contest_id"].to_list()
    on_ballot = _ballots(mapping, columns, table, frame, contests, problems)
    rows, ballots = [], []
    order = dict.fromkeys(contest_ids, 0)
    for position, choice in columns.choices:
        header = table.headers[position]
        choice_id = fit_id(choice.id or slug(header))
        if not ID.match(choice_id or ""):
            problems.append(_problem(table, f"gives the choice id {choice_id!r}, not a valid id: set it under "
                                            "choices (id: ...)", mapping.input.header_row, header, None, "choice-id"))
        names = {mapping.names: header, **choice.names}
        contests_here = [c for c in contest_ids if position in on_ballot[c]]
        for contest_id in contests_here:
            order[contest_id] += 1
            rows.append({"contest_id": contest_id, "choice_id": choice_id, "ballot_order": order[contest_id],
                         "kind": choice.kind, **{f"name_{lang}": name for lang, name in names.items()},
                         "affiliation": choice.affiliation})
        if contests_here:
            ballots.append((position, pl.DataFrame({CONTEST: contests_here, "choice_id": [choice_id] * len(contests_here)},
                                                   schema={CONTEST: pl.String, "choice_id": pl.String})))
    frame_out = pl.DataFrame(rows)
    duplicated = frame_out.filter(pl.struct("contest_id", "choice_id").is_duplicated())
    for contest_id, choice_id in duplicated.select("contest_id", "choice_id").unique().sort("choice_id").iter_rows():
        problems.append(Problem(*located(mapping.path),
                                f"two choice columns of contest {contest_id!r} get the id {choice_id!r}: set distinct "
                                "ids under choices", field="choices", kind="choice-id"))
    return frame_out, ballots


def _ballots(mapping: Mapping, columns: Columns, table: Table, frame: pl.DataFrame, contests: pl.DataFrame,
             problems: list[Problem]) -> dict[str, set[int]]:
    """contest id → the positions of the choice columns on its ballot.

    One contest, or no ``choices.per_contest``: every choice on every ballot. ``figures``: a column is on
    a contest's ballot when it has a figure on one of the contest's rows. A list per constituency: the
    columns listed, and a figure in a column that is not on the row's ballot is refused (it would be lost).
    """
    positions = [position for position, _ in columns.choices]
    contest_ids = contests["contest_id"].to_list()
    per_contest = mapping.choices_per_contest
    if per_contest is None:
        return {contest_id: set(positions) for contest_id in contest_ids}
    if per_contest == "figures":
        published = frame.group_by(CONTEST).agg(
            [pl.col(_choice_column(p)).is_not_null().any().alias(str(p)) for p in positions])
        return {contest_id: {p for p in positions if flags[str(p)]}
                for contest_id, flags in zip(published[CONTEST], published.iter_rows(named=True))}
    by_header = {" ".join(table.headers[p].split()).casefold(): p for p in positions}
    code_of = dict(zip(contests["contest_id"], contests["constituency"]))
    ballots = {}
    for contest_id in contest_ids:
        listed = per_contest.get(code_of[contest_id])
        if listed is None:
            problems.append(Problem(*located(mapping.path), f"lists no choices for constituency {code_of[contest_id]!r} "
                                    f"(contest {contest_id!r})", field="choices.per_contest", kind="mapping"))
            listed = ()
        ballots[contest_id] = set()
        for header in listed:
            position = by_header.get(" ".join(header.split()).casefold())
            if position is None:
                problems.append(Problem(*located(mapping.path), "names a column that is not a choice column",
                                        field=f"choices.per_contest[{code_of[contest_id]!r}]", value=header,
                                        kind="mapping"))
            else:
                ballots[contest_id].add(position)
    for position in positions:
        off = [c for c in contest_ids if position not in ballots[c]]
        stray = frame.filter(pl.col(CONTEST).is_in(off) & pl.col(_choice_column(position)).is_not_null())
        for row, contest_id in stray.select(ROW, CONTEST).iter_rows():
            value = table.frame.filter(pl.col(ROW) == row)[str(position)][0]
            problems.append(_problem(table, f"has a figure, but the choice is not on the ballot of contest "
                                            f"{contest_id!r} (choices.per_contest): add it there, or fix the cell",
                                     row, table.headers[position], value, "choice-not-on-ballot"))
    return ballots


def _header(table: Table, position: int | None) -> str:
    return "(no station column)" if position is None else table.headers[position]


def _id_column(index: int) -> str:
    return f"L{index}_id"


def _line_column(name: str) -> str:
    return f"line:{name}"


def _choice_column(position: int) -> str:
    return f"choice:{position}"


def _problem(table: Table, message: str, row: int | None, field: str | None, value, kind: str) -> Problem:
    return Problem(*located(table.path), message, row=row, field=field,
                   value=None if value is None else str(value), kind=kind)
