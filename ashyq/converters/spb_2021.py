"""St Petersburg, 17–19 September 2021: the four ballots every voter received, in one package.

Two elections on the same days in the same stations: the State Duma (federal party list, and one
single-member constituency per station, 211–218) and the Legislative Assembly of St Petersburg
(city party list, and one of 25 single-member constituencies). Each station is listed once and has
one protocol per ballot it voted in (up to four); the constituencies are contests, not units.

Source: ``realdata/ru-spb-2021-uik-turnout/`` (a mechanical flattening of vkryl/spbik-2021, itself
scraped from the official izbirkom.ru pages). Hierarchy: city (СПбИК) → district (район) → TIK →
station. Each TIK's own stations lie in one district; five TIKs also tabulate one or two of the six
stations abroad (upstream district "Голосование за рубежом"), which therefore sit under their TIK, in
that TIK's district, with ``kind: abroad``: the commission chain is the true one. Two stations (2101,
2286) voted in the city ballots only. Polling venues (address, coordinates) come from the same snapshot.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .tables import SourceError, read_csv, write

FOLDER = "realdata/ru-spb-2021-uik-turnout"
PACKAGE = "spb-2021"
CITY_ID = "spb"
SOURCE_ID = "izbirkom"
ABROAD = "Голосование за рубежом"
UPSTREAM = "https://github.com/vkryl/spbik-2021/tree/08c81bb6caf146b6fb3579f4645321b685147a98"
DUMA, CITY = "duma", "city"
DUMA_LIST, CITY_LIST = "duma-list", "city-list"
TURNOUT_CONTEST = DUMA_LIST  # the turnout reports upstream are those of the federal ballot

# Upstream column → protocol line: the twelve lines of the 2021 station protocol (README's column
# dictionary). Not mapped, because they are not protocol lines: voters.initially_registered_count,
# added/removed/attached/detached (derived upstream from the voter list and turnout reports),
# exceptional_count, taken_home_count. There is no separate "ballots issued" or "ballots in boxes"
# line: the model derives those totals from their parts (marked "derived" on the pages).
PROTOCOL_LINES = {
    "voters_on_list": "voters.registered_count",
    "ballots_received": "papers.received_count",
    "ballots_issued_early": "voters.ahead_of_time_count",
    "ballots_issued_in_station": "voters.walk_by_count",
    "ballots_issued_outside": "voters.on_home_count",
    "ballots_cancelled": "papers.destroyed_count",
    "ballots_in_mobile_boxes": "papers.portable_box_count",
    "ballots_in_stationary_boxes": "papers.stationary_box_count",
    "ballots_valid": "papers.valid_count",
    "ballots_invalid": "papers.invalid_count",
    "ballots_lost": "papers.lost_count",
    "ballots_unaccounted": "papers.ignored_count",
}

# Russian district name → (id, English name).
DISTRICTS = {
    "Адмиралтейский район": ("admiralteysky", "Admiralteysky District"),
    "Василеостровский район": ("vasileostrovsky", "Vasileostrovsky District"),
    "Выборгский район": ("vyborgsky", "Vyborgsky District"),
    "Калининский район": ("kalininsky", "Kalininsky District"),
    "Кировский район": ("kirovsky", "Kirovsky District"),
    "Колпинский район": ("kolpinsky", "Kolpinsky District"),
    "Красногвардейский район": ("krasnogvardeysky", "Krasnogvardeysky District"),
    "Красносельский район": ("krasnoselsky", "Krasnoselsky District"),
    "Кронштадтский район": ("kronshtadtsky", "Kronshtadtsky District"),
    "Курортный район": ("kurortny", "Kurortny District"),
    "Московский район": ("moskovsky", "Moskovsky District"),
    "Невский район": ("nevsky", "Nevsky District"),
    "Петроградский район": ("petrogradsky", "Petrogradsky District"),
    "Петродворцовый район": ("petrodvortsovy", "Petrodvortsovy District"),
    "Приморский район": ("primorsky", "Primorsky District"),
    "Пушкинский район": ("pushkinsky", "Pushkinsky District"),
    "Фрунзенский район": ("frunzensky", "Frunzensky District"),
    "Центральный район": ("tsentralny", "Tsentralny District"),
}

# Ballot position → (choice_id, English name, a word the Russian name must contain).
PARTIES = {
    1: ("kprf", "Communist Party of the Russian Federation", "КОММУНИСТИЧЕСКАЯ ПАРТИЯ РОССИЙСКОЙ ФЕДЕРАЦИИ"),
    2: ("greens", 'Russian Ecological Party "The Greens"', "ЗЕЛЁНЫЕ"),
    3: ("ldpr", "LDPR – Liberal Democratic Party of Russia", "ЛДПР"),
    4: ("new_people", "New People", "НОВЫЕ ЛЮДИ"),
    5: ("united_russia", "United Russia", "ЕДИНАЯ РОССИЯ"),
    6: ("just_russia", "A Just Russia – For Truth", "СПРАВЕДЛИВАЯ РОССИЯ"),
    7: ("yabloko", 'Russian United Democratic Party "Yabloko"', "ЯБЛОКО"),
    8: ("party_of_growth", "Party of Growth", "ПАРТИЯ РОСТА"),
    9: ("freedom_and_justice", "Russian Party of Freedom and Justice", "СВОБОДЫ И СПРАВЕДЛИВОСТИ"),
    10: ("communists_of_russia", "Communists of Russia", "КОММУНИСТЫ РОССИИ"),
    11: ("civic_platform", "Civic Platform", "Гражданская Платформа"),
    12: ("green_alternative", "Green Alternative", "ЗЕЛЕНАЯ АЛЬТЕРНАТИВА"),
    13: ("rodina", "Rodina", "РОДИНА"),
    14: ("pensioners", "Party of Pensioners", "ПАРТИЯ ПЕНСИОНЕРОВ"),
}

BODIES = [
    {"body_id": DUMA, "name_en": "State Duma of the Russian Federation (8th convocation)",
     "name_ru": "Государственная Дума Федерального Собрания Российской Федерации восьмого созыва",
     "name_kk": "Ресей Федерациясы Федералдық Жиналысының Мемлекеттік Думасы", "seats": 450},
    {"body_id": CITY, "name_en": "Legislative Assembly of St Petersburg (7th convocation)",
     "name_ru": "Законодательное Собрание Санкт-Петербурга седьмого созыва",
     "name_kk": "Санкт-Петербургтің Заң шығару жиналысы", "seats": 50},
]

# The four ballots: upstream file stem, body, kind.
BALLOTS = {
    "duma_party_list": (DUMA, "party_list"),
    "duma_smd": (DUMA, "single_member"),
    "city_party_list": (CITY, "party_list"),
    "city_smd": (CITY, "single_member"),
}

METADATA = {
    "name": PACKAGE,
    "title": "St Petersburg, State Duma and Legislative Assembly elections 2021, all four ballots",
    "version": "2.0.0",
    "licenses": [{
        "name": "other-open",
        "path": UPSTREAM,
        "title": 'Upstream README, section "License": the JSON data files "could be used without any '
                 'conditions"; the author asks for a link to https://github.com/vkryl/spbik-2021. (The '
                 "bot's code is LGPL-3.0 and is not included.) The figures are official, from izbirkom.ru "
                 "and vestnik.spbik.spb.ru.",
    }],
    "sources": [
        {"title": "vkryl/spbik-2021, snapshot 08c81bb (2023-07-01), dataset version 3.72: "
                  "data/st-petersburg/results_by_uik/<uik>/federal/parties.json, federal/person_<N>.json, "
                  "city/parties.json, city/person_<N>.json, parties/<id>.json, addresses/<n>.json", "path": UPSTREAM},
        {"title": "Central Election Commission of the Russian Federation (official results pages)",
         "path": "http://www.izbirkom.ru"},
        {"title": "St Petersburg Election Commission (Вестник СПбИК)", "path": "http://vestnik.spbik.spb.ru"},
    ],
    "election": {
        "date": "2021-09-19",
        "country": "RU",
        "type": "parliamentary",
        "title": {
            "en": "St Petersburg, State Duma and Legislative Assembly elections, 17–19 September 2021",
            "ru": "Санкт-Петербург, выборы депутатов Государственной Думы и Законодательного Собрания, "
                  "17–19 сентября 2021 года",
            "kk": "Санкт-Петербург, Мемлекеттік Дума мен Заң шығару жиналысының сайлауы, 2021 жылғы 17–19 қыркүйек",
        },
    },
}

SOURCE = {
    "source_id": SOURCE_ID,
    "kind": "official",
    "title": "Official results and turnout reports by polling station (izbirkom.ru), as collected by vkryl/spbik-2021",
    "publisher": "Санкт-Петербургская избирательная комиссия (СПбИК)",
    "url": UPSTREAM,
    "document": "data/st-petersburg/results_by_uik/<uik>/{federal,city}/{parties,person_<N>}.json and "
                "addresses/<n>.json, flattened without changes into the spb2021_*.csv files",
    "note": "Turnout report times are Moscow (= St Petersburg) time; the reports are those of the federal "
            "party-list ballot. Upstream gives turnout percentages to 2 decimals except at the final 19.09 "
            "20:00 point, which it computes unrounded; the day-3 intermediate reports give a percentage but "
            "no voter counts. 113 stations have no turnout reports upstream (the 6 abroad and 107 others). "
            "Protocols upstream marks \"empty\" with no figure other than 0 are listed with every figure "
            "empty (not published), never as zeros. 33 stations are linked to two venues upstream; the "
            "venue with the lower number is given.",
}


def convert(shared: Path, out: Path) -> list[Path]:
    folder = Path(shared) / FOLDER
    ballots = {name: read_csv(folder / f"spb2021_{name}_uik.csv") for name in BALLOTS}
    choices = {name: read_csv(folder / f"spb2021_{name}_choices.csv") for name in BALLOTS if name != "duma_party_list"}
    votes = {name: read_csv(folder / f"spb2021_{name}_votes.csv") for name in BALLOTS if name != "duma_party_list"}
    tables = {
        "parties": read_csv(folder / "spb2021_duma_parties.csv"),
        "party_names": read_csv(folder / "spb2021_party_names.csv"),
        "reports": read_csv(folder / "spb2021_duma_turnout_uik.csv"),
        "venues": read_csv(folder / "spb2021_venues.csv"),
        "venue_links": read_csv(folder / "spb2021_venue_uik.csv"),
    }
    return [write(out, METADATA, package_rows(ballots, choices, votes, **tables))]


def package_rows(ballots: dict[str, list[dict]], choices: dict[str, list[dict]], votes: dict[str, list[dict]],
                 parties: list[dict], party_names: list[dict], reports: list[dict], venues: list[dict],
                 venue_links: list[dict]) -> dict:
    everyone = [row for rows in ballots.values() for row in rows]
    station_ids = station_unit_ids(everyone)
    contests, contest_of = _contests(ballots, choices)
    all_choices = _duma_list_choices(parties) + _choices(choices, party_names, contest_of)
    _same_station_everywhere(ballots)
    protocols, vote_rows = [], []
    for name, rows in ballots.items():
        by_station: dict[str, list[dict]] = defaultdict(list)
        for vote in votes.get(name, []):
            by_station[vote["uik"]].append(vote)
        unknown = set(by_station) - {row["uik"] for row in rows}
        if unknown:
            raise SourceError(f"spb2021_{name}_votes.csv: stations without a protocol: {sorted(unknown, key=int)[:5]}")
        for row in rows:
            contest_id = contest_of(name, row.get("electoral_district", ""))
            protocol, published = _protocol(row, station_ids[row["uik"]], contest_id)
            protocols.append(protocol)
            vote_rows.extend(_votes(name, row, contest_id, station_ids[row["uik"]], by_station[row["uik"]], published))
    return {
        "units": _units(everyone, station_ids, _venue_of(venue_links, station_ids)),
        "venues": [_venue(row) for row in venues],
        "bodies": BODIES,
        "contests": contests,
        "choices": all_choices,
        "sources": [SOURCE],
        "protocols": protocols,
        "votes": vote_rows,
        "turnout": [_turnout(row, station_ids) for row in reports],
    }


def tik_districts(stations: list[dict]) -> dict[str, str]:
    """Each TIK's district: the one district of its stations at home (abroad stations aside)."""
    districts: dict[str, set[str]] = defaultdict(set)
    for row in stations:
        if row["district"] != ABROAD:
            districts[row["tik"]].add(row["district"])
    split = {tik: sorted(names) for tik, names in districts.items() if len(names) != 1}
    if split:
        raise SourceError(f"TIKs whose stations lie in several districts: {split}; choose another hierarchy")
    unknown = {next(iter(names)) for names in districts.values()} - set(DISTRICTS)
    if unknown:
        raise SourceError(f"unknown districts {sorted(unknown)}: add them to spb_2021.DISTRICTS")
    orphans = {row["tik"] for row in stations} - set(districts)
    if orphans:
        raise SourceError(f"TIKs with stations abroad only: {sorted(orphans)}")
    return {tik: next(iter(names)) for tik, names in districts.items()}


def station_unit_ids(stations: list[dict]) -> dict[str, str]:
    """Station number → unit id ``spb.<district>.tik<N>.<station>`` (the number is unique in the city;
    every ballot's row of a station must name the same TIK)."""
    tiks: dict[str, str] = {}
    for row in stations:
        if tiks.setdefault(row["uik"], row["tik"]) != row["tik"]:
            raise SourceError(f"station {row['uik']} is under TIK {tiks[row['uik']]} in one file and {row['tik']} in another")
    districts = tik_districts(stations)
    return {uik: f"{_tik_id(tik, districts)}.{uik}" for uik, tik in sorted(tiks.items(), key=lambda item: int(item[0]))}


def _same_station_everywhere(ballots: dict[str, list[dict]]) -> None:
    for name, rows in ballots.items():
        seen = set()
        for row in rows:
            if row["uik"] in seen:
                raise SourceError(f"spb2021_{name}_uik.csv: station {row['uik']} appears twice")
            seen.add(row["uik"])


def _tik_id(tik: str, districts: dict[str, str]) -> str:
    return f"{CITY_ID}.{DISTRICTS[districts[tik]][0]}.tik{tik}"


def _units(stations: list[dict], station_ids: dict[str, str], venue_of: dict[str, str]) -> list[dict]:
    districts = tik_districts(stations)
    units = [{"unit_id": CITY_ID, "level": "region", "commission": "СПбИК", "name_ru": "Санкт-Петербург",
              "name_en": "Saint Petersburg", "name_kk": "Санкт-Петербург", "complete": True}]
    for name_ru in sorted(set(districts.values())):
        district_id, name_en = DISTRICTS[name_ru]
        units.append({"unit_id": f"{CITY_ID}.{district_id}", "parent_id": CITY_ID, "level": "area",
                      "name_ru": name_ru, "name_en": name_en, "complete": True})
    for tik, name_ru in sorted(districts.items(), key=lambda item: int(item[0])):
        units.append({"unit_id": _tik_id(tik, districts), "parent_id": f"{CITY_ID}.{DISTRICTS[name_ru][0]}",
                      "level": "district", "commission": "TEC", "code": tik, "name_ru": f"ТИК №{tik}",
                      "name_en": f"TIK {tik}", "complete": True})
    first: dict[str, dict] = {}
    for row in stations:
        first.setdefault(row["uik"], row)
    for uik, unit_id in station_ids.items():
        row = first[uik]
        abroad = row["district"] == ABROAD
        units.append({
            "unit_id": unit_id,
            "parent_id": _tik_id(row["tik"], districts),
            "level": "station",
            "commission": "PEC",  # the contract's code: shown as УИК, УСК or PEC by the page's language
            "code": uik,
            "name_ru": f"УИК №{uik}" + (" (голосование за рубежом)" if abroad else ""),
            "name_en": f"Polling station {uik}" + (" (abroad)" if abroad else ""),
            "complete": True,
            "kind": "abroad" if abroad else "polling_station",
            "venue_id": venue_of.get(uik),
        })
    return units


def _venue_of(links: list[dict], station_ids: dict[str, str]) -> dict[str, str]:
    """Station number → its venue (the lower venue number where upstream links two)."""
    out: dict[str, str] = {}
    for row in sorted(links, key=lambda r: int(r["venue_id"])):
        if row["uik"] not in station_ids:
            raise SourceError(f"spb2021_venue_uik.csv: station {row['uik']} has no protocol")
        out.setdefault(row["uik"], row["venue_id"])
    return out


def _venue(row: dict) -> dict:
    address = ", ".join(x for x in (row["postal_index"], row["city"], row["street"], row["building"]) if x)
    return {"venue_id": row["venue_id"], "name_ru": row["name"] or None, "address": address or None,
            "municipality": ", ".join(x for x in (row["district"], row["municipality"]) if x) or None,
            "latitude": row["latitude"], "longitude": row["longitude"],
            "kind": None if row["type"] in ("", "unknown") else row["type"].replace("_", " ")}


def _contests(ballots: dict[str, list[dict]], choices: dict[str, list[dict]]):
    """The contests, and a function (ballot, constituency) → contest_id."""
    contests = [
        {"contest_id": DUMA_LIST, "kind": "party_list", "round": 1, "scope_unit_id": CITY_ID, "body_id": DUMA,
         "threshold_percent": "5",
         "name_en": "State Duma, federal electoral district (party lists)",
         "name_ru": "Выборы депутатов Государственной Думы восьмого созыва, федеральный избирательный округ"},
        {"contest_id": CITY_LIST, "kind": "party_list", "round": 1, "scope_unit_id": CITY_ID, "body_id": CITY,
         "seats": 25, "threshold_percent": "5",
         "name_en": "Legislative Assembly of St Petersburg, city electoral district (party lists)",
         "name_ru": "Выборы депутатов Законодательного Собрания Санкт-Петербурга седьмого созыва, "
                    "единый избирательный округ"},
    ]
    for name, body, prefix, en, ru in (
            ("duma_smd", DUMA, "duma-smd", "State Duma, single-member constituency No. {n}",
             "Государственная Дума, одномандатный избирательный округ №{n}"),
            ("city_smd", CITY, "city-smd", "Legislative Assembly, single-member constituency No. {n}",
             "Законодательное Собрание, одномандатный избирательный округ №{n}")):
        numbers = sorted({row["electoral_district"] for row in ballots[name]}, key=int)
        listed = sorted({row["electoral_district"] for row in choices[name]}, key=int)
        if numbers != listed:
            raise SourceError(f"spb2021_{name}: constituencies with stations {numbers} ≠ with candidates {listed}")
        contests += [{"contest_id": f"{prefix}-{n}", "kind": "single_member", "round": 1, "scope_unit_id": CITY_ID,
                      "body_id": body, "constituency": n, "seats": 1,
                      "name_en": en.format(n=n), "name_ru": ru.format(n=n)} for n in numbers]

    def contest_of(ballot: str, constituency: str) -> str:
        return {"duma_party_list": DUMA_LIST, "city_party_list": CITY_LIST}.get(ballot) or \
            f"{'duma' if ballot == 'duma_smd' else 'city'}-smd-{constituency}"
    return contests, contest_of


def _duma_list_choices(parties: list[dict]) -> list[dict]:
    if len(parties) != len(PARTIES):
        raise SourceError(f"spb2021_duma_parties.csv: {len(parties)} parties, expected {len(PARTIES)}")
    out = []
    for row in parties:
        order = int(row["ballot_position"])
        choice_id, name_en, marker = PARTIES[order]
        if marker not in row["party_name"] or row["column"] != f"party_{order:02d}":
            raise SourceError(f"spb2021_duma_parties.csv: position {order} is {row['party_name']!r}, expected {marker!r}")
        out.append({"contest_id": DUMA_LIST, "choice_id": choice_id, "ballot_order": order, "kind": "party",
                    "name_ru": row["party_name"], "name_en": name_en})
    return out


def _choices(choices: dict[str, list[dict]], party_names: list[dict], contest_of) -> list[dict]:
    """City party list (choice = party, named as on the federal list) and the candidates of both
    single-member ballots (choice_id ``c<upstream candidate id>``, nominating party as affiliation)."""
    registered = {row["party_id"]: row["as_registered"] for row in party_names}
    out = []
    for name, rows in choices.items():
        for row in rows:
            contest_id = contest_of(name, row["electoral_district"])
            if name == "city_party_list":
                choice_id, name_en, marker = PARTIES[int(row["choice_id"])]
                if marker not in row["name"]:
                    raise SourceError(f"spb2021_city_party_list_choices.csv: party {row['choice_id']} is {row['name']!r}")
                out.append({"contest_id": contest_id, "choice_id": choice_id, "ballot_order": row["position"],
                            "kind": "party", "name_ru": row["name"], "name_en": name_en})
                continue
            party = row["supported_by_party_id"]
            out.append({"contest_id": contest_id, "choice_id": f"c{row['choice_id']}", "ballot_order": row["position"],
                        "kind": "candidate", "name_ru": row["name"],
                        "affiliation": registered[party] if party else "самовыдвижение (self-nominated)"})
    return out


def _protocol(row: dict, unit_id: str, contest_id: str) -> tuple[dict, bool]:
    """The protocol row, and whether it has figures. A protocol upstream marks "empty" whose figures
    are all 0 or blank is listed with every figure empty ("listed, not published"), never as zeros."""
    lines = {line: row[column] for line, column in PROTOCOL_LINES.items()}
    note = None
    published = True
    if row["protocol_empty"] == "1":
        if any(value not in ("", "0") for value in lines.values()):
            # e.g. station 196 (all 10 ballots invalid), 402–406 (every ballot cancelled): kept as published
            note = "Upstream marks this protocol \"empty\" (no valid votes); the figures are as published."
        else:
            note = "Upstream marks this protocol \"empty\": no figures were published."
            lines = dict.fromkeys(lines)
            published = False
    return {"contest_id": contest_id, "unit_id": unit_id, "source_id": SOURCE_ID, **lines, "note": note}, published


def _votes(ballot: str, row: dict, contest_id: str, unit_id: str, long_votes: list[dict], published: bool) -> list[dict]:
    """The protocol's votes: the federal list's from its party columns, the others' from their long
    files (``long_votes``: the station's rows). Empty when the protocol has no figures."""
    base = {"contest_id": contest_id, "unit_id": unit_id, "source_id": SOURCE_ID}
    if ballot == "duma_party_list":
        return [{**base, "choice_id": choice_id, "votes": row[f"party_{order:02d}"] if published else None}
                for order, (choice_id, _, _) in PARTIES.items()]
    out = []
    for vote in long_votes:
        if vote["electoral_district"] != row.get("electoral_district", ""):
            raise SourceError(f"spb2021_{ballot}_votes.csv: station {row['uik']} votes in constituency "
                              f"{vote['electoral_district']}, its protocol is in {row['electoral_district']}")
        choice_id = PARTIES[int(vote["choice_id"])][0] if ballot == "city_party_list" else f"c{vote['choice_id']}"
        out.append({**base, "choice_id": choice_id, "votes": vote["votes"] if published else None})
    return out


def _turnout(row: dict, station_ids: dict[str, str]) -> dict:
    day, month, year = row["date"].split(".")
    hour, minute = row["time"].split(".")
    if row["uik"] not in station_ids:
        raise SourceError(f"spb2021_duma_turnout_uik.csv: station {row['uik']} has no protocol row")
    return {
        "contest_id": TURNOUT_CONTEST,
        "unit_id": station_ids[row["uik"]],
        "source_id": SOURCE_ID,
        "reported_at": f"{year}-{month}-{day}T{hour}:{minute}:00",
        "label": f"{row['date']} {row['time']}",
        "voters_received_ballot": row["voted_count"],
        "voters_on_list": row["registered_count"],
        "turnout_percent": row["voted_percentage"],
    }
