"""How units and elections are named on pages and in breadcrumbs (plain text; escape when used)."""
from __future__ import annotations

from . import urls
from .data import ElectionData
from .text import t


def unit_name(unit: dict) -> str:
    if unit["level"] != "station":
        return unit["name"]
    code = unit.get("code")
    label = f"{unit.get('commission') or t('station')} {code}" if code else unit["name"]
    name = unit["name"]
    return label if name in (code, unit["unit_id"], label) else f"{label} — {name}"


def election_title(data: ElectionData) -> str:
    e = data.election
    return e.get("title_en") or e.get("title") or e.get("title_ru") or data.election_id


def unit_url(data: ElectionData, unit_id: str) -> str:
    unit = data.units[unit_id]
    return urls.unit(data.election_id, unit_id, unit["level"], is_root=unit["parent_id"] is None)


def trail(data: ElectionData, unit_id: str) -> list[tuple[str, str]]:
    """(url, label) from the home page down to the unit: Elections › election › region › … › unit."""
    out = [(urls.home(), t("elections"))]
    for unit in data.path(unit_id):
        label = election_title(data) if unit["parent_id"] is None else unit_name(unit)
        out.append((unit_url(data, unit["unit_id"]), label))
    return out
