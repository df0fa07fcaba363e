"""Polling station pages: the whole protocol of every contest, every source side by side, turnout
reports and findings. These are stamped into the shell page MkDocs renders once per election (see
stamp.py), so they are plain HTML, not Markdown."""
from __future__ import annotations

import secrets

from ... import contract
from .. import urls
from ..data import ElectionData
from ..escape import h, safe_url
from ..fragments import breadcrumbs, finding_badges, link, note, num_cell, pct_cell, row, table, text_cell
from ..naming import trail, unit_name
from ..page import Page
from ..text import line_label, not_published, source_kind_label, t

# Replaced in every station page by stamp.py. A fresh random token per build, so no text from data
# (an election called "ASHYQ-STATION-BODY-…") can equal a marker; the markers never reach the site.
_TOKEN = secrets.token_hex(16)
TITLE_MARK = f"ASHYQ-STATION-TITLE-{_TOKEN}"
BODY_MARK = f"ASHYQ-STATION-BODY-{_TOKEN}"


def shell_page(election_id: str) -> Page:
    """The page MkDocs renders at the depth of every station URL; its title and body are replaced."""
    return Page(url=urls.station_shell(election_id), title=TITLE_MARK,
                body=f'<h1>{TITLE_MARK}</h1>\n\n<div class="ashyq-station">{BODY_MARK}</div>\n', search=False,
                hide=["toc"])


def station_html(data: ElectionData, station_id: str) -> tuple[str, str]:
    """(plain-text title, escaped HTML body) of one station's page."""
    unit = data.units[station_id]
    url = urls.station(data.election_id, station_id)
    title = unit_name(unit)
    parts = [breadcrumbs(url, trail(data, station_id))]
    facts = [x for x in (unit.get("commission"), unit.get("code")) if x]
    if unit.get("kind") and unit["kind"] != "polling_station":
        facts.append(t(f"station_kind_{unit['kind']}"))
    if unit.get("address"):
        facts.append(f"{t('address')}: {unit['address']}")
    table_url = data.row_pages.get(station_id)
    row_link = (" · " + link(url, f"{table_url}#s-{station_id}", h(t("row_in_table")))) if table_url else ""
    if facts or row_link:
        parts.append(note(h(" · ".join(str(x) for x in facts)) + row_link))
    venue = data.venues.get(unit.get("venue_id") or "")
    if venue:
        parts.append(venue_note(venue))
    used_sources: dict[str, dict] = {}
    ballots = [(body, contest) for body, contests in data.contests_by_body() for contest in contests
               if data.protocols.get((contest["contest_id"], station_id)) or data.turnout.get((contest["contest_id"], station_id))]
    if len(ballots) > 1:
        parts.append(f"<p>{h(t('ballots_here'))}: {len(ballots)}</p>")
    for body, contest in ballots:
        cid = contest["contest_id"]
        protocols = data.protocols.get((cid, station_id), [])
        reports = data.turnout.get((cid, station_id), [])
        heading = h(contest["name"])
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            heading = link(url, urls.contest(data.election_id, cid), heading)
        parts.append(f'<h2 id="{h(cid)}">{heading}</h2>')
        if body is not None and len(data.bodies) > 1:
            parts.append(note(h(f"{t('body')}: {body['name']}")))
        if protocols and not any(p.get("has_figures", True) for p in protocols):
            parts.append(note(h(t("listed_not_published"))))
        if protocols:
            parts.append(protocol_sources_table(data, cid, station_id, protocols))
        badges = finding_badges([f for f in data.findings.get(station_id, []) if f.get("contest_id") == cid])
        if badges:  # the findings of this ballot, under its protocol
            parts.append(f"<p>{h(t('findings'))} ({h(contest['name'])}): {badges}</p>")
        for p in protocols:
            used_sources[p["source_id"]] = data.sources[p["source_id"]]
        if reports:
            parts.append(f"<h3>{h(t('turnout_reports'))}</h3>")
            parts.append(turnout_table(data, reports))
            for r in reports:
                used_sources[r["source_id"]] = data.sources[r["source_id"]]
    if not used_sources:
        parts.append(note(h(t("no_data_here"))))
    other = finding_badges([f for f in data.findings.get(station_id, [])
                            if f.get("contest_id") not in {c["contest_id"] for _, c in ballots}])
    if other:
        parts.append(f"<h2>{h(t('findings'))}</h2><p>{other}</p>")
    if used_sources:
        parts.append(f"<h2>{h(t('sources'))}</h2>")
        parts.append(sources_list(list(used_sources.values())))
    return title, "".join(parts)


def protocol_sources_table(data: ElectionData, cid: str, station_id: str, protocols: list[dict]) -> str:
    """Every protocol line and every choice, one column per source, and the difference of the first two."""
    columns = []
    for p in protocols:
        source = data.sources[p["source_id"]]
        votes = data.votes.get((cid, station_id, p["source_id"]), {})
        columns.append((source, p, votes))
    compare = len(columns) >= 2
    headers = [h(t("line"))] + [f"{h(source_kind_label(s['kind']))}<br><small>{h(s['title'])}</small>"
                                for s, _, _ in columns]
    if compare:
        headers.append(h(t("difference")) + f"<br><small>{h(source_kind_label(columns[0][0]['kind']))} − "
                                              f"{h(source_kind_label(columns[1][0]['kind']))}</small>")
    rows = []

    def add(label: str, values: list, marks: list[str] | None = None):
        cells = [text_cell(label)] + [num_cell(v, f'<br><small class="ashyq-derived">{h(m)}</small>' if m else "")
                                      for v, m in zip(values, marks or [""] * len(values))]
        if compare:
            a, b = values[0], values[1]
            diff = a - b if a is not None and b is not None else None
            cells.append(num_cell(diff))
        attrs = ' class="ashyq-differs"' if compare and values[0] is not None and values[1] is not None and values[0] != values[1] else ""
        rows.append(row(cells, attrs))

    derived = False
    for name in contract.line_names():
        marks = [t("derived") if p.get(f"{name}_derived") and p[name] is not None else "" for _, p, _ in columns]
        derived |= any(marks)
        add(h(line_label(name)), [p[name] for _, p, _ in columns], marks)
    for line in data.extra_lines:
        values = [data.extra_values.get((cid, station_id, p["source_id"]), {}).get(line["name"]) for _, p, _ in columns]
        add(h(line["label_en"] or line["name"]), values)
    for choice in data.choices.get(cid, []):
        label = h(choice["name"]) + (f' <small>({h(choice["affiliation"])})</small>' if choice.get("affiliation") else "")
        add(label, [votes[choice["choice_id"]]["votes"] if choice["choice_id"] in votes else None
                    for _, _, votes in columns])
    turnout = [text_cell(h(t("turnout_percent")))] + [pct_cell(p.get("turnout_percent")) for _, p, _ in columns]
    if compare:
        turnout.append(text_cell(""))
    rows.append(row(turnout))
    notes = [f"{h(source_kind_label(s['kind']))}: {h(p['note'])}" for s, p, _ in columns if p.get("note")]
    out = table(headers, rows, sortable=False, css="ashyq-protocol")
    if derived:
        notes.append(h(t("derived_note")))
    return out + "".join(note(n) for n in notes)


def venue_note(venue: dict) -> str:
    """Where the station sits: the venue's name, kind, address and coordinates, as published."""
    bits = [x for x in (venue.get("name_en") or venue.get("name_ru") or venue.get("name_kk"), venue.get("kind"),
                        venue.get("address"), venue.get("municipality")) if x]
    if venue.get("latitude") is not None and venue.get("longitude") is not None:
        bits.append(f"{t('coordinates')}: {venue['latitude']:.6f}, {venue['longitude']:.6f}")
    return note(f"<strong>{h(t('venue'))}</strong>: " + h(" · ".join(str(b) for b in bits)))


def turnout_table(data: ElectionData, reports: list[dict]) -> str:
    headers = [h(t("reported_at")), h(t("source")), h(t("voters_received_ballot")),
               h(line_label("voters_on_list")), h(t("turnout_percent"))]
    rows = [row([text_cell(h(r.get("label") or str(r["reported_at"]))),
                 text_cell(h(data.sources[r["source_id"]]["title"])),
                 num_cell(r["voters_received_ballot"]), num_cell(r["voters_on_list"]),
                 pct_cell(r["turnout_percent"])]) for r in reports]
    return table(headers, rows, sortable=False)


def sources_list(sources: list[dict]) -> str:
    items = []
    for s in sources:
        bits = [f"<strong>{h(source_kind_label(s['kind']))}</strong>: {h(s['title'])}"]
        for key in ("publisher", "document", "published_on", "note"):
            if s.get(key):
                bits.append(f"{h(t(key))}: {h(s[key])}")
        url = safe_url(s.get("url"))
        if url:
            bits.append(f'<a href="{h(url)}" rel="nofollow noopener">{h(url)}</a>')
        if s.get("photo_file"):
            bits.append(f"{h(s['photo_file'])} (SHA-256 {h(s.get('photo_sha256') or not_published())})")
        items.append("<li>" + " · ".join(bits) + "</li>")
    return f"<ul class=\"ashyq-sources\">{''.join(items)}</ul>"
