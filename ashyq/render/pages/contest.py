"""The page of a single-member constituency: its candidates (chart and table, summed over its
stations), its winner or why none can be read, the sum of its protocols, and its polling stations
(linked). A constituency is not a unit of the hierarchy: its stations are those with a protocol for
the contest, whatever commission they belong to."""
from __future__ import annotations

from .. import maps, urls
from ..data import ElectionData
from ..escape import h, md
from ..figures import all_sets, primary
from ..fragments import breadcrumbs, html_block, note
from ..naming import election_title
from ..page import Page
from ..text import t
from .unit import protocol_table, result_block, station_tables, winner_text


def contest_pages(data: ElectionData, contest: dict) -> list[Page]:
    """The constituency's page and, past the station table's size, the further parts of its table."""
    cid = contest["contest_id"]
    url = urls.contest(data.election_id, cid)
    title = contest["name"]
    page_trail = [(urls.home(), t("elections")), (urls.election(data.election_id), election_title(data)), (url, title)]
    parts = [f"# {md(title)}\n\n", html_block(breadcrumbs(url, page_trail))]
    facts = []
    body = data.bodies.get(contest.get("body_id") or "")
    if body:
        facts.append(f"{t('body')}: {body['name']}")
    if contest.get("constituency"):
        facts.append(t("constituency_no", n=contest["constituency"]))
    if contest.get("seats") is not None:
        facts.append(t("seats", n=contest["seats"]))
    if facts:
        parts.append(html_block(note(h(" · ".join(facts)))))
    if contest.get("note"):
        parts.append(html_block(f'<p class="ashyq-contest-note"><strong>{h(t("contest_note"))}:</strong> '
                                f'{h(contest["note"])}</p>'))
    parts.append(html_block(f'<p class="ashyq-winner"><strong>{h(winner_text(data, contest))}</strong></p>'))
    scope = contest["scope_unit_id"]
    sets = [s for s in all_sets(data, cid, scope)]
    choices = data.choices.get(cid, [])
    main = primary(sets)
    drew = False
    if main is not None and main.has_votes():
        parts.append(f"## {md(t('result'))}\n\n")
        parts.append(html_block(result_block(choices, sets, main)))
        drew = True
    parts.append(f"## {md(t('protocol'))}\n\n")
    parts.append(html_block(protocol_table(sets, data.extra_lines)))
    stations = data.constituency_stations(cid)
    venue_map = maps.venue_map(data, contest, stations, url, data.venues, stations_listed=True)
    if venue_map:
        parts.append(f"## {md(t('map_venues'))}\n\n" + html_block(venue_map))
        drew = True
    extra: list[Page] = []
    if stations:
        parts.append(f"## {md(t('stations_in_constituency'))}\n\n")
        parts.append(html_block(note(h(t("constituency_note")) + " " + h(t("station_table_note")))))
        parts.append(html_block(station_tables(data, contest, choices, stations, scope, url, extra,
                                               page_title=title, page_trail=page_trail)))
    return [Page(url=url, title=title, body="".join(parts), charts=drew)] + extra
