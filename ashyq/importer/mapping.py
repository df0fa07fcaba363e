"""The import mapping (YAML): what the election is, and which column of the wide table is what.

``load_mapping`` reads and checks the file itself (keys, enums, protocol line names, patterns);
``resolve_columns`` then matches it against the table's header, so every column of the table is
either a hierarchy level, a protocol line, a choice or ignored — or the import stops and names it.
The format is documented, step by step, in ``docs/import.md``.
"""
from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from .. import contract
from ..problems import InputError, Problem
from . import limits

NUMBER_NAME = r"^\s*(?:№\s*)?(?P<code>\d+)\s+(?P<name>.*\S)\s*$"  # "1 Адыгейская", "№1 Адыгейская" → 1, Адыгейская
SPLITS = {"number_name": NUMBER_NAME}
UPPER_LEVELS = ("region", "area", "district")
CHOICE_KINDS = ("candidate", "party", "against_all")
CONTEST_KINDS = ("presidential", "party_list", "single_member", "local_council", "referendum")
STATION_KINDS = ("electronic", "abroad", "special")  # units.kind besides polling_station (the default)
TEMPLATE_FIELDS = ("code", "name")  # what a contest id or name template may use: {code}, {name}
SOURCE_KINDS = ("official", "commission_summary", "observer_copy")
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1251": "cp1251",
             "windows-1251": "cp1251"}
EXTRA_LINE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
ID = re.compile(contract.table_schema("units")["fields"][0]["constraints"]["pattern"])  # unit_id's


@dataclass(frozen=True)
class Level:
    level: str  # region | area | district | station
    column: str
    split: str | None  # regex with (?P<code>) and (?P<name>) groups, or None
    value: str  # without split: is the cell the unit's "code" or its "name"?
    id_from: str  # "code" or "name": which part the unit's id is made of
    id_prefix: str
    unique_within: str | None  # the level the id is unique within; None: the level above
    commission: str | None
    fill_down: bool  # blank cell = same as the row above (merged cells in a spreadsheet)
    address: str | None
    split_fallback: bool = False  # a value the split pattern does not fit is a name without a code


@dataclass(frozen=True)
class Choice:
    column: str
    id: str | None  # None: made from the column header
    kind: str
    names: dict[str, str]  # language → name; the header is the name in ``Mapping.names`` otherwise
    affiliation: str | None = None


@dataclass(frozen=True)
class PerConstituency:
    """``contest.per``: one contest per distinct value of a column (the constituency)."""

    column: str
    split: str | None  # as a level's split: code and name of the constituency
    id: str  # template, e.g. "duma-{code}"
    names: dict[str, str]  # language → template, e.g. "Constituency {code}"
    scope: str  # "country" or a level: the unit that holds each constituency's stations


@dataclass(frozen=True)
class NonStation:
    """Rows that are not polling stations (e-voting, abroad, special) but hold votes: stations of a kind."""

    kind: str  # electronic | abroad | special
    column: str  # "" with every_row
    empty: bool  # the rule matches rows whose cell in ``column`` is empty
    pattern: str | None  # … or whose cell matches this regular expression
    id: str  # the station's id part when its station cell is empty: <parent id>.<id>
    names: dict[str, str]
    every_row: bool = False  # the whole table is such units (it has no station column)


@dataclass(frozen=True)
class InputOptions:
    encoding: str | None = None  # None: detected
    delimiter: str | None = None  # None: detected
    sheet: str | int | None = None  # spreadsheets only; None: the first sheet
    header_row: int = 1
    not_published: tuple[str, ...] = ()  # cell texts meaning "not published", besides blank


@dataclass(frozen=True)
class Mapping:
    path: Path
    election: dict  # date, country, type, title, licenses, sources, version, name
    input: InputOptions
    country: dict  # id, names
    names: str  # language of the names in the table: ru, kk or en
    levels: tuple[Level, ...]
    contest: dict
    source: dict
    lines: dict[str, str]  # canonical protocol line → column header
    choices_after: str | None
    choices: tuple[Choice, ...]  # the explicit list, or details for columns found after ``choices_after``
    choice_kind: str
    ignore: tuple[str, ...]
    complete: bool
    per_constituency: PerConstituency | None = None
    choices_per_contest: str | dict[str, tuple[str, ...]] | None = None  # "figures", or code → column headers
    non_stations: tuple[NonStation, ...] = ()
    extra_lines: tuple[dict, ...] = ()  # election.extra_lines: {name, en, ru, kk}


@dataclass(frozen=True)
class Columns:
    """The mapping matched against a table header: column positions."""

    levels: list[int | None]  # None: the station level of a table without a station column
    addresses: dict[int, int]  # level index → address column
    lines: dict[str, int]
    choices: list[tuple[int, Choice]]  # ballot order
    constituency: int | None = None  # contest.per's column
    non_stations: tuple[int, ...] = ()  # each rule's column


class _MappingLoader(yaml.SafeLoader):
    """Safe YAML without implicit dates (``2018-03-18`` stays the text it is, a bad date is reported, not
    raised), without anchors and aliases (a 1 KB "billion laughs" file would expand to gigabytes, and an
    alias to itself makes a structure with no end) and nested at most ``limits.MAX_MAPPING_DEPTH`` deep."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _RefusedYaml("uses a YAML anchor or alias (&name / *name): write the values out in full",
                               event.start_mark)
        if self._depth >= limits.MAX_MAPPING_DEPTH:
            raise _RefusedYaml(f"is nested more than {limits.MAX_MAPPING_DEPTH} levels deep", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _RefusedYaml(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message, self.line = message, None if mark is None else mark.line + 1


_MappingLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def located(path: Path) -> tuple[str, str]:
    """(folder, file name) for a Problem, so that messages show the path as it was given (``/x.csv``,
    not ``//x.csv``)."""
    parent = str(path.parent)
    return ("" if parent == path.anchor else parent.rstrip("/\\")), path.name


@dataclass
class _Checker:
    """Collects every problem of a mapping file, so one run reports them all."""

    path: Path
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, message: str, value=None) -> None:
        self.problems.append(Problem(*located(self.path), message, field=where,
                                     value=None if value is None else _shorten(str(value)), kind="mapping"))

    def section(self, data: dict, key: str, where: str, required: bool = True) -> dict:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(_join(where, key), "is required")
            return {}
        if not isinstance(value, dict):
            self.problem(_join(where, key), "must be a mapping of keys to values", value)
            return {}
        return value

    def keys(self, data: dict, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
        for key in data:
            if key not in allowed:
                self.problem(_join(where, str(key)), f"unknown key (allowed: {', '.join(allowed)})")
        for key in required:
            if data.get(key) in (None, "", [], {}):
                self.problem(_join(where, key), "is required")

    def text(self, data: dict, key: str, where: str, default: str | None = None) -> str | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.problem(_join(where, key), "must be a single value", value)
            return default
        return _as_text(value)

    def choice(self, data: dict, key: str, where: str, allowed: tuple[str, ...], default: str | None = None):
        value = self.text(data, key, where, default)
        if value is not None and value not in allowed:
            self.problem(_join(where, key), f"must be one of: {', '.join(allowed)}", value)
        return value

    def identifier(self, value: str | None, where: str) -> None:
        if value is not None and not ID.match(value):
            self.problem(where, "is not a valid id (letters, digits, '_', '.', '-'; at most 80; no spaces)", value)

    def languages(self, data: dict, key: str, where: str, required: bool = False) -> dict[str, str]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(_join(where, key), "is required ({en: ..., ru: ..., kk: ...})")
            return {}
        if isinstance(value, str):
            return {"en": value}
        if not isinstance(value, dict):
            self.problem(_join(where, key), "must be {en: ..., ru: ..., kk: ...}", value)
            return {}
        self.keys(value, _join(where, key), contract.LANGUAGES)
        return {lang: _as_text(value[lang]) for lang in contract.LANGUAGES if value.get(lang) not in (None, "")}


def _read_yaml(path: Path) -> dict:
    def refuse(message: str, row: int | None = None):
        return InputError([Problem(*located(path), message, row=row, kind="mapping")])

    if path.is_dir():
        raise refuse("is a folder, not a mapping file: give the path of the .yml file")
    if not path.is_file():
        raise refuse("mapping file not found")
    try:
        size = path.stat().st_size
        if size > limits.MAX_MAPPING_BYTES:
            raise refuse(f"the mapping is {size:,} bytes, over the limit of {limits.size(limits.MAX_MAPPING_BYTES)}")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise refuse(f"cannot be read: {error.strerror or error}")
    except UnicodeDecodeError as error:
        raise refuse(f"is not UTF-8 text (byte {error.object[error.start]:#04x}): save the mapping as UTF-8")
    try:
        data = yaml.load(text, Loader=_MappingLoader)
    except _RefusedYaml as error:
        raise refuse(error.message, error.line)
    except yaml.YAMLError as error:
        row = getattr(getattr(error, "problem_mark", None), "line", None)
        raise refuse(f"not a readable YAML file: {' '.join(str(error).split())}", None if row is None else row + 1)
    except RecursionError:
        raise refuse(f"is nested more than {limits.MAX_MAPPING_DEPTH} levels deep")
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__.replace('str', 'text')}"
        raise refuse(f"must be a YAML mapping (key: value lines, starting with election:); this one is {kind}")
    return data


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; every problem in it is reported at once."""
    path = Path(path)
    check = _Checker(path)
    data = _read_yaml(path)
    check.keys(data, "", ("election", "input", "country", "names", "levels", "contest", "source",
                          "lines", "choices", "ignore", "complete", "non_stations"),
               required=("election", "levels", "contest", "source", "lines", "choices"))
    election = _election(check, check.section(data, "election", ""))
    if election.get("type") is not None and election["type"] not in CONTEST_KINDS:
        check.problem("election.type", f"must be one of: {', '.join(CONTEST_KINDS)}", election["type"])
    options = _input(check, check.section(data, "input", "", required=False))
    country = _country(check, check.section(data, "country", "", required=False), election)
    names = check.choice(data, "names", "", contract.LANGUAGES, default="ru")
    levels = _levels(check, data.get("levels"))
    contest, per = _contest(check, check.section(data, "contest", ""), election, levels)
    source = _source(check, check.section(data, "source", ""))
    extra_lines = _extra_lines(check, election.pop("extra_lines"))
    lines = _lines(check, check.section(data, "lines", ""), extra_lines)
    choices_section = check.section(data, "choices", "")
    after, choices, choice_kind = _choices(check, choices_section)
    per_contest = _choices_per_contest(check, choices_section.get("per_contest"), per)
    non_stations = _non_stations(check, data.get("non_stations"))
    if levels and levels[-1].level == "station" and not levels[-1].column and \
            not any(rule.every_row for rule in non_stations):
        check.problem(f"levels[{len(levels)}].column", "is required; a table without a station column must say what "
                                                       "its rows are: a non_stations rule with every_row: true")
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(c, (str, int)) for c in ignore):
        check.problem("ignore", "must be a list of column headers", ignore)
        ignore = []
    complete = data.get("complete", False)
    if not isinstance(complete, bool):
        check.problem("complete", "must be true or false", complete)
    if not election.get("sources") and source:
        election["sources"] = [{k: v for k, v in (("title", source.get("title")), ("path", source.get("url"))) if v}]
    if check.problems:
        raise InputError(check.problems)
    return Mapping(path, election, options, country, names, levels, contest, source, lines, after,
                   choices, choice_kind, tuple(_as_text(c) for c in ignore), complete is True,
                   per_constituency=per, choices_per_contest=per_contest, non_stations=non_stations,
                   extra_lines=extra_lines)


def _election(check: _Checker, data: dict) -> dict:
    where = "election"
    check.keys(data, where, ("name", "title", "date", "country", "type", "licenses", "sources", "version",
                             "extra_lines"),
               required=("title", "date", "country", "type", "licenses"))
    title = check.languages(data, "title", where, required=True)
    if title and "en" not in title:
        check.problem("election.title.en", "is required (the package title)")
    date = check.text(data, "date", where)
    if date is not None:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            check.problem("election.date", "must be a date written YYYY-MM-DD", date)
    for key in ("licenses", "sources"):
        value = data.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, dict) for v in value)):
            check.problem(f"election.{key}", "must be a list of {name/title: ..., path: ...} entries", value)
    return {
        "name": check.text(data, "name", where),
        "title": title,
        "date": date,
        "country": check.text(data, "country", where),
        "type": check.text(data, "type", where),
        "licenses": data.get("licenses") or [],
        "sources": data.get("sources") or [],
        "version": check.text(data, "version", where, default="1.0.0"),
        "extra_lines": data.get("extra_lines"),
    }


def _input(check: _Checker, data: dict) -> InputOptions:
    where = "input"
    check.keys(data, where, ("encoding", "delimiter", "sheet", "header_row", "not_published"))
    encoding = check.text(data, "encoding", where)
    if encoding is not None and encoding.lower() not in ENCODINGS:
        check.problem("input.encoding", f"must be one of: {', '.join(ENCODINGS)}", encoding)
        encoding = None
    delimiter = data.get("delimiter")
    if delimiter is not None and delimiter not in (",", ";", "\t", "tab"):
        check.problem("input.delimiter", 'must be ",", ";" or "tab"', delimiter)
        delimiter = None
    header_row = data.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        check.problem("input.header_row", "must be a line number, 1 or more", header_row)
        header_row = 1
    not_published = data.get("not_published") or []
    if not isinstance(not_published, list):
        check.problem("input.not_published", 'must be a list of texts, e.g. ["-", "—"]', not_published)
        not_published = []
    sheet = data.get("sheet")
    return InputOptions(
        encoding=ENCODINGS.get(encoding.lower()) if encoding else None,
        delimiter="\t" if delimiter == "tab" else delimiter,
        sheet=sheet if isinstance(sheet, int) and not isinstance(sheet, bool) else (None if sheet is None else str(sheet)),
        header_row=header_row,
        not_published=tuple(_as_text(v).strip() for v in not_published),
    )


def _country(check: _Checker, data: dict, election: dict) -> dict:
    check.keys(data, "country", ("id", "name"))
    default_id = (election.get("country") or "").lower() or None
    country_id = check.text(data, "id", "country", default=default_id)
    check.identifier(country_id, "country.id")
    return {"id": country_id, "names": check.languages(data, "name", "country")}


def _levels(check: _Checker, data) -> tuple[Level, ...]:
    if not isinstance(data, list) or not data:
        if data is not None:
            check.problem("levels", "must be a list of levels, from the top one down to the station", data)
        return ()
    levels: list[Level] = []
    for index, item in enumerate(data):
        where = f"levels[{index + 1}]"
        if not isinstance(item, dict):
            check.problem(where, "must be a mapping (level: ..., column: ...)", item)
            continue
        check.keys(item, where, ("level", "column", "split", "split_fallback", "value", "id", "id_prefix",
                                 "unique_within", "commission", "fill_down", "address"), required=("level",))
        is_last = index == len(data) - 1
        if item.get("column") in (None, "") and not is_last:
            check.problem(f"{where}.column", "is required (only the station level of a table of non-station units, "
                                             "e.g. e-voting by region, may have none)")
        level = check.choice(item, "level", where, ("station",) if is_last else UPPER_LEVELS)
        split = check.text(item, "split", where)
        if split is not None:
            split = SPLITS.get(split, split)
            _check_split(check, split, f"{where}.split")
        value = check.choice(item, "value", where, ("code", "name"), default="code" if level == "station" else "name")
        has_code = split is not None or value == "code"
        id_from = check.choice(item, "id", where, ("code", "name"), default="code" if has_code else "name")
        if id_from == "code" and not has_code:
            check.problem(f"{where}.id", "is 'code' but the column holds names: set split or value: code", id_from)
        if id_from == "name" and split is None and value == "code":
            check.problem(f"{where}.id", "is 'name' but the column holds codes: set split or value: name", id_from)
        prefix = check.text(item, "id_prefix", where, default="") or ""
        if prefix and not re.fullmatch(r"[A-Za-z0-9_.-]+", prefix):
            check.problem(f"{where}.id_prefix", "may hold only letters, digits, '_', '.', '-'", prefix)
        if prefix and id_from == "name":
            check.problem(f"{where}.id_prefix", "goes before a code (tik-1); this level makes its ids from names, "
                                                "which need no prefix: remove it, or set id: code", prefix)
        split_fallback = item.get("split_fallback", False)
        if split_fallback not in (True, False, "name"):
            check.problem(f"{where}.split_fallback", "must be name (or true): a value the split does not fit is a "
                                                     "name without a code", split_fallback)
        if split_fallback and split is None:
            check.problem(f"{where}.split_fallback", "goes with split", split_fallback)
        above = [lv.level for lv in levels]
        unique_within = check.text(item, "unique_within", where)
        if unique_within is not None and unique_within not in above + ["country"]:
            check.problem(f"{where}.unique_within", f"must name a level above this one ({', '.join(above + ['country'])})",
                          unique_within)
        fill_down = item.get("fill_down", False)
        if not isinstance(fill_down, bool):
            check.problem(f"{where}.fill_down", "must be true or false", fill_down)
        if level and level in above:
            check.problem(f"{where}.level", "appears twice: each level may be used once", level)
        levels.append(Level(
            level=level or "", column=check.text(item, "column", where) or "", split=split, value=value or "name",
            id_from=id_from or "name", id_prefix=prefix, unique_within=unique_within,
            commission=check.text(item, "commission", where), fill_down=fill_down is True,
            address=check.text(item, "address", where), split_fallback=split_fallback in (True, "name"),
        ))
    return tuple(levels)


def _check_split(check: _Checker, pattern: str, where: str) -> None:
    try:
        groups = pl.Series([""]).str.extract_groups(pattern).struct.fields
    except Exception as error:  # polars' regex engine decides what is valid
        check.problem(where, f"is neither 'number_name' nor a valid regular expression: {error}", pattern)
        return
    if "code" not in groups or "name" not in groups:
        check.problem(where, "a split pattern needs two named groups, (?P<code>...) and (?P<name>...)", pattern)


def _contest(check: _Checker, data: dict, election: dict, levels: tuple[Level, ...]
             ) -> tuple[dict, PerConstituency | None]:
    where = "contest"
    check.keys(data, where, ("id", "kind", "round", "name", "seats", "threshold_percent", "per", "split", "scope"),
               required=("id",))
    default_kind = election.get("type") if election.get("type") in CONTEST_KINDS else None
    names = check.languages(data, "name", where)
    contest = {
        "contest_id": check.text(data, "id", where),
        "kind": check.choice(data, "kind", where, CONTEST_KINDS, default=default_kind),
        "round": data.get("round", 1),
        "seats": data.get("seats"),
        "threshold_percent": data.get("threshold_percent"),
        **{f"name_{lang}": name for lang, name in names.items()},
    }
    if contest["kind"] is None:
        check.problem("contest.kind", f"is required (one of: {', '.join(CONTEST_KINDS)})")
    for key, least in (("round", 1), ("seats", 0)):
        value = contest[key]
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < least):
            check.problem(f"contest.{key}", f"must be a whole number, {least} or more", value)
    threshold = contest["threshold_percent"]
    if threshold is not None and (not isinstance(threshold, (int, float)) or isinstance(threshold, bool)
                                  or not 0 <= threshold <= 100):
        check.problem("contest.threshold_percent", "must be a number from 0 to 100 (a percentage)", threshold)
    per_column = check.text(data, "per", where)
    if per_column is None:
        for key in ("split", "scope"):
            if key in data:
                check.problem(f"contest.{key}", "goes with per: <column> (one contest per constituency)")
        check.identifier(contest["contest_id"], "contest.id")
        return contest, None
    template = contest["contest_id"] or ""
    _check_template(check, "contest.id", template, required=True)
    for lang, name in names.items():
        _check_template(check, f"contest.name.{lang}", name)
    split = check.text(data, "split", where)
    if split is not None:
        split = SPLITS.get(split, split)
        _check_split(check, split, "contest.split")
    scope = check.text(data, "scope", where, default="country")
    allowed = ["country"] + [level.level for level in levels if level.level != "station"]
    if scope not in allowed:
        check.problem("contest.scope", f"must be country or a level above the station ({', '.join(allowed)})", scope)
    return contest, PerConstituency(per_column, split, template, names, scope or "country")


def _check_template(check: _Checker, where: str, template: str, required: bool = False) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        check.problem(where, f"is not a valid template ({error}); use {{code}} and {{name}}", template)
        return
    if not fields <= set(TEMPLATE_FIELDS):
        check.problem(where, "may use only {code} and {name} (the constituency's number and name)", template)
    elif required and not fields:
        check.problem(where, "must hold {code} or {name}, so that each constituency's contest gets its own id",
                      template)
    elif required and not ID.match(re.sub(r"\{(code|name)\}", "1", template)):
        check.problem(where, "must make a valid id (letters, digits, '_', '.', '-')", template)


def _choices_per_contest(check: _Checker, value, per: PerConstituency | None):
    where = "choices.per_contest"
    if value is None:
        return None
    if per is None:
        check.problem(where, "goes with contest.per (one contest per constituency)", value)
        return None
    if value == "figures":
        return "figures"
    if not isinstance(value, dict) or not value:
        check.problem(where, "must be 'figures' (a choice is on a contest's ballot where it has figures) or map "
                             "each constituency code to its choice columns", value)
        return None
    out = {}
    for code, columns in value.items():
        if not isinstance(columns, list) or not all(isinstance(c, (str, int)) and not isinstance(c, bool)
                                                    for c in columns):
            check.problem(f"{where}[{code!r}]", "must be a list of choice column headers", columns)
            continue
        out[_as_text(code)] = tuple(_as_text(c) for c in columns)
    return out


def _non_stations(check: _Checker, data) -> tuple[NonStation, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        check.problem("non_stations", "must be a list of rules ({kind: electronic, column: uik, empty: true})", data)
        return ()
    if "kind" not in contract.field_names("units"):
        check.problem("non_stations", "this version of the contract has no units.kind: update Ashyq")
        return ()
    rules = []
    for index, item in enumerate(data):
        where = f"non_stations[{index + 1}]"
        if not isinstance(item, dict):
            check.problem(where, "must be a mapping (kind: ..., column: ..., empty: true or pattern: ...)", item)
            continue
        check.keys(item, where, ("kind", "column", "empty", "pattern", "every_row", "id", "name"), required=("kind",))
        kind = check.choice(item, "kind", where, STATION_KINDS)
        empty = item.get("empty", False)
        pattern = check.text(item, "pattern", where)
        every_row = item.get("every_row", False)
        for key, value in (("empty", empty), ("every_row", every_row)):
            if not isinstance(value, bool):
                check.problem(f"{where}.{key}", "must be true or false", value)
        if every_row is True:
            if empty is True or pattern is not None or item.get("column") is not None:
                check.problem(where, "every_row: true takes no column, empty or pattern (every row is such a unit)")
        elif (empty is True) == (pattern is not None) or item.get("column") in (None, ""):
            check.problem(where, "give a column and either empty: true (rows whose cell is empty) or pattern: "
                                 "<regular expression>; or every_row: true")
        if pattern is not None:
            try:
                pl.Series([""]).str.contains(pattern)
            except Exception as error:  # polars' regex engine decides what is valid
                check.problem(f"{where}.pattern", f"is not a valid regular expression: {error}", pattern)
        own_id = check.text(item, "id", where, default=kind) or "station"
        check.identifier(own_id, f"{where}.id")
        rules.append(NonStation(kind or "", check.text(item, "column", where) or "", empty is True, pattern,
                                own_id, check.languages(item, "name", where), every_row=every_row is True))
    return tuple(rules)


def _extra_lines(check: _Checker, value) -> tuple[dict, ...]:
    """election.extra_lines: lines of the package's own protocol form, {name, en, ru, kk}."""
    where = "election.extra_lines"
    if value is None:
        return ()
    if not isinstance(value, list):
        check.problem(where, "must be a list of {name: ..., en: ..., ru: ..., kk: ...}", value)
        return ()
    taken = set(contract.field_names("protocols"))
    out, seen = [], set()
    for index, entry in enumerate(value):
        spot = f"{where}[{index + 1}]"
        if not isinstance(entry, dict):
            check.problem(spot, "must be {name: ..., en: ..., ru: ..., kk: ...}", entry)
            continue
        check.keys(entry, spot, ("name", *contract.LANGUAGES), required=("name", "en"))
        name = check.text(entry, "name", spot) or ""
        if not EXTRA_LINE.match(name):
            check.problem(f"{spot}.name", "must be lower-case letters, digits and _, starting with a letter", name)
        elif name in taken or name in seen:
            check.problem(f"{spot}.name", "is already a protocol line or field, or declared twice", name)
        seen.add(name)
        out.append({"name": name, **{lang: _as_text(entry[lang]) for lang in contract.LANGUAGES
                                     if entry.get(lang) not in (None, "")}})
    return tuple(out)


def _source(check: _Checker, data: dict) -> dict:
    where = "source"
    keys = ("id", "kind", "title", "publisher", "url", "document", "published_on", "note")
    check.keys(data, where, keys, required=("id", "kind", "title"))
    source = {("source_id" if key == "id" else key): check.text(data, key, where) for key in keys}
    check.identifier(source["source_id"], "source.id")
    if source["kind"] is not None and source["kind"] not in SOURCE_KINDS:
        check.problem("source.kind", f"must be one of: {', '.join(SOURCE_KINDS)}", source["kind"])
    if source["published_on"] is not None:
        try:
            datetime.date.fromisoformat(source["published_on"])
        except ValueError:
            check.problem("source.published_on", "must be a date written YYYY-MM-DD", source["published_on"])
    return source


def _lines(check: _Checker, data: dict, extra_lines: tuple[dict, ...] = ()) -> dict[str, str]:
    names = contract.line_names() + [line["name"] for line in extra_lines]
    lines = {}
    for key, header in data.items():
        if key not in names:
            check.problem(f"lines.{key}", f"is not a protocol line of the contract (one of: {', '.join(names)}); "
                                          "declare a line of your own form under election.extra_lines")
        elif not isinstance(header, (str, int)) or isinstance(header, bool):
            check.problem(f"lines.{key}", "must be the column header, as text", header)
        else:
            lines[key] = _as_text(header)
    return lines


def _choices(check: _Checker, data: dict) -> tuple[str | None, tuple[Choice, ...], str]:
    where = "choices"
    check.keys(data, where, ("after", "columns", "kind", "details", "per_contest"))
    kind = check.choice(data, "kind", where, CHOICE_KINDS, default="candidate") or "candidate"
    after = check.text(data, "after", where)
    columns, details = data.get("columns"), data.get("details")
    entries: list[tuple[str, object]] = []
    if data and (after is None) == (columns is None):
        check.problem(where, "give either 'after: <column>' (every column after it) or 'columns: [...]'")
    elif columns is not None:
        if details is not None:
            check.problem("choices.details", "goes with 'after'; with 'columns', give the details in each entry")
        if not isinstance(columns, list) or not columns:
            check.problem("choices.columns", "must be a non-empty list of column headers or {column: ...} entries", columns)
        else:
            entries = [(f"choices.columns[{i + 1}]", entry) for i, entry in enumerate(columns)]
    elif details is not None:
        if not isinstance(details, dict):
            check.problem("choices.details", "must map column headers to {id, kind, name, affiliation}", details)
        else:
            entries = [(f"choices.details[{column!r}]", {"column": column, **detail} if isinstance(detail, dict) else detail)
                       for column, detail in details.items()]
    choices, seen = [], set()
    for spot, entry in entries:
        if isinstance(entry, (str, int)) and not isinstance(entry, bool):
            entry = {"column": entry}
        if not isinstance(entry, dict):
            check.problem(spot, "must be a column header or {column: ..., id: ..., kind: ..., name: ...}", entry)
            continue
        check.keys(entry, spot, ("column", "id", "kind", "name", "affiliation"), required=("column",))
        column = check.text(entry, "column", spot) or ""
        if normalise(column) in seen:
            check.problem(spot, "this column is listed twice", column)
        seen.add(normalise(column))
        choice_id = check.text(entry, "id", spot)
        check.identifier(choice_id, f"{spot}.id")
        choices.append(Choice(
            column=column, id=choice_id, kind=check.choice(entry, "kind", spot, CHOICE_KINDS, default=kind) or kind,
            names=check.languages(entry, "name", spot), affiliation=check.text(entry, "affiliation", spot),
        ))
    return after, tuple(choices), kind


def resolve_columns(mapping: Mapping, headers: list[str], table_path: Path) -> Columns:
    """Match the mapping to the table's header: every column must be claimed exactly once."""
    problems: list[Problem] = []
    index_of: dict[str, int] = {}
    duplicates: set[str] = set()
    for position, header in enumerate(headers):
        key = normalise(header)
        if key in index_of:
            duplicates.add(key)
        index_of.setdefault(key, position)

    def find(header: str, use: str) -> int | None:
        key = normalise(header)
        if key in duplicates:
            problems.append(Problem(*located(table_path),
                                    f"{use} names a column that appears twice in the header",
                                    row=mapping.input.header_row, field=header, kind="column"))
        elif key not in index_of:
            problems.append(Problem(*located(table_path),
                                    f"{use} names a column that is not in the table",
                                    row=mapping.input.header_row, field=header, kind="column"))
        return index_of.get(key)

    levels = [find(level.column, f"levels ({level.level})") if level.column else None for level in mapping.levels]
    addresses = {i: find(level.address, f"levels ({level.level}) address")
                 for i, level in enumerate(mapping.levels) if level.address}
    lines = {name: find(header, f"lines.{name}") for name, header in mapping.lines.items()}
    ignored = {find(header, "ignore") for header in mapping.ignore}
    per = mapping.per_constituency
    constituency = find(per.column, "contest.per") if per else None
    non_stations = tuple(find(rule.column, f"non_stations ({rule.kind})") if rule.column else None
                         for rule in mapping.non_stations)
    claimed = {p for p in [*levels, *addresses.values(), *lines.values(), constituency, *non_stations]
               if p is not None}
    details = {normalise(choice.column): choice for choice in mapping.choices}

    choices: list[tuple[int, Choice]] = []
    if mapping.choices_after is not None:
        start = find(mapping.choices_after, "choices.after")
        if start is not None:
            for position in range(start + 1, len(headers)):
                if position in claimed or position in ignored or not headers[position]:
                    continue
                choice = details.pop(normalise(headers[position]), None)
                choices.append((position, choice or Choice(headers[position], None, mapping.choice_kind, {})))
            for choice in details.values():
                problems.append(Problem(*located(mapping.path),
                                        f"choices.details names a column that is not after {mapping.choices_after!r}",
                                        field=choice.column, kind="mapping"))
    else:
        for choice in mapping.choices:
            position = find(choice.column, "choices.columns")
            if position is not None:
                choices.append((position, choice))

    taken: dict[int, str] = {}
    uses = [(p, "a level") for p in levels] + [(p, "an address") for p in addresses.values()] + \
           [(p, "a protocol line") for p in lines.values()] + [(p, "a choice") for p, _ in choices] + \
           [(constituency, "the constituency (contest.per)")]
    for position, use in uses:
        if position is None:
            continue
        if position in taken:
            problems.append(Problem(*located(table_path),
                                    f"is mapped twice (as {taken[position]} and as {use})",
                                    row=mapping.input.header_row, field=headers[position], kind="column"))
        taken[position] = use
    for position, header in enumerate(headers):
        if position not in taken and position not in ignored and position not in non_stations:
            problems.append(Problem(
                *located(table_path),
                ("column is neither mapped nor ignored: map it (levels, lines, choices) or list it under ignore"
                 if header else f"column {position + 1} has no header but is not empty: give it one"),
                row=mapping.input.header_row, field=header, kind="unmapped-column"))
    if not choices and not problems:
        problems.append(Problem(*located(mapping.path), "no choice columns found",
                                field="choices", kind="mapping"))
    if problems:
        raise InputError(problems)
    return Columns(levels=levels, addresses=addresses, lines=lines, choices=choices, constituency=constituency,
                   non_stations=non_stations)


def normalise(header: str) -> str:
    """Headers match whatever their spacing or case: long CEC headers come with stray spaces."""
    return " ".join(str(header).split()).casefold()


def _shorten(text: str, width: int = 200) -> str:
    return text if len(text) <= width else text[:width] + f"… ({len(text):,} characters)"


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
