"""Kazakhstan's region boundaries, from ``realdata/kz-boundaries/`` (geokz shapefiles) to the small
GeoJSON files the site draws its maps from (``ashyq/geo/boundaries/``, committed).

Each division (2018: 17 regions, 2024: 20) is simplified as a coverage (``shapely.coverage_simplify``:
a border shared by two regions is simplified once, so neighbours still meet without gaps or
overlaps), islands too small to see at country scale are dropped, and coordinates are snapped to a
0.01° grid (about 1 km). Re-running gives the same bytes.
"""
from __future__ import annotations

import json
from pathlib import Path

from .tables import SourceError

FOLDER = "realdata/kz-boundaries"
OUT = Path(__file__).resolve().parents[1] / "geo" / "boundaries"
# division id → source shapefile (without extension)
SOURCES = {
    "kz-adm1-2018": "kaz_admbnda_adm1_2018",
    "kz-adm1-2024": "kaz_admbnda_adm1_2024",
}
TOLERANCE = 0.04  # degrees: a few tens of kB per division, borders still recognisable
GRID = 0.01  # degrees: coordinates written with two decimals
MIN_PART_AREA = 0.02  # square degrees: smaller islands and fragments are dropped (not the main part)


def convert(shared: Path, out: Path | None = None) -> list[Path]:
    """Write ``<division>.geojson`` for every division into ``out`` (default: ashyq/geo/boundaries)."""
    out = Path(out) if out is not None else OUT
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for division, name in SOURCES.items():
        features = read_features(Path(shared) / FOLDER / name)
        path = out / f"{division}.geojson"
        path.write_text(feature_collection(division, features), encoding="utf-8")
        written.append(path)
    return written


def read_features(base: Path) -> list[dict]:
    """The shapefile's regions, simplified together: [{properties, geometry (shapely)}], by code."""
    import shapefile  # pyshp
    import shapely
    from shapely.geometry import shape

    if not base.with_suffix(".shp").is_file():
        raise SourceError(f"{base}.shp: source file not found (pass --shared pointing at the shared folder)")
    reader = shapefile.Reader(str(base), encoding="utf-8")
    records = [record.as_dict() for record in reader.records()]
    geometries = [shape(s.__geo_interface__) for s in reader.shapes()]
    missing = [r for r in records if not r.get("ISO_3166_2") or not r.get("KATO")]
    if missing:
        raise SourceError(f"{base}.dbf: region without ISO_3166_2 or KATO code: {missing[0]}")
    simplified = shapely.coverage_simplify(geometries, TOLERANCE)
    features = []
    for record, geometry in zip(records, simplified):
        geometry = shapely.set_precision(_without_specks(geometry), GRID)
        features.append({
            "properties": {
                "code": record["ISO_3166_2"],
                "kato": record["KATO"],
                "name_en": record["ADM1_EN"],
                "name_ru": record["ADM1_RU"],
                "name_kk": record["ADM1_KK"],
            },
            "geometry": geometry,
        })
    return sorted(features, key=lambda f: f["properties"]["code"])


def _without_specks(geometry):
    """The polygon without parts too small to see (the largest part always stays)."""
    from shapely.geometry import MultiPolygon

    parts = list(getattr(geometry, "geoms", [geometry]))
    largest = max(parts, key=lambda p: p.area)
    kept = [p for p in parts if p is largest or p.area >= MIN_PART_AREA]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def feature_collection(division: str, features: list[dict]) -> str:
    """Compact GeoJSON text (one feature per line, coordinates with two decimals)."""
    from shapely.geometry import mapping

    lines = []
    for feature in features:
        geometry = mapping(feature["geometry"])
        item = {"type": "Feature", "properties": feature["properties"],
                "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}}
        lines.append(json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "name": division}, ensure_ascii=False, separators=(",", ":"))
    return head[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(float(c), 2) for c in coordinates]
    return [_rounded(c) for c in coordinates]
