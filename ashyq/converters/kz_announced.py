"""What Kazakhstan's CEC announced as the number of polling stations and voters of each election, as
news agencies reported it (``realdata/kz-cec-press/kz_election_counts.csv``, one stated figure per
row with its page and quote), for the ``announced`` resource: "results of N of M polling stations
published here". Only totals that include the stations abroad (or whose scope is the whole election)
are taken; each source page becomes a source of its own, so two pages that differ both show.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from . import kz_regions
from .tables import SourceError, read_csv

FILE = "realdata/kz-cec-press/kz_election_counts.csv"

# package → (the file's ``election`` and ``date``, [(measure, figure)]): the measures whose value is
# the election's total of stations or voters on the lists.
CHOSEN = {
    "kz-2011-presidential": ("Presidential (early)", "2011-04-03", [
        ("polling stations (total, rounded; election-day report)", "stations"),
        ("voters included in voter lists (rounded)", "voters"),
    ]),
    "kz-2019-presidential": ("Presidential (early)", "2019-06-09", [
        ("polling stations opened 'countrywide and abroad'", "stations"),
        ("voters included in voter lists", "voters"),
    ]),
    "kz-2022-presidential": ("Presidential (early)", "2022-11-20", [
        ("polling stations, total incl. abroad (final-results article)", "stations"),
        ("eligible voters (final CEC results) / participated", "voters"),
    ]),
    "kz-2023-majilis": ("Majilis (early)", "2023-03-19", [
        ("polling stations, total incl. abroad", "stations"),
        ("total number of voters (final CEC results)", "voters"),
    ]),
}


def announced(shared: Path, package: str, contest_id: str) -> tuple[list[dict], list[dict]]:
    """(sources, announced rows) of one package: one source and one row per page quoted."""
    election, date, measures = CHOSEN[package]
    rows = read_csv(Path(shared) / FILE)
    by_url: dict[str, dict] = {}
    sources: dict[str, dict] = {}
    for measure, figure in measures:
        found = [r for r in rows if r["election"] == election and r["date"] == date and r["measure"] == measure]
        if len(found) != 1:
            raise SourceError(f"{FILE}: expected one row for {election} {date} {measure!r}, found {len(found)}")
        row = found[0]
        source_id = f"announced-{len(sources) + 1}" if row["source_url"] not in sources else sources[row["source_url"]]["source_id"]
        if row["source_url"] not in sources:
            host = urlparse(row["source_url"]).netloc
            sources[row["source_url"]] = {
                "source_id": source_id, "kind": "official",
                "title": f"Central Election Commission figures as reported by {host}",
                "publisher": host, "url": row["source_url"], "document": row["quote"],
                "published_on": None,
                "note": "Stated figures of the whole election (stations abroad included where the source says so), "
                        "quoted in kz_election_counts.csv; not a protocol.",
            }
        entry = by_url.setdefault(row["source_url"], {"contest_id": contest_id, "unit_id": kz_regions.COUNTRY_ID,
                                                      "source_id": source_id, "notes": []})
        entry[figure] = figure_value(row["value"])
        entry["notes"].append(f"{measure}: {row['value']}")
    out = []
    for entry in by_url.values():
        notes = entry.pop("notes")
        out.append({**entry, "note": "; ".join(notes)})
    return list(sources.values()), out


def figure_value(text: str) -> str:
    """The first figure stated: "more than 9,700 (…)" → 9700, "9.18 million" → 9180000,
    "11953465 / 8300046" → 11953465 (the note keeps the words as published)."""
    match = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million)?", text)
    if not match:
        raise SourceError(f"{FILE}: no figure in {text!r}")
    number = match.group(1).replace(",", "")
    if match.group(2):
        whole, _, fraction = number.partition(".")
        return str(int(whole) * 1_000_000 + int((fraction + "000000")[:6]))
    if "." in number:
        raise SourceError(f"{FILE}: {text!r} is not a count")
    return number
