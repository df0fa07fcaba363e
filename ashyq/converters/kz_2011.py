"""Kazakhstan 2011 presidential: official results by region, and four stations where versions differ.

Sources: ``realdata/kz-2011-odihr-annex/`` (the CEC's national and regional results as reproduced in
the annex of the OSCE/ODIHR final report) and that report's text (``seeds/003_*.txt``), whose
section XV and footnote 121 give, for four polling stations, the figures of the district commission's
aggregation table beside those of the station protocol observers obtained. Every figure the text
gives is written exactly; figures it does not give stay empty. The quotes below are checked against
the report on every run, so a figure cannot drift from its sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import kz_announced, kz_regions
from .tables import SourceError, digits, read_csv, write

FOLDER = "realdata/kz-2011-odihr-annex"
REPORT_FILE = "seeds/003_99c8d063e48e004a.txt"
CONTEST_ID = "president"
ODIHR_KAZAKHSTAN_PAGE = "http://www.osce.org/odihr/elections/kazakhstan"  # as printed in the report
CEC_RESULTS_PAGE = "http://election.kz/portal/page?_pageid=73,1584869&_dad=portal&_schema=PORTAL"
REPORT = ("OSCE/ODIHR Election Observation Mission Final Report, Republic of Kazakhstan, Early "
          "Presidential Election 3 April 2011 (Warsaw, 16 June 2011)")
FOOTNOTE = f"{REPORT}, section XV \"Tabulation and announcement of results\", footnote 121"

# The annex's region names → region keys shared with kz-cec-press.
REGION_KEYS = {
    "Akmola": "akmola", "Aktobe": "aktobe", "Almaty": "almaty_reg", "Atyrau": "atyrau",
    "East Kazakhstan": "eko", "Zhambyl": "zhambyl", "West Kazakhstan": "wko", "Karaganda": "karaganda",
    "Kostanai": "kostanay", "Kyzylorda": "kyzylorda", "Mangistau": "mangistau", "Pavlodar": "pavlodar",
    "North Kazakhstan": "nko", "South Kazakhstan": "south_kazakhstan", "Astana city": "astana",
    "Almaty city": "almaty_city",
}
# Candidates in the annex's order (alphabetical); Russian surname and given name.
CANDIDATES_RU = {
    "Akhmetbekov": "Ахметбеков Жамбыл",
    "Yeleusizov": "Елеусизов Мэлс",
    "Kasymov": "Касымов Гани",
    "Nazarbayev": "Назарбаев Нурсултан",
}
# National lines of the annex → protocol lines, with how the annex prints them.
NATIONAL_LINES = {
    "voters_registered": ("voters_on_list", 'printed as "Total number of registered voters"'),
    "voters_participated": (
        "ballots_issued",
        'printed as "Total number of voters participated"; read as the voters who received a ballot: the '
        "printed turnout (89.98 %) is this figure over the registered voters (89.988 %, truncated)",
    ),
    "valid_votes": ("ballots_valid", 'printed as "Total number of valid votes"'),
    "votes_cast_in_mobile_voting": (
        "ballots_in_mobile_boxes",
        'printed as "Total number of votes cast during mobile voting"; read as the ballots cast into the '
        "mobile boxes. The annex does not say whether it counted the ballots found in the mobile boxes or "
        "the voters who voted outside the station (which would be ballots issued outside).",
    ),
    "turnout_percent": ("turnout_percent", 'printed as "89,98%" ("Total voter turnout")'),
}


@dataclass(frozen=True)
class Station:
    """One polling station of footnote 121: both versions, each with the sentence that gives it."""

    region: str
    district_id: str  # last part of the unit id
    district_names: tuple[str, str, str]  # en, ru, kk
    number: str
    quote: str  # the report's sentence, whitespace-normalised
    summary: dict  # DEC aggregation table: candidate → votes; line → figure
    protocol: dict  # station protocol obtained by observers
    protocol_called: str  # how the report calls the station protocol
    note: str | None = None  # what the report says without giving numbers


STATIONS = (
    Station(
        region="zhambyl", district_id="talas", district_names=("Talas district", "Таласский район", "Талас ауданы"),
        number="410",
        quote="For example, according to the Talas DEC (Zhambyl region) summary, Mr. Nazarbayev received 1,592 "
              "votes at PEC 410, whereas according to the PEC protocol he had received 1,552, while the number "
              "of invalid ballots in the DEC summary was 40 less than in the PEC protocol.",
        summary={"Nazarbayev": "1,592"},
        protocol={"Nazarbayev": "1,552"},
        protocol_called="the PEC protocol",
        note="Invalid ballots: the DEC summary shows 40 fewer than the PEC protocol; neither figure is given "
             "in the report. The other candidates' votes are not given.",
    ),
    Station(
        region="eko", district_id="semey", district_names=("Semey town", "г. Семей", "Семей қаласы"),
        number="262",
        quote="According to the Semey town DEC (East Kazakhstan region) summary, Mr. Akhmetbekov received 4 "
              "votes, Mr. Yeleusizov 2 votes, Mr. Kasymov 10 votes, and Mr. Nazarbayev 1,729 votes at PEC 262, "
              "while the officially certified PEC protocol contained 24, 32, 30 and 1,659 votes, respectively.",
        summary={"Akhmetbekov": "4", "Yeleusizov": "2", "Kasymov": "10", "Nazarbayev": "1,729"},
        protocol={"Akhmetbekov": "24", "Yeleusizov": "32", "Kasymov": "30", "Nazarbayev": "1,659"},
        protocol_called="the officially certified PEC protocol",
    ),
    Station(
        region="wko", district_id="burlinskiy", district_names=("Burlinskiy district", "Бурлинский район", "Бөрлі ауданы"),
        number="80",
        quote="According to the Burlinskiy DEC (West Kazakhstan region) summary, at PEC 80 Mr. Akhmetbekov "
              "received 6 votes, Mr. Yeleusizov 4 votes, Mr. Kasymov 2 votes and Mr. Nazarbayev 1,697 votes, "
              "with 64 invalid ballots, while the official PEC protocol contained 44, 22, 64 and 1,653 votes, "
              "respectively, with 14 invalid ballots.",
        summary={"Akhmetbekov": "6", "Yeleusizov": "4", "Kasymov": "2", "Nazarbayev": "1,697", "ballots_invalid": "64"},
        protocol={"Akhmetbekov": "44", "Yeleusizov": "22", "Kasymov": "64", "Nazarbayev": "1,653", "ballots_invalid": "14"},
        protocol_called="the official PEC protocol",
    ),
    Station(
        region="aktobe", district_id="martykskiy", district_names=("Martykskiy district", "Мартукский район", "Мәртөк ауданы"),
        number="166",
        quote="According to the Martykskiy DEC (Aktobe region) summary, at PEC 166 Mr. Akhmetbekov received 13 "
              "votes, Mr. Yeleusizov 1 vote, Mr. Kasymov 6 votes and Mr. Nazarbayev 1,512 votes, with 107 "
              "cancelled ballots, while the PEC protocol obtained by international observers contained 23, 3, "
              "26 and 1,512 votes, respectively, with 75 cancelled ballots.",
        summary={"Akhmetbekov": "13", "Yeleusizov": "1", "Kasymov": "6", "Nazarbayev": "1,512", "ballots_cancelled": "107"},
        protocol={"Akhmetbekov": "23", "Yeleusizov": "3", "Kasymov": "26", "Nazarbayev": "1,512", "ballots_cancelled": "75"},
        protocol_called="the PEC protocol obtained by international observers",
    ),
)

SOURCES = [
    {
        "source_id": "cec",
        "kind": "official",
        "title": "Official results, Central Election Commission (as reproduced by OSCE/ODIHR)",
        "publisher": "Central Election Commission of the Republic of Kazakhstan",
        "url": CEC_RESULTS_PAGE,
        "document": f"{REPORT}, Annex: Election results",
        "published_on": "2011-04-05",
        "note": "The CEC announced the national and regional results on the morning of 5 April 2011 (report, "
                "section XV). Figures read from the report's annex, which cites the CEC page given here. The "
                "annex prints regional percentages as shares of the national valid votes; they are kept in "
                "citations, not as regional shares.",
    },
    {
        "source_id": "dec-summary",
        "kind": "commission_summary",
        "title": "District election commission (DEC) aggregation tables, as quoted by OSCE/ODIHR",
        "publisher": "OSCE/ODIHR Election Observation Mission",
        "url": ODIHR_KAZAKHSTAN_PAGE,
        "document": FOOTNOTE,
        "published_on": "2011-06-16",
        "note": "The EOM obtained five DEC aggregation tables; in four, the line of one polling station differs "
                "from the protocol observers received at that station. Only the figures the report gives are here.",
    },
    {
        "source_id": "pec-protocol-observers",
        "kind": "observer_copy",
        "title": "Polling station (PEC) results protocols received by international observers, as quoted by OSCE/ODIHR",
        "publisher": "OSCE/ODIHR Election Observation Mission",
        "url": ODIHR_KAZAKHSTAN_PAGE,
        "document": FOOTNOTE,
        "published_on": "2011-06-16",
        "note": "Only the figures the report gives are here.",
    },
]

METADATA = {
    "name": "kz-2011-presidential",
    "title": "Kazakhstan, early presidential election, 3 April 2011",
    "version": "1.0.0",
    "licenses": [{
        "name": "notspecified",
        "title": "No licence stated: official CEC figures as reproduced by OSCE/ODIHR; cite the Central "
                 "Election Commission of the Republic of Kazakhstan and the OSCE/ODIHR final report.",
    }],
    "sources": [
        {"title": f"{REPORT}: annex (official results) and section XV, footnote 121", "path": ODIHR_KAZAKHSTAN_PAGE},
        {"title": "Central Election Commission of the Republic of Kazakhstan (cited by the annex)", "path": CEC_RESULTS_PAGE},
    ],
    "election": {
        "date": "2011-04-03",
        "country": "KZ",
        "type": "presidential",
        "division": "kz-adm1-2011",  # the regions' map: South Kazakhstan still held Shymkent
        "title": {
            "en": "Kazakhstan, early presidential election, 3 April 2011",
            "ru": "Казахстан, внеочередные выборы Президента, 3 апреля 2011 года",
            "kk": "Қазақстан, Президенттің кезектен тыс сайлауы, 2011 жылғы 3 сәуір",
        },
    },
}


def convert(shared: Path, out: Path) -> list[Path]:
    shared = Path(shared)
    national = {row["line"]: row["value"] for row in read_csv(shared / FOLDER / "kz2011_national.csv")}
    regional = read_csv(shared / FOLDER / "kz2011_results_by_region.csv")
    candidates = _candidates(shared / FOLDER / "README.md")
    _check_sums(national, regional, candidates)
    _check_quotes(shared / REPORT_FILE)
    rows = package_rows(national, regional, candidates)
    sources, counts = kz_announced.announced(shared, METADATA["name"], CONTEST_ID)
    rows["sources"] = [*rows["sources"], *sources]
    rows["announced"] = counts
    return [write(out, METADATA, rows)]


def package_rows(national: dict, regional: list[dict], candidates: list[tuple[str, str, str]]) -> dict:
    return {
        "units": _units(regional),
        "contests": [{
            "contest_id": CONTEST_ID, "kind": "presidential", "round": 1, "scope_unit_id": kz_regions.COUNTRY_ID,
            "name_en": "President of the Republic of Kazakhstan", "name_ru": "Президент Республики Казахстан",
            "name_kk": "Қазақстан Республикасының Президенті",
        }],
        "choices": [
            {"contest_id": CONTEST_ID, "choice_id": surname.lower(), "ballot_order": order, "kind": "candidate",
             "name_en": name_en, "name_ru": CANDIDATES_RU[surname], "affiliation": affiliation}
            for order, (surname, name_en, affiliation) in enumerate(candidates, start=1)
        ],
        "sources": SOURCES,
        "protocols": [*_official_protocols(national, regional), *_station_protocols()],
        "votes": [*_official_votes(national, regional, candidates), *_station_votes(candidates)],
        "citations": _official_citations(regional),
    }


def _candidates(readme: Path) -> list[tuple[str, str, str]]:
    """(surname, English name, affiliation) in the annex's order, from the README's candidates line."""
    line = next((l for l in readme.read_text(encoding="utf-8").splitlines() if l.startswith("Candidates (as in the report)")), None)
    if line is None:
        raise SourceError(f"{readme}: the 'Candidates (as in the report)' line is missing")
    found = re.findall(r"([A-Z][a-z]+ ([A-Z][a-z]+)) \(([^)]+)\)", line)
    candidates = [(surname, name, affiliation) for name, surname, affiliation in found]
    if [c[0] for c in candidates] != list(CANDIDATES_RU):
        raise SourceError(f"{readme}: candidates {[c[0] for c in candidates]} differ from {list(CANDIDATES_RU)}")
    return candidates


def _check_sums(national: dict, regional: list[dict], candidates: list) -> None:
    """The README's checks, re-done: regions sum to the nation, candidates to the valid votes."""
    for surname, _, _ in candidates:
        total = sum(int(r["votes"]) for r in regional if r["candidate"] == surname)
        if total != int(national[f"votes_{surname}"]):
            raise SourceError(f"kz2011: {surname}'s regions sum to {total}, national figure {national[f'votes_{surname}']}")
    if sum(int(national[f"votes_{c[0]}"]) for c in candidates) != int(national["valid_votes"]):
        raise SourceError("kz2011: candidates' votes do not sum to the valid votes")
    unknown = {r["region_en"] for r in regional} - set(REGION_KEYS)
    if unknown or len({r["region_en"] for r in regional}) != len(REGION_KEYS):
        raise SourceError(f"kz2011: regions differ from the 16 expected (unknown: {sorted(unknown)})")


def _check_quotes(report: Path) -> None:
    if not report.is_file():
        raise SourceError(f"{report}: the ODIHR 2011 report is needed to check the station figures")
    text = " ".join(report.read_text(encoding="utf-8").split())
    for station in STATIONS:
        if station.quote not in text:
            raise SourceError(f"{report}: the sentence on PEC {station.number} was not found verbatim")
        for figure in [*station.summary.values(), *station.protocol.values()]:
            if not re.search(rf"(?<!\d)(?<!\d,){re.escape(figure)}(?!\d|,\d)", station.quote):
                raise SourceError(f"PEC {station.number}: figure {figure} is not in its sentence")


def _units(regional: list[dict]) -> list[dict]:
    units = [kz_regions.country_unit(complete=False)]
    for name_en in dict.fromkeys(r["region_en"] for r in regional):
        units.append(kz_regions.region_unit(REGION_KEYS[name_en], name_en, None, complete=False))
    for s in STATIONS:
        district = f"{s.region}.{s.district_id}"
        en, ru, kk = s.district_names
        units.append({"unit_id": district, "parent_id": s.region, "level": "district", "commission": "DEC",
                      "name_en": en, "name_ru": ru, "name_kk": kk, "complete": False})
        units.append({"unit_id": f"{district}.{s.number}", "parent_id": district, "level": "station",
                      "commission": "PEC", "code": s.number, "name_en": f"Polling station {s.number}",
                      "name_ru": f"Избирательный участок №{s.number}", "name_kk": f"№{s.number} сайлау учаскесі",
                      "complete": True})
    return units


def _official_protocols(national: dict, regional: list[dict]) -> list[dict]:
    key = {"contest_id": CONTEST_ID, "source_id": "cec"}
    country = {**key, "unit_id": kz_regions.COUNTRY_ID}
    for line, (field, _) in NATIONAL_LINES.items():
        country[field] = national[line]
    regions = [
        {**key, "unit_id": REGION_KEYS[name], "note": "Only the candidates' votes were published for regions."}
        for name in dict.fromkeys(r["region_en"] for r in regional)
    ]
    return [country, *regions]


def _official_votes(national: dict, regional: list[dict], candidates: list) -> list[dict]:
    key = {"contest_id": CONTEST_ID, "source_id": "cec"}
    votes = [
        {**key, "unit_id": kz_regions.COUNTRY_ID, "choice_id": surname.lower(),
         "votes": national[f"votes_{surname}"], "percent": national[f"percent_{surname}"]}
        for surname, _, _ in candidates
    ]
    # The regional percentages are shares of the national valid votes: not the region's shares, so
    # they are not written as ``percent`` (see the citations).
    votes += [
        {**key, "unit_id": REGION_KEYS[r["region_en"]], "choice_id": r["candidate"].lower(), "votes": r["votes"]}
        for r in regional
    ]
    return votes


def _official_citations(regional: list[dict]) -> list[dict]:
    key = {"contest_id": CONTEST_ID, "source_id": "cec"}
    citations = [
        {**key, "unit_id": kz_regions.COUNTRY_ID, "field": field, "note": note}
        for field, note in NATIONAL_LINES.values()
    ]
    citations += [
        {**key, "unit_id": REGION_KEYS[r["region_en"]], "field": f"votes:{r['candidate'].lower()}",
         "note": f"the annex prints {r['percent_of_national_valid']} %: a share of the national valid votes "
                 "(8,216,370), not of the region's"}
        for r in regional
    ]
    return citations


def _station_protocols() -> list[dict]:
    rows = []
    for s in STATIONS:
        unit_id = f"{s.region}.{s.district_id}.{s.number}"
        for source_id, figures, called in (
            ("dec-summary", s.summary, f"the {s.district_names[0].removesuffix(' district')} DEC summary"),
            ("pec-protocol-observers", s.protocol, s.protocol_called),
        ):
            lines = {k: digits(v) for k, v in figures.items() if k not in CANDIDATES_RU}
            note = f"Figures as the report gives them for {called}. {s.note or ''}".strip()
            rows.append({"contest_id": CONTEST_ID, "unit_id": unit_id, "source_id": source_id, **lines, "note": note})
    return rows


def _station_votes(candidates: list) -> list[dict]:
    """Every candidate for both versions; a candidate the report does not give stays empty."""
    rows = []
    for s in STATIONS:
        unit_id = f"{s.region}.{s.district_id}.{s.number}"
        for source_id, figures in (("dec-summary", s.summary), ("pec-protocol-observers", s.protocol)):
            for surname, _, _ in candidates:
                figure = figures.get(surname)
                rows.append({"contest_id": CONTEST_ID, "unit_id": unit_id, "source_id": source_id,
                             "choice_id": surname.lower(), "votes": digits(figure) if figure else None})
    return rows
