"""The page of a single-member constituency: its candidates (chart and table, summed over its
stations), its winner or why none can be read, the sum of its protocols, and its polling stations
(linked). A constituency is not a unit of the hierarchy: its stations are those with a protocol for
the contest, whatever commission they belong to."""
from __future__ import annotations

from .. import maps, urls
from ..data import ElectionData
from ..escape import data_text, h, md
from ..figures import all_sets, primary
from ..fragments import breadcrumbs, html_block, note
from ..naming import contest_name, election_title
from ..page import Page
from ..locale import Locale
from .unit import leading_first, protocol_block, result_block, station_tables, winner_text


def contest_pages(loc: Locale, data: ElectionData, contest: dict) -> list[Page]:
    """The constituency's page and, past the station table's size, the further parts of its table."""
    cid = contest["contest_id"]
    url = urls.contest(loc.lang, data.election_id, cid)
    title = contest_name(loc, contest)
    page_trail = [(urls.home(loc.lang), loc.t("elections")), (urls.election(loc.lang, data.election_id), election_title(loc, data)), (url, title)]
    parts = [f"# {loc.name_html(title, md)}\n\n", html_block(breadcrumbs(loc, url, page_trail))]
    facts = []
    body = data.bodies.get(contest.get("body_id") or "")
    if body:
        facts.append(f"{h(loc.t('body'))}: {loc.name_html(loc.name(body))}")
    if contest.get("constituency"):
        facts.append(h(loc.t("constituency_no", n=contest["constituency"])))
    if contest.get("seats") is not None:
        facts.append(h(loc.plural("seats", contest["seats"])))
    if facts:
        parts.append(html_block(note(" · ".join(facts))))
    if contest.get("note"):
        parts.append(html_block(f'<p class="ashyq-contest-note"><strong>{h(loc.t("note"))}:</strong> '
                                f'{data_text(contest["note"])}</p>'))
    parts.append(html_block(f'<p class="ashyq-winner"><strong>{h(winner_text(loc, data, contest))}</strong></p>'))
    scope = contest["scope_unit_id"]
    sets = [s for s in all_sets(loc, data, cid, scope)]
    choices = data.choices.get(cid, [])
    main = primary(sets)
    drew = False
    if main is not None and main.has_votes():
        parts.append(f"## {md(loc.t('result'))}\n\n")
        parts.append(html_block(result_block(loc, choices, sets, main)))
        drew = True
    parts.append(f"## {md(loc.t('protocol'))}\n\n")
    parts.append(html_block(protocol_block(loc, sets, data.extra_lines)))
    stations = data.constituency_stations(cid)
    venue_map = maps.venue_map(data, contest, stations, url, data.venues, loc, stations_listed=True)
    if venue_map:
        parts.append(f"## {md(loc.t('map_venues'))}\n\n" + html_block(venue_map))
        drew = True
    extra: list[Page] = []
    if stations:
        parts.append(f"## {md(loc.t('stations_in_constituency'))}\n\n")
        parts.append(html_block(note(h(loc.t("constituency_note")) + " " + h(loc.t("station_table_note")))))
        parts.append(html_block(station_tables(loc, data, contest, leading_first(choices, main), stations, scope, url, extra,
                                               page_title=title, page_trail=page_trail)))
    return [Page(url=url, title=title, body="".join(parts), charts=drew)] + extra
