"""Boundaries for maps: the divisions a package's regions can be drawn with, read from the committed
GeoJSON in ``boundaries/`` (see its README for source and licence) and ``divisions.yml``.

- ``regions(division_id)``: the division's polygons by code (derived divisions are merged here, at
  build time, with shapely's ``unary_union``; never drawn by hand);
- ``mismatches(division_id, units)``: regions without a polygon and polygons without a region (the
  validate stage refuses a package with any);
- ``drawing_script(division_id)``: the polygons as a small script for the map pages (Plotly scatter
  traces need rings of x and y; a script, not a JSON file, so the offline copy works from file://).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BOUNDARIES = HERE / "boundaries"
DIVISIONS_FILE = HERE / "divisions.yml"
ATTRIBUTION_FILE = BOUNDARIES / "README.md"
DIGITS = 2  # the boundaries are written on a 0.01° grid


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2 as the boundaries write it (the join key)
    kato: str
    names: dict  # {"en": …, "ru": …, "kk": …} as in the boundaries (short forms)
    geometry: object  # shapely Polygon or MultiPolygon, lon/lat


@cache
def _table() -> dict[str, dict]:
    return yaml.safe_load(DIVISIONS_FILE.read_text(encoding="utf-8"))


def division_ids() -> list[str]:
    return sorted(_table())


def level(division_id: str) -> str:
    """The unit level whose units the division's polygons stand for."""
    return _table()[division_id].get("level", "region")


@cache
def regions(division_id: str) -> dict[str, Region]:
    """code → Region, in code order. KeyError for an unknown division."""
    spec = _table()[division_id]
    if "file" in spec:
        return _read(BOUNDARIES / spec["file"])
    from shapely import unary_union

    out = dict(regions(spec["base"]))
    for merge in spec.get("merge", []):
        parts = [out.pop(code) for code in merge["parts"]]
        code = merge.get("code", parts[0].code)
        names = {lang: merge.get(f"name_{lang}", parts[0].names[lang]) for lang in ("en", "ru", "kk")}
        out[code] = Region(code, str(merge.get("kato", parts[0].kato)), names,
                           unary_union([p.geometry for p in parts]))
    return dict(sorted(out.items()))


def _read(path: Path) -> dict[str, Region]:
    from shapely.geometry import shape

    collection = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for feature in collection["features"]:
        p = feature["properties"]
        out[p["code"]] = Region(p["code"], p["kato"], {lang: p[f"name_{lang}"] for lang in ("en", "ru", "kk")},
                                shape(feature["geometry"]))
    return dict(sorted(out.items()))


def mismatches(division_id: str, units: list[tuple[str, str | None]]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(units whose code has no polygon, codes of polygons no unit carries). ``units``: (unit_id, code)."""
    polygons = regions(division_id)
    without = [(unit_id, code) for unit_id, code in units if not code or code not in polygons]
    used = {code for _, code in units}
    return without, [code for code in polygons if code not in used]


def aspect(division_id: str) -> float:
    """How much taller a degree of latitude is drawn than a degree of longitude (1 / cos of the
    middle latitude): the map is not squashed, without projecting every coordinate."""
    south, north = _bounds(division_id)[1::2]
    return round(1 / math.cos(math.radians((south + north) / 2)), 4)


def height_ratio(division_id: str) -> float:
    """The drawn map's height over its width."""
    west, south, east, north = _bounds(division_id)
    return round((north - south) * aspect(division_id) / (east - west), 3)


def _bounds(division_id: str) -> tuple[float, float, float, float]:
    from shapely import total_bounds

    return tuple(float(v) for v in total_bounds([r.geometry for r in regions(division_id).values()]))


@cache
def drawing(division_id: str) -> dict[str, list[list]]:
    """code → [xs, ys] with None between rings: each polygon's outline, then its holes wound the
    other way (e.g. Akmola around Astana): the page fills the outline but not the hole, and Plotly's
    hover counts the rings (even-odd), so a point in the hole is not in the region around it."""
    from shapely.geometry.polygon import orient

    out = {}
    for code, region in regions(division_id).items():
        xs: list = []
        ys: list = []
        for polygon in getattr(region.geometry, "geoms", [region.geometry]):
            polygon = orient(polygon, sign=1.0)  # outline counter-clockwise, holes clockwise
            for ring in [polygon.exterior, *polygon.interiors]:
                if xs:
                    xs.append(None)
                    ys.append(None)
                for x, y in ring.coords:
                    xs.append(round(x, DIGITS))
                    ys.append(round(y, DIGITS))
        out[code] = [xs, ys]
    return out


SMALL_AREA = 0.5  # square degrees: a region this small (a city) also gets a dot, to be seen and hovered


def dots(division_id: str) -> dict[str, list[float]]:
    """code → [x, y] of a point inside each small region (cities), where the map draws a dot."""
    return {code: [round(p.x, DIGITS), round(p.y, DIGITS)]
            for code, region in regions(division_id).items() if region.geometry.area < SMALL_AREA
            for p in [region.geometry.representative_point()]}


def drawing_script(division_id: str) -> str:
    """The page script that hands the division's outlines to the map code (assets/ashyq-map.js)."""
    data = json.dumps(drawing(division_id), separators=(",", ":"), sort_keys=True)
    key = json.dumps(division_id)
    return f"(window.ashyqBoundaries=window.ashyqBoundaries||{{}})[{key}]={data};\n"


def attribution() -> str:
    """The credit line the licence (CC BY 4.0) asks for, as written in boundaries/README.md."""
    for line in ATTRIBUTION_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("Attribution: "):
            return line.removeprefix("Attribution: ").strip()
    raise RuntimeError(f"{ATTRIBUTION_FILE}: no 'Attribution: ' line")


def credit() -> str:
    """The attribution after its "Boundaries: " (pages write that word in their own language)."""
    return attribution().removeprefix("Boundaries: ")
