"""Checks a Table Schema cannot express: the unit hierarchy is one tree, and links are web links.

- Exactly one unit has no parent (the root, usually the country); every chain of parents ends there,
  so no unit is its own ancestor. Pages and totals walk this tree: a cycle would never end, a second
  root would silently drop its stations from the national totals.
- ``format: uri`` fields hold http(s) addresses only: they become links on the site, and a
  ``javascript:`` or ``file:`` address must never be published as one.
"""
from __future__ import annotations

import polars as pl

from ..limits import MAX_HIERARCHY_DEPTH
from .fast import URI
from .files import BLANK, ROW, Table
from ..problems import Problem

WEB_SCHEMES = ("http://", "https://")


def hierarchy_problems(package_id: str, units: Table) -> list[Problem]:
    frame = units.frame.filter(~pl.col(BLANK) & pl.col("unit_id").is_not_null())
    rows = frame.select(ROW, "unit_id", "parent_id").rows()
    out = []
    roots = [(row, unit) for row, unit, parent in rows if parent is None]
    if not roots and rows:
        out.append(Problem(package_id, units.file, "no root unit: exactly one unit (the country, or the "
                           "whole area of the election) must have an empty parent_id", field="parent_id",
                           kind="hierarchy-root"))
    if len(roots) > 1:
        names = ", ".join(unit for _, unit in roots[:10]) + (" …" if len(roots) > 10 else "")
        for row, unit in roots:
            out.append(Problem(package_id, units.file, f"{len(roots)} units have an empty parent_id ({names}); "
                               "exactly one root is expected: give the others their parent", row=row,
                               field="parent_id", value="", kind="hierarchy-root"))
    parent = {unit: p for _, unit, p in rows}
    row_of = {unit: row for row, unit, _ in rows}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to reach a root or a dead end
    for start in parent:
        path, unit = [], start
        while unit is not None and unit in parent and state.get(unit) != 2:
            if state.get(unit) == 1:  # came back to a unit of this path: a cycle
                cycle = path[path.index(unit):]
                first = min(cycle, key=row_of.__getitem__)
                cycle = cycle[cycle.index(first):] + cycle[:cycle.index(first)]  # from its first row
                out.append(Problem(package_id, units.file,
                                   "the parents form a cycle: " + " → ".join([*cycle, first]) +
                                   " (a unit cannot be its own ancestor)",
                                   row=row_of[first], field="parent_id", value=parent[first],
                                   kind="hierarchy-cycle"))
                break
            state[unit] = 1
            path.append(unit)
            unit = parent[unit]
        for seen in path:
            state[seen] = 2
    if not any(p.kind == "hierarchy-cycle" for p in out):
        out += _depth_problems(package_id, units.file, parent, row_of)
    return sorted(out, key=lambda p: p.row or 0)


def _depth_problems(package_id: str, file: str, parent: dict, row_of: dict) -> list[Problem]:
    """Units more than ``MAX_HIERARCHY_DEPTH`` levels below the root: every page carries the path
    from the root, so a chain of 10,000 units would make 10,000 pages of 10,000 links each."""
    depth: dict[str, int] = {}
    for start in parent:
        path, unit = [], start
        while unit is not None and unit in parent and unit not in depth:
            path.append(unit)
            unit = parent[unit]
        level = depth.get(unit, 0) if unit is not None else 0
        for seen in reversed(path):
            level += 1
            depth[seen] = level
    return [Problem(package_id, file, f"the unit is {depth[unit]} levels deep: the limit is {MAX_HIERARCHY_DEPTH} "
                    "levels from the root (country, regions, districts, stations need 4; see docs/limits.md)",
                    row=row_of[unit], field="parent_id", value=parent[unit], kind="limit")
            for unit in parent if depth[unit] == MAX_HIERARCHY_DEPTH + 1]


def link_problems(package_id: str, table: Table, schema: dict) -> list[Problem]:
    out = []
    for field in schema["fields"]:
        if field.get("format") != "uri":
            continue
        name = field["name"]
        lower = pl.col(name).str.to_lowercase()
        # A value without any scheme is already a type error; here: a scheme, but not a web one.
        bad = table.frame.filter(pl.col(name).str.contains(URI) & ~lower.str.starts_with(WEB_SCHEMES[0])
                                 & ~lower.str.starts_with(WEB_SCHEMES[1]))
        for row, value in bad.select(ROW, name).iter_rows():
            out.append(Problem(package_id, table.file, "only http:// and https:// addresses are published as links",
                               row=row, field=name, value=value, kind="link"))
    return out
