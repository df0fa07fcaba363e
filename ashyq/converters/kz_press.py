"""Kazakhstan 2019, 2022 and 2023: the CEC's national results and regional turnout, from press reports.

Source: ``realdata/kz-cec-press/`` (hand-transcribed from news agencies' word-for-word reports of CEC
briefings; every row carries the page it was read from). The CEC published national totals and
regional turnout only, so each package holds the country, its regions, one national protocol,
turnout reports by region through the day and, for 2022, three regional final turnout figures.
Nothing below those levels is written: absent means "not published".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import kz_announced, kz_regions
from .tables import SourceError, join_urls, read_csv, slug, write

FOLDER = "realdata/kz-cec-press"
SOURCE_ID = "cec"
ODIHR_KAZAKHSTAN_PAGE = "http://www.osce.org/odihr/elections/kazakhstan"  # cited in the 2011 ODIHR report

# Each national line of the source → the contract's protocol line, with what the source calls it.
# "votes_parties_plus_against_all" is deliberately absent: it is not the valid-ballot line as
# published (see _protocol_row).
PROTOCOL_LINES = {
    "voters_on_list": ("voters_on_list", None),
    "ballots_cast": ("ballots_in_boxes", 'published as "votes cast" (Число проголосовавших) = valid + invalid ballots'),
    "ballots_received_by_voters": ("ballots_issued", 'published as "voters who received ballots" (Получили бюллетени)'),
    "valid": ("ballots_valid", None),
    "invalid": ("ballots_invalid", None),
}
CHOICE_LINES = ("candidate", "party", "against_all")


@dataclass(frozen=True)
class Election:
    name: str  # package name = folder = election id
    label: str  # the source's ``election`` value
    date: str
    type: str
    titles: dict[str, str]
    contest: dict
    regions_from: str  # whose turnout rows give the regions of that year
    division: str  # the map of those regions (ashyq/geo/divisions.yml)
    extra_sources: tuple[dict, ...] = field(default_factory=tuple)


PRESIDENT = {
    "contest_id": "president",
    "kind": "presidential",
    "round": 1,
    "scope_unit_id": kz_regions.COUNTRY_ID,
    "name_en": "President of the Republic of Kazakhstan",
    "name_ru": "Президент Республики Казахстан",
    "name_kk": "Қазақстан Республикасының Президенті",
}

ODIHR_2019 = {
    "title": "OSCE/ODIHR International Election Observation Mission, Republic of Kazakhstan, Early "
             "Presidential Election 9 June 2019: Statement of Preliminary Findings and Conclusions "
             "(Nur-Sultan, 10 June 2019)",
    "path": ODIHR_KAZAKHSTAN_PAGE,
}
ODIHR_2023 = {
    "title": "OSCE/ODIHR Election Observation Mission, Republic of Kazakhstan, Early Parliamentary "
             "Elections 19 March 2023: Statement of Preliminary Findings and Conclusions (Astana, "
             "20 March 2023) — electoral system: 69 party-list seats, 5 % threshold",
    "path": ODIHR_KAZAKHSTAN_PAGE,
}

ELECTIONS = (
    Election(
        name="kz-2019-presidential",
        label="2019-06-09 presidential (early)",
        date="2019-06-09",
        type="presidential",
        titles={
            "en": "Kazakhstan, early presidential election, 9 June 2019",
            "ru": "Казахстан, внеочередные выборы Президента, 9 июня 2019 года",
            "kk": "Қазақстан, Президенттің кезектен тыс сайлауы, 2019 жылғы 9 маусым",
        },
        contest=PRESIDENT,
        regions_from="2019-06-09 presidential (early)",
        division="kz-adm1-2018",
        extra_sources=(ODIHR_2019,),
    ),
    Election(
        name="kz-2022-presidential",
        label="2022-11-20 presidential (early)",
        date="2022-11-20",
        type="presidential",
        titles={
            "en": "Kazakhstan, early presidential election, 20 November 2022",
            "ru": "Казахстан, внеочередные выборы Президента, 20 ноября 2022 года",
            "kk": "Қазақстан, Президенттің кезектен тыс сайлауы, 2022 жылғы 20 қараша",
        },
        contest=PRESIDENT,
        regions_from="2022-11-20 presidential (early)",
        division="kz-adm1-2024",
    ),
    Election(
        name="kz-2023-majilis",
        label="2023-03-19 Majilis party-list (early)",
        date="2023-03-19",
        type="parliamentary",
        titles={
            "en": "Kazakhstan, early Majilis elections, 19 March 2023 (party lists)",
            "ru": "Казахстан, внеочередные выборы депутатов Мажилиса, 19 марта 2023 года (партийные списки)",
            "kk": "Қазақстан, Мәжіліс депутаттарының кезектен тыс сайлауы, 2023 жылғы 19 наурыз (партиялық тізімдер)",
        },
        contest={
            "contest_id": "party-list",
            "kind": "party_list",
            "round": 1,
            "scope_unit_id": kz_regions.COUNTRY_ID,
            "name_en": "Majilis, nationwide party-list district",
            "name_ru": "Мажилис, общенациональный избирательный округ (партийные списки)",
            "name_kk": "Мәжіліс, жалпыұлттық сайлау округі (партиялық тізімдер)",
            "seats": 69,  # ODIHR 2023 statement: 69 of 98 seats by closed lists nationwide
            "threshold_percent": 5,
            "note": "The other 29 seats of the Majilis were filled in 29 single-member constituencies the same "
                    "day. Their results are not in this package yet: the CEC's constituency results were not "
                    "found with a source that can be cited.",
        },
        # The 2022 map (Abai, Zhetysu, Ulytau created June 2022) was unchanged in March 2023.
        regions_from="2022-11-20 presidential (early)",
        division="kz-adm1-2024",
        extra_sources=(ODIHR_2023,),
    ),
)

# The one published correction: the preliminary result of 10 June 2019 (ODIHR statement).
CHANGES_2019 = [
    {
        "contest_id": "president",
        "unit_id": kz_regions.COUNTRY_ID,
        "source_id": SOURCE_ID,
        "field": "percent:tokayev",
        "old_value": "70.76",
        "new_value": "70.96",
        "old_published_on": "2019-06-10",
        "url": ODIHR_KAZAKHSTAN_PAGE,
        "note": "Preliminary result announced by the CEC on the morning of 10 June 2019: Mr. Tokayev "
                "70.76 per cent, as quoted in the OSCE/ODIHR IEOM Statement of Preliminary Findings and "
                "Conclusions (Nur-Sultan, 10 June 2019), section on counting and tabulation. The final "
                "result is 70.96 per cent; the date of the final announcement is not given in the sources used.",
    }
]


def convert(shared: Path, out: Path) -> list[Path]:
    folder = Path(shared) / FOLDER
    results = read_csv(folder / "kz_national_results.csv")
    turnout = read_csv(folder / "kz_turnout_by_region.csv")
    written = []
    for election in ELECTIONS:
        national = [row for row in results if row["election"] == election.label]
        reports = [row for row in turnout if row["election"] == election.label]
        if not national:
            raise SourceError(f"{folder}/kz_national_results.csv: no rows for {election.label!r}")
        rows = package_rows(election, national, reports, [r for r in turnout if r["election"] == election.regions_from])
        sources, counts = kz_announced.announced(shared, election.name, election.contest["contest_id"])
        rows["sources"] += sources
        rows["announced"] = counts
        written.append(write(out, metadata(election, national, reports), rows))
    return written


def package_rows(election: Election, national: list[dict], reports: list[dict], region_rows: list[dict]) -> dict:
    contest_id = election.contest["contest_id"]
    finals = [r for r in reports if r["time_astana"] == "final"]
    protocol, citations = _national_protocol(contest_id, national, finals)
    choices, votes, vote_citations = _choices_and_votes(contest_id, national)
    regional_protocols, regional_citations = _regional_finals(contest_id, finals)
    return {
        "units": _units(region_rows),
        "contests": [election.contest],
        "choices": choices,
        "sources": [_source(election, reports)],
        "protocols": [protocol, *regional_protocols],
        "votes": votes,
        "turnout": [_turnout_row(contest_id, r) for r in reports if r["time_astana"] != "final"],
        "citations": citations + vote_citations + regional_citations,
        "changes": CHANGES_2019 if election.name == "kz-2019-presidential" else [],
    }


def _units(region_rows: list[dict]) -> list[dict]:
    # Only national totals and regional turnout are published: no unit's subdivisions are listed.
    units = [kz_regions.country_unit(complete=False)]
    seen = set()
    for row in region_rows:
        key = row["region_key"]
        if key == "national" or key in seen:
            continue
        seen.add(key)
        units.append(kz_regions.region_unit(key, row["region_en"], row["region_ru"], complete=False))
    return units


def _national_protocol(contest_id: str, national: list[dict], finals: list[dict]) -> tuple[dict, list[dict]]:
    key = {"contest_id": contest_id, "unit_id": kz_regions.COUNTRY_ID, "source_id": SOURCE_ID}
    protocol, citations, notes = dict(key), [], []
    for row in national:
        line = row["line"]
        if line in PROTOCOL_LINES:
            field, how = PROTOCOL_LINES[line]
            protocol[field] = row["votes"]
            citations.append({**key, "field": field, "url": join_urls(row["source_url"]),
                              "note": _join_notes(how, row["note"])})
            if row["percent"]:
                if line != "ballots_received_by_voters":
                    raise SourceError(f"kz_national_results.csv: unexpected percent on line {line!r}")
                protocol["turnout_percent"] = row["percent"]
                final = [f for f in finals if f["region_key"] == "national"]
                if final and final[0]["turnout_pct"] != row["percent"]:
                    raise SourceError(f"{row['election']}: national turnout {row['percent']} vs final report {final[0]['turnout_pct']}")
                citations.append({**key, "field": "turnout_percent",
                                  "url": join_urls(row["source_url"], *(f["source_url"] for f in final)),
                                  "note": "percent of voters on the list who received a ballot, as published"})
        elif line == "votes_parties_plus_against_all":
            # Not the valid-ballot line as published: keep it as a remark, never as ballots_valid.
            figure = f"{int(row['votes']):,}"
            remark = (f'The CEC published "votes for parties + against all" ({row["name_ru"]}) = {figure} '
                      f"({row['percent']} % of voters on the list); this is not the valid-ballot line, which "
                      f"was not published in these sources. {row['note']}").strip()
            notes.append(f"Votes for parties + against all: {figure} (not the valid-ballot line; valid, "
                         f"invalid and ballots issued were not published in these sources).")
            citations.append({**key, "field": "ballots_valid", "url": join_urls(row["source_url"]), "note": remark})
        elif line not in CHOICE_LINES:
            raise SourceError(f"kz_national_results.csv: unknown line {line!r}")
    if not notes and not any(r["line"] == "invalid" for r in national):
        notes.append("No invalid-ballot figure was published in these sources.")
    protocol["note"] = " ".join(notes) or None
    return protocol, citations


def _choices_and_votes(contest_id: str, national: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    rows = [r for r in national if r["line"] in CHOICE_LINES]
    # Ballot order: the order of the source file, "against all" last.
    rows = [r for r in rows if r["line"] != "against_all"] + [r for r in rows if r["line"] == "against_all"]
    choices, votes, citations = [], [], []
    for order, row in enumerate(rows, start=1):
        choice = _choice(contest_id, order, row)
        choices.append(choice)
        key = {"contest_id": contest_id, "unit_id": kz_regions.COUNTRY_ID, "source_id": SOURCE_ID}
        votes.append({**key, "choice_id": choice["choice_id"], "votes": row["votes"], "percent": row["percent"]})
        citations.append({**key, "field": f"votes:{choice['choice_id']}", "url": join_urls(row["source_url"]),
                          "note": row["note"]})
    return choices, votes, citations


def _choice(contest_id: str, order: int, row: dict) -> dict:
    kind = row["line"]
    name_en, affiliation = _split_affiliation(row["name_en"])
    if kind == "against_all":
        choice_id = "against_all"
    elif kind == "candidate":
        choice_id = slug(name_en.split()[-1])  # the surname
    else:
        choice_id = slug(name_en)
        name_en, affiliation = row["name_en"], None  # a party's bracket explains its name
    return {
        "contest_id": contest_id,
        "choice_id": choice_id,
        "ballot_order": order,
        "kind": kind,
        "name_ru": row["name_ru"],
        "name_en": name_en,
        "affiliation": affiliation,
        "seats_won": row["seats"],
    }


def _split_affiliation(name: str) -> tuple[str, str | None]:
    """ "Amirzhan Kosanov (Ult Tagdyry)" → ("Amirzhan Kosanov", "Ult Tagdyry")."""
    match = re.fullmatch(r"(.*?)\s*\((.+)\)", name)
    return (match.group(1), match.group(2)) if match else (name, None)


def _regional_finals(contest_id: str, finals: list[dict]) -> tuple[list[dict], list[dict]]:
    """2022: the few regional final turnout figures the sources give, as protocols with only that line."""
    protocols, citations = [], []
    for row in finals:
        if row["region_key"] == "national":
            continue
        key = {"contest_id": contest_id, "unit_id": row["region_key"], "source_id": SOURCE_ID}
        urls, remark = _url_and_remark(row["source_url"])
        protocols.append({**key, "turnout_percent": row["turnout_pct"],
                          "note": "Only the final turnout was published for this region."})
        citations.append({**key, "field": "turnout_percent", "url": urls,
                          "note": _join_notes("final turnout as published", remark)})
    return protocols, citations


def _turnout_row(contest_id: str, row: dict) -> dict:
    label = row["time_astana"]
    # "close (preliminary)": the figure given right after polls closed at 20:00 Astana time.
    clock = "20:00" if label == "close (preliminary)" else label
    if not re.fullmatch(r"\d\d:\d\d", clock):
        raise SourceError(f"kz_turnout_by_region.csv: unknown report time {label!r}")
    unit_id = kz_regions.COUNTRY_ID if row["region_key"] == "national" else row["region_key"]
    return {
        "contest_id": contest_id,
        "unit_id": unit_id,
        "source_id": SOURCE_ID,
        "reported_at": f"{row['date']}T{clock}:00",
        "label": label,
        "turnout_percent": row["turnout_pct"],
    }


def _source(election: Election, reports: list[dict]) -> dict:
    by_time: dict[str, str] = {}
    for row in reports:
        if row["time_astana"] == "final":
            continue  # final figures are protocol figures: their pages are in citations
        by_time[row["time_astana"]] = join_urls(by_time.get(row["time_astana"], ""), _url_and_remark(row["source_url"])[0])
    turnout_pages = " | ".join(f"{time}: {urls}" for time, urls in by_time.items())
    note = ("Hand-transcribed (2026) from news agencies' word-for-word reports of CEC briefings and results "
            "announcements (dataset kz-cec-press). The page of every protocol figure is in citations. "
            "Ballot order is the order of the source file, against all last. Turnout report times are "
            "Astana time")
    note += f"; turnout reports were read from: {turnout_pages}." if turnout_pages else "."
    return {
        "source_id": SOURCE_ID,
        "kind": "official",
        "title": "Central Election Commission of the Republic of Kazakhstan, as reported by the press",
        "publisher": "Central Election Commission of the Republic of Kazakhstan",
        "note": note,
    }


def metadata(election: Election, national: list[dict], reports: list[dict]) -> dict:
    urls = join_urls(*(r["source_url"] for r in national), *(_url_and_remark(r["source_url"])[0] for r in reports))
    sources = [{"title": f"CEC figures as reported by {_host(url)}", "path": url} for url in urls.split("; ")]
    return {
        "name": election.name,
        "title": election.titles["en"],
        "version": "1.0.0",
        "licenses": [{
            "name": "notspecified",
            "title": "No licence: facts from official CEC announcements; the press articles are copyrighted "
                     "and only the figures were taken. Cite \"Central Election Commission of the Republic "
                     "of Kazakhstan, as reported by\" and the news agency of the figure (listed under sources).",
        }],
        "sources": sources + list(election.extra_sources),
        "election": {"date": election.date, "country": "KZ", "type": election.type,
                     "division": election.division, "title": election.titles},
    }


def _url_and_remark(value: str) -> tuple[str, str | None]:
    """ "https://a ; https://b (highest region)" → ("https://a; https://b", "highest region")."""
    match = re.fullmatch(r"(.*?)\s*\(([^()]+)\)", value)
    return (join_urls(match.group(1)), match.group(2)) if match else (join_urls(value), None)


def _host(url: str) -> str:
    host = re.sub(r"^https?://", "", url).split("/")[0]
    return host.removeprefix("www.").removeprefix("en.")


def _join_notes(*parts: str | None) -> str | None:
    return "; ".join(p for p in parts if p) or None
