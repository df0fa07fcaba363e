"""How units and elections are named on pages and in breadcrumbs, in the reader's language (plain
text, a ``Name`` when it comes from the data; escape when used, ``loc.name_html`` for a visible
fallback)."""
from __future__ import annotations

import re

from . import urls
from .data import ElectionData
from .locale import Locale, Name


def unit_name(loc: Locale, unit: dict) -> str:
    """A unit's name; a polling station's is its commission and number ("УИК 576", "PEC 410"), followed
    by its own name where that says more than the number ("УИК 576 — Школа № 5"). A name of a few
    words holding the number ("Polling station 576", "УИК №576", "№410 сайлау учаскесі") only restates it."""
    name = loc.name(unit, default=unit.get("code") or unit["unit_id"])
    if unit["level"] != "station":
        return name
    code = unit.get("code")
    if not code:
        return name
    label = f"{loc.commission(unit.get('commission')) or loc.t('station')} {code}"
    words = re.findall(r"\w+", str(name))
    if name in (code, unit["unit_id"], label) or (str(code) in words and len(words) <= 4):
        return label
    return Name(f"{label} — {name}", name.lang, name.fallback) if isinstance(name, Name) else f"{label} — {name}"


def election_title(loc: Locale, data: ElectionData) -> str:
    return loc.name(data.election, "title", default=data.election_id)


def contest_name(loc: Locale, contest: dict) -> str:
    return loc.name(contest, default=contest["contest_id"])


def unit_url(loc: Locale, data: ElectionData, unit_id: str) -> str:
    unit = data.units[unit_id]
    return urls.unit(loc.lang, data.election_id, unit_id, unit["level"], is_root=unit["parent_id"] is None,
                     parent_id=unit["parent_id"], code=unit.get("code"))


def trail(loc: Locale, data: ElectionData, unit_id: str) -> list[tuple[str, str]]:
    """(url, label) from the home page down to the unit: Elections › election › region › … › unit."""
    out = [(urls.home(loc.lang), loc.t("elections"))]
    for unit in data.path(unit_id):
        label = election_title(loc, data) if unit["parent_id"] is None else unit_name(loc, unit)
        out.append((unit_url(loc, data, unit["unit_id"]), label))
    return out


def package_title(loc: Locale, package) -> str:
    """An election package's title from its descriptor (``election.title.<lang>``)."""
    titles = {f"title_{lang}": text for lang, text in (package.election.get("title") or {}).items()}
    return loc.name(titles, "title", default=package.descriptor.get("title") or package.id)
