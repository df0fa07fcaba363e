"""St Petersburg, State Duma 2021, federal party lists: every polling station's protocol and turnout.

Source: ``realdata/ru-spb-2021-uik-turnout/`` (a mechanical flattening of vkryl/spbik-2021, itself
scraped from the official izbirkom.ru pages). Hierarchy: city (СПбИК) → district (район) → TIK →
station. Each TIK's own stations lie in one district; five TIKs also tabulate one or two of the six
stations abroad (upstream district "Голосование за рубежом"), which therefore sit under their TIK, in
that TIK's district, and say "abroad" in their name: the commission chain is the true one.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .tables import SourceError, read_csv, write

FOLDER = "realdata/ru-spb-2021-uik-turnout"
CITY_ID = "spb"
CONTEST_ID = "party-list"
SOURCE_ID = "izbirkom"
ABROAD = "Голосование за рубежом"
UPSTREAM = "https://github.com/vkryl/spbik-2021/tree/08c81bb6caf146b6fb3579f4645321b685147a98"

# Upstream column → protocol line: the twelve lines of the 2021 station protocol (README's column
# dictionary). Not mapped, because they are not protocol lines: voters.initially_registered_count,
# added/removed/attached/detached (derived upstream from the voter list and turnout reports),
# exceptional_count, taken_home_count. There is no separate "ballots issued" or "ballots in boxes" line.
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

METADATA = {
    "name": "spb-2021-duma",
    "title": "St Petersburg, State Duma election 2021, federal party lists",
    "version": "1.0.0",
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
                  "data/st-petersburg/results_by_uik/<uik>/federal/parties.json", "path": UPSTREAM},
        {"title": "Central Election Commission of the Russian Federation (official results pages)",
         "path": "http://www.izbirkom.ru"},
        {"title": "St Petersburg Election Commission (Вестник СПбИК)", "path": "http://vestnik.spbik.spb.ru"},
    ],
    "election": {
        "date": "2021-09-19",
        "country": "RU",
        "type": "parliamentary",
        "title": {
            "en": "St Petersburg, State Duma election, 17–19 September 2021 (federal party lists)",
            "ru": "Санкт-Петербург, выборы депутатов Государственной Думы, 17–19 сентября 2021 года (федеральный округ)",
            "kk": "Санкт-Петербург, Мемлекеттік Дума депутаттарының сайлауы, 2021 жылғы 17–19 қыркүйек (партиялық тізімдер)",
        },
    },
}

SOURCE = {
    "source_id": SOURCE_ID,
    "kind": "official",
    "title": "Official results and turnout reports by polling station (izbirkom.ru), as collected by vkryl/spbik-2021",
    "publisher": "Санкт-Петербургская избирательная комиссия (СПбИК)",
    "url": UPSTREAM,
    "document": "data/st-petersburg/results_by_uik/<uik>/federal/parties.json, flattened without changes "
                "into spb2021_duma_party_list_uik.csv and spb2021_duma_turnout_uik.csv",
    "note": "Turnout report times are Moscow (= St Petersburg) time. Upstream gives turnout percentages to "
            "2 decimals except at the final 19.09 20:00 point, which it computes unrounded; the day-3 "
            "intermediate reports give a percentage but no voter counts. 113 stations have no turnout "
            "reports upstream (the 6 abroad and 107 others).",
}


def convert(shared: Path, out: Path) -> list[Path]:
    folder = Path(shared) / FOLDER
    stations = read_csv(folder / "spb2021_duma_party_list_uik.csv")
    parties = read_csv(folder / "spb2021_duma_parties.csv")
    reports = read_csv(folder / "spb2021_duma_turnout_uik.csv")
    return [write(out, METADATA, package_rows(stations, parties, reports))]


def package_rows(stations: list[dict], parties: list[dict], reports: list[dict]) -> dict:
    station_ids = station_unit_ids(stations)
    choices = _choices(parties)
    return {
        "units": _units(stations, station_ids),
        "contests": [{
            "contest_id": CONTEST_ID, "kind": "party_list", "round": 1, "scope_unit_id": CITY_ID,
            "name_en": "State Duma, federal electoral district (party lists)",
            "name_ru": "Выборы депутатов Государственной Думы восьмого созыва, федеральный избирательный округ",
        }],
        "choices": choices,
        "sources": [SOURCE],
        "protocols": [_protocol(row, station_ids[row["uik"]]) for row in stations],
        "votes": [
            {"contest_id": CONTEST_ID, "unit_id": station_ids[row["uik"]], "source_id": SOURCE_ID,
             "choice_id": choice["choice_id"], "votes": row[f"party_{choice['ballot_order']:02d}"]}
            for row in stations for choice in choices
        ],
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
    """Station number → unit id ``spb.<district>.tik<N>.<station>``."""
    districts = tik_districts(stations)
    ids = {}
    for row in stations:
        if row["uik"] in ids:
            raise SourceError(f"station {row['uik']} appears twice")
        ids[row["uik"]] = f"{_tik_id(row['tik'], districts)}.{row['uik']}"
    return ids


def _tik_id(tik: str, districts: dict[str, str]) -> str:
    return f"{CITY_ID}.{DISTRICTS[districts[tik]][0]}.tik{tik}"


def _units(stations: list[dict], station_ids: dict[str, str]) -> list[dict]:
    districts = tik_districts(stations)
    units = [{"unit_id": CITY_ID, "level": "region", "commission": "СПбИК", "name_ru": "Санкт-Петербург",
              "name_en": "Saint Petersburg", "name_kk": "Санкт-Петербург", "complete": True}]
    for name_ru in sorted(set(districts.values())):
        district_id, name_en = DISTRICTS[name_ru]
        units.append({"unit_id": f"{CITY_ID}.{district_id}", "parent_id": CITY_ID, "level": "area",
                      "name_ru": name_ru, "name_en": name_en, "complete": True})
    for tik, name_ru in sorted(districts.items(), key=lambda item: int(item[0])):
        units.append({"unit_id": _tik_id(tik, districts), "parent_id": f"{CITY_ID}.{DISTRICTS[name_ru][0]}",
                      "level": "district", "commission": "ТИК", "code": tik, "name_ru": f"ТИК №{tik}",
                      "name_en": f"TIK {tik}", "complete": True})
    for row in stations:
        abroad = row["district"] == ABROAD
        units.append({
            "unit_id": station_ids[row["uik"]],
            "parent_id": _tik_id(row["tik"], districts),
            "level": "station",
            "commission": "УИК",
            "code": row["uik"],
            "name_ru": f"УИК №{row['uik']}" + (" (голосование за рубежом)" if abroad else ""),
            "name_en": f"Polling station {row['uik']}" + (" (abroad)" if abroad else ""),
            "complete": True,
        })
    return units


def _choices(parties: list[dict]) -> list[dict]:
    if len(parties) != len(PARTIES):
        raise SourceError(f"spb2021_duma_parties.csv: {len(parties)} parties, expected {len(PARTIES)}")
    choices = []
    for row in parties:
        order = int(row["ballot_position"])
        choice_id, name_en, marker = PARTIES[order]
        if marker not in row["party_name"] or row["column"] != f"party_{order:02d}":
            raise SourceError(f"spb2021_duma_parties.csv: position {order} is {row['party_name']!r}, expected {marker!r}")
        choices.append({"contest_id": CONTEST_ID, "choice_id": choice_id, "ballot_order": order, "kind": "party",
                        "name_ru": row["party_name"], "name_en": name_en})
    return choices


def _protocol(row: dict, unit_id: str) -> dict:
    lines = {line: row[column] for line, column in PROTOCOL_LINES.items()}
    note = None
    if row["protocol_empty"] == "1":
        if any(lines.values()):
            # Upstream's "empty" flag also marks a protocol with no valid votes (station 196: all 10
            # ballots invalid); its published figures are kept.
            note = "Upstream marks this protocol \"empty\" (no valid votes); the figures are as published."
        else:
            note = "Upstream marks this protocol \"empty\": no figures were published."
    return {"contest_id": CONTEST_ID, "unit_id": unit_id, "source_id": SOURCE_ID, **lines, "note": note}


def _turnout(row: dict, station_ids: dict[str, str]) -> dict:
    day, month, year = row["date"].split(".")
    hour, minute = row["time"].split(".")
    if row["uik"] not in station_ids:
        raise SourceError(f"spb2021_duma_turnout_uik.csv: station {row['uik']} has no protocol row")
    return {
        "contest_id": CONTEST_ID,
        "unit_id": station_ids[row["uik"]],
        "source_id": SOURCE_ID,
        "reported_at": f"{year}-{month}-{day}T{hour}:{minute}:00",
        "label": f"{row['date']} {row['time']}",
        "voters_received_ballot": row["voted_count"],
        "voters_on_list": row["registered_count"],
        "turnout_percent": row["voted_percentage"],
    }
