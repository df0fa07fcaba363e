"""The map block: a package's regions on a map (Plotly scatter polygons, no tiles), shaded by what
was published for them, with a one-line summary, a legend, the boundaries' credit and the same
numbers in a table.

What the map shows ("measures", the reader switches between them): the final turnout, the leading
choice's share, each choice's share, and the turnout at each report time of the day, each only when
at least one region has it. Figures come from the same figure sets as the tables on the page
(``figures.primary``: the official result as published, else the sum of the stations). A region with
nothing published for a measure is drawn hatched grey and labelled "not published", never as zero.

The outlines (``assets/maps/<division>.js``, written once per build from ``ashyq/geo``) and the map
code (``assets/ashyq-map.js``) are loaded by the block itself, so only pages with a map load them.
All text is prepared here in the page's language; the script only draws and switches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .. import geo
from . import urls
from .charts import _safe
from .data import ElectionData
from .escape import h, script_json
from .figures import all_sets, primary
from .fragments import link, percent, table, row, text_cell, note
from .naming import unit_url
from .text import LANGUAGE, not_published, t

# ColorBrewer YlGnBu, 5 classes: sequential, colour-blind safe, light = low.
PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
NOT_PUBLISHED_FILL, NOT_PUBLISHED_HATCH = "#e0e0e0", "#6e6e6e"
MAP_SCRIPT = "ashyq-map.js"


@dataclass
class Measure:
    """One way to shade the map: a value per region (None = not published) and its text."""
    key: str
    label: str  # "Turnout at 18:05" in the page's language
    values: dict[str, float | None] = field(default_factory=dict)  # unit_id → percent
    texts: dict[str, str] = field(default_factory=dict)  # unit_id → formatted, "not published" when None
    approximate: set[str] = field(default_factory=set)  # computed here, not published (shown with ≈)

    def published(self) -> list[str]:
        return [u for u, v in self.values.items() if v is not None]


def boundaries_asset(division: str) -> str:
    return urls.asset(f"maps/{division}.js")


def write_boundaries(docs_dir: Path, divisions: set[str]) -> None:
    """The outlines of each division some package uses, as page scripts (see geo.drawing_script)."""
    for division in sorted(divisions):
        path = Path(docs_dir) / urls.asset(f"maps/{division}.js")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(geo.drawing_script(division), encoding="utf-8")


def mapped_units(data: ElectionData, unit_ids: list[str]) -> list[str]:
    """The units of ``unit_ids`` the election's division draws (empty: no map for them)."""
    division = data.election.get("division")
    if not division or division not in geo.division_ids():
        return []
    return [u for u in unit_ids if data.units[u]["level"] == geo.level(division) and data.units[u].get("code")]


def region_map(data: ElectionData, contest: dict, unit_ids: list[str], url: str, lang: str = LANGUAGE) -> str:
    """The map block for the units below a page (its regions), or "" when they are not on a map or
    nothing was published for any of them. ``unit_ids``: the child units with data in the contest."""
    units = mapped_units(data, [u for u in data.children.get(_parent(data, unit_ids), []) if u in data.units])
    if not units or not set(unit_ids) & set(units):
        return ""
    measures = [m for m in region_measures(data, contest, units, lang) if m.published()]
    if not measures:
        return ""
    return map_block(data, contest, units, measures, url, lang)


def _parent(data: ElectionData, unit_ids: list[str]) -> str | None:
    return data.units[unit_ids[0]]["parent_id"] if unit_ids else None


def region_measures(data: ElectionData, contest: dict, units: list[str], lang: str = LANGUAGE) -> list[Measure]:
    """Every measure the map can show for ``units`` in ``contest``, in the order the switch lists them."""
    cid = contest["contest_id"]
    choices = data.choices.get(cid, [])
    turnout = Measure("turnout", t("turnout", lang))
    leader = Measure("leader", t("map_leader_share", lang))
    shares = [Measure(f"choice:{c['choice_id']}", t("map_choice_share", lang, choice=local_name(c, lang)))
              for c in choices]
    for unit_id in units:
        main = primary(all_sets(data, cid, unit_id))
        value, approximate = (None, False)
        if main is not None:
            value = main.turnout_percent
            if value is None:
                value, approximate = main.computed_turnout(), True
        _put(turnout, unit_id, value, approximate, lang)
        counted = []
        for choice, measure in zip(choices, shares):
            share, approx = main.share(choice["choice_id"]) if main is not None else (None, False)
            _put(measure, unit_id, share, approx, lang)
            if share is not None:
                counted.append((share, approx, choice))
        if counted:
            share, approx, choice = max(counted, key=lambda x: x[0])
            leader.values[unit_id] = share
            if approx:
                leader.approximate.add(unit_id)
            leader.texts[unit_id] = f"{local_name(choice, lang)}: {percent(share, approx)}"
        else:
            _put(leader, unit_id, None, False, lang)
    return [turnout, leader, *shares, *_report_measures(data, cid, units, lang)]


def _report_measures(data: ElectionData, cid: str, units: list[str], lang: str) -> list[Measure]:
    """Turnout at each report time of the day, as the regions reported it (first source per time)."""
    times: dict[str, str] = {}  # reported_at → label
    for unit_id in units:
        for report in data.turnout.get((cid, unit_id), []):
            times.setdefault(str(report["reported_at"]), _time_label(report))
    out = []
    for reported_at, label in sorted(times.items()):
        measure = Measure(f"report:{reported_at}", t("map_turnout_at", lang, time=label))
        for unit_id in units:
            report = next((r for r in data.turnout.get((cid, unit_id), []) if str(r["reported_at"]) == reported_at), None)
            value, approximate = (None, False)
            if report is not None:
                value = report["turnout_percent"]
                if value is None and report.get("computed_percent") is not None:
                    value, approximate = report["computed_percent"], True
            _put(measure, unit_id, value, approximate, lang)
        out.append(measure)
    return out


def _time_label(report: dict) -> str:
    return report.get("label") or str(report["reported_at"])[11:16] or str(report["reported_at"])


def _put(measure: Measure, unit_id: str, value, approximate: bool, lang: str) -> None:
    measure.values[unit_id] = value
    if approximate and value is not None:
        measure.approximate.add(unit_id)
    measure.texts[unit_id] = percent(value, approximate) if value is not None else not_published(lang)


def local_name(row: dict, lang: str = LANGUAGE) -> str:
    """A unit's, choice's or contest's name in ``lang``, else the name the model chose."""
    return row.get(f"name_{lang}") or row.get("name") or ""


def classes(values: list[float]) -> list[tuple[float, float]]:
    """Up to five classes holding about as many regions each (quantiles), so one outlier does not
    paint every other region the same colour: [(lowest, highest value of the class)], ascending."""
    ordered = sorted(values)
    count = min(len(PALETTE), len(set(ordered)))
    if count <= 1:
        return [(ordered[0], ordered[-1])]
    out, start = [], 0
    for k in range(1, count + 1):
        end = round(k * len(ordered) / count)
        while end < len(ordered) and ordered[end] == ordered[end - 1]:
            end += 1  # equal values stay in one class
        if end > start:
            out.append((ordered[start], ordered[end - 1]))
            start = end
    return out


def colour(value: float | None, bands: list[tuple[float, float]]) -> str | None:
    """The class colour of ``value`` (None: not published, drawn hatched by the script)."""
    if value is None:
        return None
    palette = _palette(len(bands))
    for index, (_, highest) in enumerate(bands):
        if value <= highest:
            return palette[index]
    return palette[-1]


def _palette(count: int) -> list[str]:
    """``count`` colours of the palette, spread from light to dark."""
    if count == 1:
        return [PALETTE[2]]
    return [PALETTE[round(i * (len(PALETTE) - 1) / (count - 1))] for i in range(count)]


def map_block(data: ElectionData, contest: dict, units: list[str], measures: list[Measure], url: str,
              lang: str = LANGUAGE) -> str:
    division = data.election["division"]
    default = max(range(len(measures)), key=lambda i: (len(measures[i].published()), _preference(measures[i], i)))
    names = {u: local_name(data.units[u], lang) for u in units}
    prepared = []
    for measure in measures:
        published = measure.published()
        bands = classes([measure.values[u] for u in published])
        prepared.append({
            "label": measure.label,
            "summary": _summary(measure, names, len(units), lang),
            "legend": [[colour(low, bands), f"{percent(low)} – {percent(high)}" if high > low else percent(low)]
                       for low, high in bands],
            "fill": [colour(measure.values[u], bands) for u in units],
        })
    dots = geo.dots(division)
    hover = [[_hover(names[u], measure, units, u, measures) for measure in measures] for u in units]
    payload = {
        "division": division,
        "aspect": geo.aspect(division),
        "height": geo.height_ratio(division),
        "default": default,
        "measures": prepared,
        "regions": [{"code": data.units[u]["code"], "url": urls.relative(url, unit_url(data, u)), "hover": hover[i],
                     **({"dot": dots[data.units[u]["code"]]} if data.units[u]["code"] in dots else {})}
                    for i, u in enumerate(units)],
        "notPublished": {"fill": NOT_PUBLISHED_FILL, "hatch": NOT_PUBLISHED_HATCH},
    }
    select_id = f"map-{contest['contest_id']}"
    options = "".join(f'<option value="{i}"{" selected" if i == default else ""}>{h(m.label)}</option>'
                      for i, m in enumerate(measures))
    summary = prepared[default]["summary"]
    legend = "".join(f'<li><span class="ashyq-map-swatch" style="background:{c}"></span>{h(label)}</li>'
                     for c, label in prepared[default]["legend"])
    legend += (f'<li class="ashyq-map-np"><span class="ashyq-map-swatch ashyq-map-hatch"></span>'
               f'{h(not_published(lang))}</li>')
    scripts = "".join(f'<script src="{h(urls.relative(url, src))}"></script>'
                      for src in (boundaries_asset(division), urls.asset(MAP_SCRIPT)))
    return (f'<figure class="ashyq-map-block">'
            f'<div class="ashyq-map-controls"><label for="{h(select_id)}">{h(t("map_shade_by", lang))}</label> '
            f'<select id="{h(select_id)}">{options}</select></div>'
            f'<div class="ashyq-map" role="img" aria-label="{h(summary)}"></div>'
            f'<script type="application/json" class="ashyq-map-data">{script_json(payload)}</script>'
            f'<figcaption>{h(summary)}</figcaption>'
            f'<ul class="ashyq-map-legend" aria-label="{h(t("map_legend", lang))}">{legend}</ul>'
            f'<p class="ashyq-map-source">{h(t("map_boundaries", lang))}: {h(geo.credit())}</p>'
            f'</figure>{scripts}'
            + map_table(data, units, measures, url, lang))


def _preference(measure: Measure, index: int) -> int:
    """Among measures published for as many regions: the final turnout, then the leader's share,
    then the latest turnout report of the day."""
    if measure.key == "turnout":
        return 3_000_000
    if measure.key == "leader":
        return 2_000_000
    return index if measure.key.startswith("report:") else -index


def _hover(name: str, measure: Measure, units: list[str], unit_id: str, measures: list[Measure]) -> str:
    """Plotly hover text (limited HTML; data escaped): the name, the shown figure, and the turnout."""
    lines = [f"<b>{_safe(name)}</b>", f"{_safe(measure.label)}: {_safe(measure.texts[unit_id])}"]
    turnout = measures[0]
    if measure is not turnout and turnout.values.get(unit_id) is not None:
        lines.append(f"{_safe(turnout.label)}: {_safe(turnout.texts[unit_id])}")
    return "<br>".join(lines)


def _summary(measure: Measure, names: dict[str, str], total: int, lang: str) -> str:
    published = measure.published()
    high = max(published, key=lambda u: (measure.values[u], names[u]))
    low = min(published, key=lambda u: (measure.values[u], names[u]))
    return t("map_summary", lang, measure=measure.label, n=len(published), total=total,
             high=names[high], high_value=percent(measure.values[high], high in measure.approximate),
             low=names[low], low_value=percent(measure.values[low], low in measure.approximate))


def map_table(data: ElectionData, units: list[str], measures: list[Measure], url: str, lang: str) -> str:
    """The map's numbers for readers without the picture: one row per region, one column per measure."""
    headers = [h(t("name", lang))] + [h(m.label) for m in measures]
    rows = []
    for unit_id in units:
        cells = [text_cell(link(url, unit_url(data, unit_id), h(local_name(data.units[unit_id], lang))))]
        for m in measures:
            value = m.values[unit_id]
            if value is None:
                cells.append(f'<td class="np">{h(m.texts[unit_id])}</td>')
            else:
                cells.append(f'<td class="num" data-sort="{value:.4f}">{h(m.texts[unit_id])}</td>')
        rows.append(row(cells))
    return (f'<details class="ashyq-map-table"><summary>{h(t("map_table", lang))}</summary>'
            + table(headers, rows, searchable=False, numeric_from=1) + "</details>")
