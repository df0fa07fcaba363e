"""Polling station pages: the whole protocol of every contest, every source side by side, turnout
reports and findings. These are written outside MkDocs into their own light page (see stamp.py), so
they are plain HTML, not Markdown."""
from __future__ import annotations

from ... import contract
from .. import urls
from ..data import ElectionData
from ..escape import data_text, h, safe_url
from ..fragments import (breadcrumbs, finding_badges, link, not_published_note, note, num_cell, pct_cell, row, table,
                         text_cell)
from ..naming import contest_name, trail, unit_name
from ..locale import Locale


def station_html(loc: Locale, data: ElectionData, station_id: str) -> tuple[str, str]:
    """(plain-text title, escaped HTML body) of one station's page."""
    unit = data.units[station_id]
    url = urls.station(loc.lang, data.election_id, station_id)
    title = unit_name(loc, unit)
    parts = [breadcrumbs(loc, url, trail(loc, data, station_id))]
    facts = [h(x) for x in (loc.commission(unit.get("commission")), unit.get("code")) if x]
    if unit.get("kind") and unit["kind"] != "polling_station":
        facts.append(h(loc.t(f"station_kind_{unit['kind']}")))
    if unit.get("address"):
        facts.append(f"{h(loc.t('address'))}: {data_text(unit['address'])}")
    table_url = data.row_pages.get(station_id)
    if table_url:
        facts.append(link(url, f"{loc.lang}/{table_url}#s-{station_id}", h(loc.t("row_in_table"))))
    if facts:
        parts.append(note(" · ".join(facts)))
    venue = data.venues.get(unit.get("venue_id") or "")
    if venue:
        parts.append(venue_note(loc, venue))
    used_sources: dict[str, dict] = {}
    ballots = [(body, contest) for body, contests in data.contests_by_body() for contest in contests
               if data.protocols.get((contest["contest_id"], station_id)) or data.turnout.get((contest["contest_id"], station_id))]
    if len(ballots) > 1:
        parts.append(f"<p>{h(loc.t('ballots_here'))}: {loc.number(len(ballots))}</p>")
    for body, contest in ballots:
        cid = contest["contest_id"]
        protocols = data.protocols.get((cid, station_id), [])
        reports = data.turnout.get((cid, station_id), [])
        heading = loc.name_html(contest_name(loc, contest))
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            heading = link(url, urls.contest(loc.lang, data.election_id, cid), heading)
        parts.append(f'<h2 id="{h(cid)}">{heading}</h2>')
        if body is not None and len(data.bodies) > 1:
            parts.append(note(f"{h(loc.t('body'))}: {loc.name_html(loc.name(body))}"))
        if protocols and not any(p.get("has_figures", True) for p in protocols):
            parts.append(note(h(loc.t("listed_not_published"))))
        if protocols:
            parts.append(protocol_sources_table(loc, data, cid, station_id, protocols))
        badges = finding_badges(loc, [f for f in data.findings.get(station_id, []) if f.get("contest_id") == cid])
        if badges:  # the findings of this ballot, under its protocol
            parts.append(f"<p>{h(loc.t('findings'))} ({loc.name_html(contest_name(loc, contest))}): {badges}</p>")
        for p in protocols:
            used_sources[p["source_id"]] = data.sources[p["source_id"]]
        if reports:
            parts.append(f"<h3>{h(loc.t('turnout_reports'))}</h3>")
            parts.append(turnout_table(loc, data, reports))
            for r in reports:
                used_sources[r["source_id"]] = data.sources[r["source_id"]]
    if not used_sources:
        parts.append(note(h(loc.t("no_data_here"))))
    other = finding_badges(loc, [f for f in data.findings.get(station_id, [])
                                 if f.get("contest_id") not in {c["contest_id"] for _, c in ballots}])
    if other:
        parts.append(f"<h2>{h(loc.t('findings'))}</h2><p>{other}</p>")
    if used_sources:
        parts.append(f"<h2>{h(loc.t('sources'))}</h2>")
        parts.append(sources_list(loc, list(used_sources.values())))
    return title, "".join(parts)


def protocol_sources_table(loc: Locale, data: ElectionData, cid: str, station_id: str, protocols: list[dict]) -> str:
    """Every published line and every choice, one column per source. With two sources or more, the
    difference of the first two comes right after the first, so it stays in view on a phone; lines no
    source publishes here are named in one note under the table."""
    columns = []
    for p in protocols:
        source = data.sources[p["source_id"]]
        votes = data.votes.get((cid, station_id, p["source_id"]), {})
        columns.append((source, p, votes))
    compare = len(columns) >= 2
    # the kind of source heads its column (the document's title in a tooltip and under "Sources")
    headers = [h(loc.t("line"))] + [f'<span title="{h(s["title"])}">{h(loc.source_kind(s["kind"]))}</span>'
                                for s, _, _ in columns]
    if compare:
        headers.insert(2, h(loc.t("difference")) + f"<br><small>{h(loc.source_kind(columns[0][0]['kind']))} − "
                                                 f"{h(loc.source_kind(columns[1][0]['kind']))}</small>")
    rows, missing = [], []

    def add(label: str, values: list, marks: list[str] | None = None):
        cells = [text_cell(label)] + [num_cell(loc, v, f'<br><small class="ashyq-derived">{h(m)}</small>' if m else "")
                                      for v, m in zip(values, marks or [""] * len(values))]
        if compare:
            a, b = values[0], values[1]
            cells.insert(2, num_cell(loc, a - b if a is not None and b is not None else None))
        attrs = ' class="ashyq-differs"' if compare and values[0] is not None and values[1] is not None and values[0] != values[1] else ""
        rows.append(row(cells, attrs))

    derived = False
    for name in contract.line_names():
        if all(p[name] is None for _, p, _ in columns):
            missing.append(loc.line(name))
            continue
        marks = [loc.t("derived") if p.get(f"{name}_derived") and p[name] is not None else "" for _, p, _ in columns]
        derived |= any(marks)
        add(h(loc.line(name)), [p[name] for _, p, _ in columns], marks)
    for line in data.extra_lines:
        values = [data.extra_values.get((cid, station_id, p["source_id"]), {}).get(line["name"]) for _, p, _ in columns]
        add(loc.name_html(loc.extra_line(line)), values)
    for choice in data.choices.get(cid, []):
        label = loc.name_html(loc.name(choice)) + (f' <small>({data_text(choice["affiliation"])})</small>' if choice.get("affiliation") else "")
        add(label, [votes[choice["choice_id"]]["votes"] if choice["choice_id"] in votes else None
                    for _, _, votes in columns])
    if any(p.get("turnout_percent") is not None for _, p, _ in columns):
        turnout = [text_cell(h(loc.t("turnout_percent")))] + [pct_cell(loc, p.get("turnout_percent")) for _, p, _ in columns]
        if compare:
            turnout.insert(2, text_cell(""))
        rows.append(row(turnout))
    else:
        missing.append(loc.t("turnout_percent"))
    notes = [f"{h(loc.source_kind(s['kind']))}: {data_text(p['note'])}" for s, p, _ in columns if p.get("note")]
    out = table(headers, rows, sortable=False, css="ashyq-protocol", label=loc.t("protocol")) + not_published_note(loc, missing)
    if derived:
        notes.append(h(loc.t("derived_note")))
    return out + "".join(note(n) for n in notes)


def venue_note(loc: Locale, venue: dict) -> str:
    """Where the station sits: the venue's name, kind, address and coordinates, as published."""
    name = loc.name(venue)
    bits = [loc.name_html(name)] if name else []
    bits += [data_text(venue[key]) for key in ("kind", "address", "municipality") if venue.get(key)]
    if venue.get("latitude") is not None and venue.get("longitude") is not None:
        bits.append(f"{h(loc.t('coordinates'))}: {loc.decimal(venue['latitude'], 6)}; {loc.decimal(venue['longitude'], 6)}")
    return note(f"<strong>{h(loc.t('venue'))}</strong>: " + " · ".join(bits))


def turnout_table(loc: Locale, data: ElectionData, reports: list[dict]) -> str:
    headers = [h(loc.t("reported_at")), h(loc.t("source")), h(loc.t("voters_received_ballot")),
               h(loc.line("voters_on_list")), h(loc.t("turnout_percent"))]
    days = {str(r["reported_at"])[:10] for r in reports}
    rows = [row([text_cell(h(loc.report_time(r["reported_at"], with_date=len(days) > 1)),
                           attrs=f' title="{h(r["label"])}"' if r.get("label") else ""),
                 text_cell(data_text(data.sources[r["source_id"]]["title"])),
                 num_cell(loc, r["voters_received_ballot"]), num_cell(loc, r["voters_on_list"]),
                 pct_cell(loc, r["turnout_percent"])]) for r in reports]
    return table(headers, rows, sortable=False, label=loc.t("turnout_through_day"))


def sources_list(loc: Locale, sources: list[dict]) -> str:
    items = []
    for s in sources:
        bits = [f"<strong>{h(loc.source_kind(s['kind']))}</strong>: {data_text(s['title'])}"]
        for key in ("publisher", "document", "note"):
            if s.get(key):
                bits.append(f"{h(loc.t(key))}: {data_text(s[key])}")
        if s.get("published_on"):
            bits.insert(2, f"{h(loc.t('published_on'))}: {h(loc.date(s['published_on']))}")
        url = safe_url(s.get("url"))
        if url:
            bits.append(f'<a class="ashyq-data" href="{h(url)}" rel="nofollow noopener">{h(url)}</a>')
        if s.get("photo_file"):
            bits.append(f"{h(s['photo_file'])} (SHA-256 {h(s.get('photo_sha256') or loc.not_published)})")
        items.append("<li>" + " · ".join(bits) + "</li>")
    return f"<ul class=\"ashyq-sources\">{''.join(items)}</ul>"
