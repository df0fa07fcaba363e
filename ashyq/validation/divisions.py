"""The map a package names: ``"election": {"division": "kz-adm1-2024"}`` in datapackage.json.

Its units of the division's level (``region``) are joined to the division's polygons by ``code``
(ISO 3166-2 as the boundaries write it, see ashyq/geo/boundaries/README.md). A region without a
polygon, or a polygon without a region, would draw a wrong map: the package is refused, naming the
unit, its code and what to do. A package without ``division`` simply has no map.
"""
from __future__ import annotations

import polars as pl

from .. import geo
from ..load import DESCRIPTOR, ElectionPackage
from ..problems import Problem
from .files import BLANK, ROW, Table


def division_problems(package: ElectionPackage, units: Table | None) -> list[Problem]:
    if not isinstance(package.election, dict):
        return []  # the descriptor's own check refuses it
    division = package.election.get("division")
    if division is None:
        return []
    if not isinstance(division, str) or division not in geo.division_ids():
        return [Problem(package.id, DESCRIPTOR, "unknown map division: choose one of "
                        f"{', '.join(geo.division_ids())} (ashyq/geo/divisions.yml), or leave election.division out",
                        field="election.division", value=str(division), kind="division")]
    if units is None or not units.readable:
        return []
    level = geo.level(division)
    rows = (units.frame.filter(~pl.col(BLANK) & (pl.col("level") == level))
            .select(ROW, "unit_id", "code").rows())
    without, unused = geo.mismatches(division, [(unit_id, code) for _, unit_id, code in rows])
    row_of = {unit_id: row for row, unit_id, _ in rows}
    known = ", ".join(geo.regions(division))
    out = [Problem(package.id, units.file,
                   f"{level} {unit_id!r} has no polygon in map division {division!r}: its code must be one of "
                   f"{known} (ISO 3166-2 as the boundaries write it), or name another division",
                   row=row_of[unit_id], field="code", value=code or "", kind="division")
           for unit_id, code in without]
    seen: dict[str, int] = {}
    for row, unit_id, code in rows:
        if code and code in seen:
            out.append(Problem(package.id, units.file,
                               f"{level} {unit_id!r} carries code {code!r} like the unit in row {seen[code]}: "
                               f"each polygon of map division {division!r} stands for exactly one unit",
                               row=row, field="code", value=code, kind="division"))
        elif code:
            seen[code] = row
    if unused:  # one problem (reports are keyed by row and field; these have no row)
        region = geo.regions(division)
        listed = ", ".join(f"{code!r} ({region[code].names['en']})" for code in unused)
        out.append(Problem(package.id, units.file,
                           f"map division {division!r} has polygon(s) {listed} that no {level} unit carries in its "
                           f"code: add the code to that unit, or name the division that matches the package's "
                           f"{level}s", field="code", value=", ".join(unused), kind="division"))
    return out
