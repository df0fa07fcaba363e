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
from .charts import plotly_text
from .data import ElectionData
from .escape import h, script_json
from .figures import all_sets, primary
from .fragments import link, table, row, text_cell, note
from .locale import Locale
from .naming import unit_url

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
    # the "leading choice" measure: each region in its leader's colour (the charts' colour of that
    # choice), not in classes of its value: unit_id → (ballot order, colour, name)
    leaders: dict[str, tuple[int, str, str]] = field(default_factory=dict)

    def published(self) -> list[str]:
        return [u for u, v in self.values.items() if v is not None]


def boundaries_asset(division: str) -> str:
    return urls.asset(f"maps/{division}.js")


def write_boundaries(site_dir: Path, divisions: set[str]) -> None:
    """The outlines of each division some package uses, as page scripts (see geo.drawing_script)."""
    for division in sorted(divisions):
        path = Path(site_dir) / urls.asset(f"maps/{division}.js")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(geo.drawing_script(division), encoding="utf-8")


def mapped_units(data: ElectionData, unit_ids: list[str]) -> list[str]:
    """The units of ``unit_ids`` the election's division draws (empty: no map for them)."""
    division = data.election.get("division")
    if not division or division not in geo.division_ids():
        return []
    return [u for u in unit_ids if data.units[u]["level"] == geo.level(division) and data.units[u].get("code")]


def region_map(data: ElectionData, contest: dict, unit_ids: list[str], url: str, loc: Locale) -> str:
    """The map block for the units below a page (its regions), or "" when they are not on a map or
    nothing was published for any of them. ``unit_ids``: the child units with data in the contest."""
    units = mapped_units(data, [u for u in data.children.get(_parent(data, unit_ids), []) if u in data.units])
    if not units or not set(unit_ids) & set(units):
        return ""
    measures = [m for m in region_measures(data, contest, units, loc) if m.published()]
    if not measures:
        return ""
    return map_block(data, contest, units, measures, url, loc)


def _parent(data: ElectionData, unit_ids: list[str]) -> str | None:
    return data.units[unit_ids[0]]["parent_id"] if unit_ids else None


def region_measures(data: ElectionData, contest: dict, units: list[str], loc: Locale) -> list[Measure]:
    """Every measure the map can show for ``units`` in ``contest``, in the order the switch lists them."""
    cid = contest["contest_id"]
    choices = data.choices.get(cid, [])
    turnout = Measure("turnout", loc.t("turnout"))
    leader = Measure("leader", loc.t("map_leader_share"))
    leading = Measure("leading", loc.t("map_leading_choice"))
    shares = [Measure(f"choice:{c['choice_id']}", loc.t("map_choice_share", choice=local_name(c, loc)))
              for c in choices]
    for unit_id in units:
        main = primary(all_sets(loc, data, cid, unit_id))
        value, approximate = (None, False)
        if main is not None:
            value = main.turnout_percent
            if value is None:
                value, approximate = main.computed_turnout(), True
        _put(turnout, unit_id, value, approximate, loc)
        counted = []
        for choice, measure in zip(choices, shares):
            share, approx = main.share(choice["choice_id"]) if main is not None else (None, False)
            _put(measure, unit_id, share, approx, loc)
            if share is not None:
                counted.append((share, approx, choice))
        if counted:
            share, approx, choice = max(counted, key=lambda x: x[0])
            leader.values[unit_id] = share
            if approx:
                leader.approximate.add(unit_id)
            leader.texts[unit_id] = f"{local_name(choice, loc)}: {loc.percent(share, approx)}"
            _lead(leading, unit_id, leader, choice, loc)
        else:
            _put(leader, unit_id, None, False, loc)
            _put(leading, unit_id, None, False, loc)
    return [turnout, leader, leading, *shares, *_report_measures(data, cid, units, loc)]


def _lead(leading: Measure, unit_id: str, leader: Measure, choice: dict, loc: Locale) -> None:
    """The leading choice of ``unit_id`` (its share as the leader measure has it), in its colour."""
    leading.values[unit_id] = leader.values[unit_id]
    leading.texts[unit_id] = leader.texts[unit_id]
    if unit_id in leader.approximate:
        leading.approximate.add(unit_id)
    leading.leaders[unit_id] = (choice["ballot_order"], choice["colour"], local_name(choice, loc))


def shading(measure: Measure, ids: list[str], bands: list[tuple[float, float]], loc: Locale) -> tuple[list, list]:
    """(legend: [colour, label] ..., fill: a colour or None (not published) per id): classes of the
    value, or, for the leading choice, each leader's colour with the leaders as the legend."""
    if measure.leaders:
        shown = sorted({measure.leaders[i] for i in ids if i in measure.leaders})
        return ([[c, name] for _, c, name in shown],
                [measure.leaders[i][1] if i in measure.leaders else None for i in ids])
    return ([[colour(low, bands), f"{loc.percent(low)} – {loc.percent(high)}" if high > low else loc.percent(low)]
             for low, high in bands],
            [colour(measure.values[i], bands) for i in ids])


def _report_measures(data: ElectionData, cid: str, units: list[str], loc: Locale) -> list[Measure]:
    """Turnout at each report time of the day, as the regions reported it (first source per time)."""
    times: dict[str, str] = {}  # reported_at → the time in the reader's language (the day too when several)
    reports = [r for unit_id in units for r in data.turnout.get((cid, unit_id), [])]
    days = {str(r["reported_at"])[:10] for r in reports}
    for report in reports:
        times.setdefault(str(report["reported_at"]), loc.report_time(report["reported_at"], with_date=len(days) > 1))
    out = []
    for reported_at, label in sorted(times.items()):
        measure = Measure(f"report:{reported_at}", loc.t("map_turnout_at", time=label))
        for unit_id in units:
            report = next((r for r in data.turnout.get((cid, unit_id), []) if str(r["reported_at"]) == reported_at), None)
            value, approximate = (None, False)
            if report is not None:
                value = report["turnout_percent"]
                if value is None and report.get("computed_percent") is not None:
                    value, approximate = report["computed_percent"], True
            _put(measure, unit_id, value, approximate, loc)
        out.append(measure)
    return out



def _put(measure: Measure, unit_id: str, value, approximate: bool, loc: Locale) -> None:
    measure.values[unit_id] = value
    if approximate and value is not None:
        measure.approximate.add(unit_id)
    measure.texts[unit_id] = loc.percent(value, approximate) if value is not None else loc.not_published


def local_name(row: dict, loc: Locale) -> str:
    """A unit's, choice's or contest's name in the reader's language (a marked fallback), else the
    name the model chose."""
    return loc.name(row)


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
              loc: Locale) -> str:
    division = data.election["division"]
    default = max(range(len(measures)), key=lambda i: (len(measures[i].published()), _preference(measures[i], i)))
    names = {u: local_name(data.units[u], loc) for u in units}
    prepared = []
    for measure in measures:
        published = measure.published()
        legend, fill = shading(measure, units, classes([measure.values[u] for u in published]), loc)
        prepared.append({
            "label": measure.label,
            "summary": _summary(measure, names, len(units), loc),
            "legend": legend,
            "fill": fill,
        })
    dots = geo.dots(division)
    hover = [[_hover(names[u], measure, units, u, measures) for measure in measures] for u in units]
    payload = {
        "division": division,
        "aspect": geo.aspect(division),
        "height": geo.height_ratio(division),
        "default": default,
        "measures": prepared,
        "regions": [{"code": data.units[u]["code"], "url": urls.relative(url, unit_url(loc, data, u)), "hover": hover[i],
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
               f'{h(loc.not_published)}</li>')
    scripts = "".join(f'<script src="{h(urls.relative(url, src))}"></script>'
                      for src in (boundaries_asset(division), urls.asset(MAP_SCRIPT)))
    return (f'<figure class="ashyq-map-block">'
            f'<div class="ashyq-map-controls"><label for="{h(select_id)}">{h(loc.t("map_shade_by"))}</label> '
            f'<select id="{h(select_id)}">{options}</select></div>'
            f'<div class="ashyq-map" role="img" aria-label="{h(summary)}"></div>'
            f'<script type="application/json" class="ashyq-map-data">{script_json(payload)}</script>'
            f'<figcaption>{h(summary)}</figcaption>'
            f'<ul class="ashyq-map-legend" aria-label="{h(loc.t("map_legend"))}">{legend}</ul>'
            f'<p class="ashyq-map-source">{h(loc.t("map_boundaries"))}: <span lang="en">{h(geo.credit())}</span></p>'
            f'</figure>{scripts}'
            + map_table(data, units, measures, url, loc))


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
    lines = [f"<b>{plotly_text(name)}</b>", f"{plotly_text(measure.label)}: {plotly_text(measure.texts[unit_id])}"]
    turnout = measures[0]
    if measure is not turnout and turnout.values.get(unit_id) is not None:
        lines.append(f"{plotly_text(turnout.label)}: {plotly_text(turnout.texts[unit_id])}")
    return "<br>".join(lines)


def _summary(measure: Measure, names: dict[str, str], total: int, loc: Locale) -> str:
    published = measure.published()
    high = max(published, key=lambda u: (measure.values[u], names[u]))
    low = min(published, key=lambda u: (measure.values[u], names[u]))
    return loc.t("map_summary", measure=measure.label, n=len(published), total=total,
             high=names[high], high_value=loc.percent(measure.values[high], high in measure.approximate),
             low=names[low], low_value=loc.percent(measure.values[low], low in measure.approximate))


def map_table(data: ElectionData, units: list[str], measures: list[Measure], url: str, loc: Locale) -> str:
    """The map's numbers for readers without the picture: one row per region, one column per measure."""
    headers = [h(loc.t("name"))] + [h(m.label) for m in measures]
    rows = []
    for unit_id in units:
        cells = [text_cell(link(url, unit_url(loc, data, unit_id), h(local_name(data.units[unit_id], loc))))]
        for m in measures:
            value = m.values[unit_id]
            if value is None:
                cells.append(f'<td class="np">{h(m.texts[unit_id])}</td>')
            else:
                cells.append(f'<td class="num" data-sort="{value:.4f}">{h(m.texts[unit_id])}</td>')
        rows.append(row(cells))
    return (f'<details class="ashyq-map-table"><summary>{h(loc.t("map_table"))}</summary>'
            + table(headers, rows, searchable=False, numeric_from=1, label=loc.t("map_table")) + "</details>")


# --- polling venues (St Petersburg): points where the stations stand -------------------------------
#
# One points script per election and contest (``elections/<id>/venues-<contest>.js``, every placed
# venue with its figures and the colour classes of the whole election, so a colour means the same on
# every page); each page's block names the venues of its own stations and lists them in a table. The
# map code fetches the points script only when the map comes within a screen of view (issue 13: a
# city's points are ~80 kB gzipped, and the maps sit far down the long election and district pages).

VENUE_CHOICES = 5  # the venue map offers the shares of this many choices (most votes first)
MAX_VENUE_ROWS = 300  # above this, a page lists no venue table (the pages of its districts do)
ABROAD = "abroad"


@dataclass
class Venue:
    venue_id: str
    row: dict  # the venues.csv row (name_*, address, latitude, longitude)
    stations: list[str]
    voters: int | None = None  # voters on the list, summed over its stations where published


@dataclass
class VenueSet:
    """Every placed venue of an election's contest, with its measures and their classes."""
    key: str  # the name the points script registers itself under
    script: str  # site-relative URL of the points script
    venues: list[Venue]
    measures: list[Measure]
    bands: list[list[tuple[float, float]]]  # per measure
    station_venue: dict[str, int]  # station → index in ``venues``


_SETS: dict[tuple[str, str, str], tuple[object, VenueSet | None]] = {}


def stations_below(data: ElectionData, unit_id: str) -> list[str]:
    """Every station under ``unit_id`` (itself when it is one), in the order of the unit list."""
    if data.units[unit_id]["level"] == "station":
        return [unit_id]
    out, pending = [], list(data.children.get(unit_id, []))
    while pending:
        current = pending.pop(0)
        if data.units[current]["level"] == "station":
            out.append(current)
        else:
            pending[:0] = data.children.get(current, [])
    return out


def venue_set(data: ElectionData, contest: dict, venues: dict[str, dict], loc: Locale) -> VenueSet | None:
    """The election's placed venues in ``contest`` (None when no station has a venue with
    coordinates, or nothing was published for them). Computed once per election, contest and language,
    from the whole election (a region's pages show their venues on the election's scale)."""
    data = data.whole or data
    cache_key = (data.election_id, contest["contest_id"], loc.lang)
    cached = _SETS.get(cache_key)
    if cached is not None and cached[0] is data:
        return cached[1]
    cid = contest["contest_id"]
    placed: dict[str, Venue] = {}
    for s in data.stations():
        unit = data.units[s]
        venue = venues.get(unit.get("venue_id") or "")
        if venue is None or venue.get("latitude") is None or venue.get("longitude") is None \
                or unit.get("kind") == ABROAD or not data.has_data(cid, s):
            continue
        placed.setdefault(venue["venue_id"], Venue(venue["venue_id"], venue, [])).stations.append(s)
    items = sorted(placed.values(), key=lambda v: v.venue_id)
    measures = [m for m in venue_measures(data, contest, items, loc) if m.published()]
    result = None
    if items and measures:
        result = VenueSet(
            key=f"{data.election_id}/{cid}",
            script=urls.election(loc.lang, data.election_id) + f"venues-{cid}.js",
            venues=items, measures=measures,
            bands=[classes([m.values[v] for v in m.published()]) for m in measures],
            station_venue={s: i for i, v in enumerate(items) for s in v.stations},
        )
    _SETS[cache_key] = (data, result)
    return result


def write_venue_scripts(docs_dir: Path, data: ElectionData, venues: dict[str, dict], loc: Locale) -> None:
    """The points script of every contest of the election that has placed venues."""
    for contest in data.contests:
        found = venue_set(data, contest, venues, loc)
        if found is None:
            continue
        path = Path(docs_dir) / urls.language_of(found.script) / urls.build_path(found.script)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(venue_script(data, found, loc), encoding="utf-8")


def venue_script(data: ElectionData, found: VenueSet, loc: Locale) -> str:
    """``(window.ashyqMapData ||= {})[key] = {venues, measures}``: a script, so it also loads from
    file:// in the offline copy. Station links are relative to the election's folder."""
    lats = [float(v.row["latitude"]) for v in found.venues]
    largest = max((v.voters or 0) for v in found.venues) or 1
    station_word = loc.t("map_venue_stations")
    base = urls.election(loc.lang, data.election_id)
    payload = {
        "aspect": round(1 / math.cos(math.radians((min(lats) + max(lats)) / 2)), 4),
        "measures": [dict(zip(("label", "legend", "fill"), (plotly_text(m.label), *shading(m, [v.venue_id for v in found.venues], bands, loc))))
                     for m, bands in zip(found.measures, found.bands)],
        "venues": [{
            "x": round(float(v.row["longitude"]), 5), "y": round(float(v.row["latitude"]), 5),
            "size": round(5 + 10 * math.sqrt((v.voters or 0) / largest), 1),
            "url": urls.relative(base, unit_url(loc, data, v.stations[0])),
            "head": _venue_head(data, v, local_name(v.row, loc) or v.row.get("address") or v.venue_id, station_word),
            "texts": [m.texts[v.venue_id] for m in found.measures],
        } for v in found.venues],
        "notPublished": {"fill": NOT_PUBLISHED_FILL, "hatch": NOT_PUBLISHED_HATCH},
    }
    return f"(window.ashyqMapData=window.ashyqMapData||{{}})[{script_json(found.key)}]={script_json(payload)};\n"


def venue_map(data: ElectionData, contest: dict, station_ids: list[str], url: str, venues: dict[str, dict],
              loc: Locale, stations_listed: bool = False) -> str:
    """The stations of a page (``station_ids``, e.g. ``stations_below(data, unit_id)``) as points
    where they stand, coloured by turnout or a choice's share and sized by voters; stations abroad and
    stations without coordinates listed apart. "" when none of them has a placed venue. Needs the
    election's points script (``write_venue_scripts``). ``stations_listed``: the page already has
    the table of these stations, so the venues' table is left out for a note pointing to it."""
    found = venue_set(data, contest, venues, loc)
    if found is None:
        return ""
    cid = contest["contest_id"]
    stations = [s for s in station_ids if data.has_data(cid, s)]
    shown = sorted({found.station_venue[s] for s in stations if s in found.station_venue})
    if not shown:
        return ""
    abroad = [s for s in stations if data.units[s].get("kind") == ABROAD]
    unplaced = [s for s in stations if s not in found.station_venue and s not in abroad]
    items = [found.venues[i] for i in shown]
    measures = found.measures
    on_page = [[m.values[v.venue_id] for v in items if m.values[v.venue_id] is not None] for m in measures]
    default = max(range(len(measures)), key=lambda i: (len(on_page[i]), _preference(measures[i], i)))
    summaries = [loc.t("map_venues_summary", n=len(items), stations=sum(len(v.stations) for v in items),
                   measure=m.label, low=loc.percent(min(values), True) if values else loc.not_published,
                   high=loc.percent(max(values), True) if values else loc.not_published,
                   np=len(items) - len(values))
                 for m, values in zip(measures, on_page)]
    # the points script is fetched by the map code when the map comes near the screen (points: its URL)
    page = {"set": found.key, "show": shown, "default": default, "summaries": summaries,
            "base": urls.relative(url, urls.election(loc.lang, data.election_id)),
            "points": urls.relative(url, found.script)}
    select_id = f"venues-{cid}"
    options = "".join(f'<option value="{i}"{" selected" if i == default else ""}>{h(m.label)}</option>'
                      for i, m in enumerate(measures))
    default_legend, _ = shading(measures[default], [v.venue_id for v in items], found.bands[default], loc)
    legend = "".join(f'<li><span class="ashyq-map-swatch" style="background:{c}"></span>{h(label)}</li>'
                     for c, label in default_legend)
    legend += (f'<li class="ashyq-map-np"><span class="ashyq-map-swatch" style="background:{NOT_PUBLISHED_FILL}">'
               f'</span>{h(loc.not_published)}</li>')
    names = {v.venue_id: local_name(v.row, loc) or v.row.get("address") or v.venue_id for v in items}
    if stations_listed:
        listing = note(h(loc.t("map_venues_stations_below")))
    elif len(items) <= MAX_VENUE_ROWS:
        listing = venue_table(data, items, measures, names, url, loc)
    else:  # a city's thousand venues: each district's page has the table of its own
        listing = note(h(loc.t("map_venues_table_below", n=len(items))))
    scripts = f'<script src="{h(urls.relative(url, urls.asset(MAP_SCRIPT)))}"></script>'
    return (f'<figure class="ashyq-map-block ashyq-venue-map">'
            f'<div class="ashyq-map-controls"><label for="{h(select_id)}">{h(loc.t("map_shade_by"))}</label> '
            f'<select id="{h(select_id)}">{options}</select></div>'
            f'<div class="ashyq-map" role="img" aria-label="{h(summaries[default])}"></div>'
            f'<script type="application/json" class="ashyq-map-data">{script_json(page)}</script>'
            f'<figcaption>{h(summaries[default])}</figcaption>'
            f'<ul class="ashyq-map-legend" aria-label="{h(loc.t("map_legend"))}">{legend}</ul>'
            f'</figure>{scripts}'
            + listing
            + _station_list(loc, data, abroad, loc.t("map_abroad"), url)
            + _station_list(loc, data, unplaced, loc.t("map_no_venue"), url))


def venue_measures(data: ElectionData, contest: dict, venues: list[Venue], loc: Locale) -> list[Measure]:
    """Turnout, the leader's share and the largest choices' shares of each venue: its stations'
    protocols added up (computed here, so shown with ≈), over the stations that published them."""
    cid = contest["contest_id"]
    choices = data.choices.get(cid, [])
    totals: dict[str, dict] = {}
    overall: dict[str, int] = {}
    for venue in venues:
        listed = issued = valid = 0
        votes: dict[str, int] = {}
        has_turnout = has_votes = False
        for s in venue.stations:
            main = primary(all_sets(loc, data, cid, s))
            if main is None:
                continue
            if main.lines.get("voters_on_list") is not None:
                venue.voters = (venue.voters or 0) + main.lines["voters_on_list"]
            if main.lines.get("voters_on_list") and main.lines.get("ballots_issued") is not None:
                listed += main.lines["voters_on_list"]
                issued += main.lines["ballots_issued"]
                has_turnout = True
            station_votes = {c["choice_id"]: main.votes.get(c["choice_id"]) for c in choices}
            if choices and all(v is not None for v in station_votes.values()):
                for choice_id, v in station_votes.items():
                    votes[choice_id] = votes.get(choice_id, 0) + v
                    overall[choice_id] = overall.get(choice_id, 0) + v
                base = main.lines.get("ballots_valid")
                valid += base if base is not None else sum(station_votes.values())
                has_votes = True
        totals[venue.venue_id] = {"turnout": 100.0 * issued / listed if has_turnout else None,
                                  "votes": votes if has_votes and valid else None, "valid": valid}
    shown = sorted(choices, key=lambda c: -overall.get(c["choice_id"], 0))[:VENUE_CHOICES]
    turnout = Measure("turnout", loc.t("turnout"))
    leader = Measure("leader", loc.t("map_leader_share"))
    leading = Measure("leading", loc.t("map_leading_choice"))
    shares = [Measure(f"choice:{c['choice_id']}", loc.t("map_choice_share", choice=local_name(c, loc)))
              for c in shown]
    by_id = {c["choice_id"]: c for c in choices}
    for venue in venues:
        total = totals[venue.venue_id]
        _put(turnout, venue.venue_id, total["turnout"], True, loc)
        votes = total["votes"]
        for choice, measure in zip(shown, shares):
            share = 100.0 * votes[choice["choice_id"]] / total["valid"] if votes else None
            _put(measure, venue.venue_id, share, True, loc)
        if votes:
            best = max(votes, key=lambda c: (votes[c], c))
            leader.values[venue.venue_id] = 100.0 * votes[best] / total["valid"]
            leader.approximate.add(venue.venue_id)
            leader.texts[venue.venue_id] = f"{local_name(by_id[best], loc)}: {loc.percent(leader.values[venue.venue_id], True)}"
            _lead(leading, venue.venue_id, leader, by_id[best], loc)
        else:
            _put(leader, venue.venue_id, None, False, loc)
            _put(leading, venue.venue_id, None, False, loc)
    return [turnout, leader, leading, *shares]


def _venue_head(data: ElectionData, venue: Venue, name: str, station_word: str) -> str:
    """The first lines of a venue's hover text (Plotly's limited HTML, data escaped); the script adds
    the shown figure."""
    codes = ", ".join(str(data.units[s].get("code") or s) for s in venue.stations)
    lines = [f"<b>{plotly_text(name)}</b>"]
    if venue.row.get("address"):
        lines.append(plotly_text(venue.row["address"]))
    lines.append(f"{plotly_text(station_word)}: {plotly_text(codes)}")
    return "<br>".join(lines)


def venue_table(data: ElectionData, venues: list[Venue], measures: list[Measure], names: dict[str, str],
                url: str, loc: Locale) -> str:
    headers = [h(loc.t("map_venue")), h(loc.t("map_venue_stations")), h(loc.t("map_voters"))]
    headers += [h(m.label) for m in measures]
    rows = []
    for v in venues:
        address = f'<br><small>{h(v.row["address"])}</small>' if v.row.get("address") else ""
        links = ", ".join(link(url, unit_url(loc, data, s), h(data.units[s].get("code") or s)) for s in v.stations)
        cells = [text_cell(h(names[v.venue_id]) + address), text_cell(links)]
        cells.append(f'<td class="num">{h(loc.number(v.voters))}</td>' if v.voters is not None
                     else f'<td class="np">{h(loc.not_published)}</td>')
        for m in measures:
            value = m.values[v.venue_id]
            cells.append(f'<td class="np">{h(m.texts[v.venue_id])}</td>' if value is None
                         else f'<td class="num" data-sort="{value:.4f}">{h(m.texts[v.venue_id])}</td>')
        rows.append(row(cells))
    return (f'<details class="ashyq-map-table"><summary>{h(loc.t("map_table"))}</summary>'
            + table(headers, rows, searchable=False, numeric_from=2, label=loc.t("map_table")) + "</details>")


def _station_list(loc: Locale, data: ElectionData, stations: list[str], title: str, url: str) -> str:
    if not stations:
        return ""
    from .naming import unit_name

    items = "".join(f"<li>{link(url, unit_url(loc, data, s), h(unit_name(loc, data.units[s])))}</li>" for s in stations)
    # collapsed to one line (a city's list of stations without coordinates runs to screens on a phone)
    return (f'<details class="ashyq-more"><summary>{h(title)} ({h(loc.number(len(stations)))})</summary>'
            f'<ul class="ashyq-map-apart">{items}</ul></details>')
