"""Protocol sheets: the polling stations of one commission and block of station numbers on one page,
in the form of the CEC's summary table read down a column: the line labels once, on the left, then a
column per station (and per source where a station has several: official, observer copy, with the
difference of the first two right after the first, so it stays in view on a phone). One table per
contest, then one per contest for the turnout reported through the day, the sources once at the
bottom. A station's column header carries its id, so ``…/stations/<parent>/<range>/#<station>`` opens
the page at it (see urls.station).

Written outside MkDocs into their own light page (see stamp.py), so they are plain HTML, not Markdown."""
from __future__ import annotations

from ... import contract
from .. import urls
from ..data import ElectionData
from ..escape import data_text, h, safe_url
from ..fragments import breadcrumbs, finding_badges, link, not_published_note, note
from ..locale import Locale
from ..naming import contest_name, election_title, trail, unit_name


def sheets(data: ElectionData) -> dict[str, list[str]]:
    """Sheet key (``urls.sheet_key``) → its stations, in the order of the station list."""
    out: dict[str, list[str]] = {}
    for station_id in data.stations():
        unit = data.units[station_id]
        out.setdefault(urls.sheet_key(unit["parent_id"], unit.get("code")), []).append(station_id)
    return out


def sheet_url(loc: Locale, data: ElectionData, station_id: str) -> str:
    unit = data.units[station_id]
    return urls.sheet(loc.lang, data.election_id, unit["parent_id"], unit.get("code"))


def short_name(loc: Locale, unit: dict) -> str:
    """A station's name in a column header and the jump list: its commission and number ("УИК 576")."""
    code = unit.get("code")
    if code:
        return f"{loc.commission(unit.get('commission')) or loc.t('station')} {code}"
    return unit_name(loc, unit)


def sheet_title(loc: Locale, data: ElectionData, station_ids: list[str]) -> tuple[str, str]:
    """(the page's title, what the sheet holds: "Polling stations 400–499" or all of them)."""
    first = data.units[station_ids[0]]
    parent = data.units[first["parent_id"]]
    block = urls.sheet_range(first.get("code"))
    if block == "all":
        what = loc.t("stations")
    else:
        low, high = block.split("-")
        what = loc.t("sheet_range", first=low, last=high)
    owner = election_title(loc, data) if parent["parent_id"] is None else unit_name(loc, parent)
    return f"{owner} — {what}", what


def sheet_html(loc: Locale, data: ElectionData, station_ids: list[str]) -> tuple[str, str]:
    """(plain-text title, escaped HTML body) of the sheet holding ``station_ids`` (one sheet's stations)."""
    url = sheet_url(loc, data, station_ids[0])
    title, what = sheet_title(loc, data, station_ids)
    parent_id = data.units[station_ids[0]]["parent_id"]
    parts = [breadcrumbs(loc, url, trail(loc, data, parent_id) + [(url, what)])]
    jump = "".join(f'<li><a href="#{h(s)}">{loc.name_html(short_name(loc, data.units[s]))}</a></li>' for s in station_ids)
    parts.append(f'<nav class="ashyq-jump" aria-label="{h(loc.t("sheet_stations"))}"><ul>{jump}</ul></nav>')
    parts.append(note(h(loc.t("sheet_note"))))
    sheet = Sheet(loc, data, url)
    ballots = [(body, contest) for body, contests in data.contests_by_body() for contest in contests]
    shown_contests = set()
    for body, contest in ballots:
        cid = contest["contest_id"]
        voted = [s for s in station_ids if data.protocols.get((cid, s))]
        reported = [s for s in station_ids if data.turnout.get((cid, s))]
        if not voted and not reported:
            continue
        shown_contests.add(cid)
        heading = loc.name_html(contest_name(loc, contest))
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            heading = link(url, urls.contest(loc.lang, data.election_id, cid), heading)
        parts.append(f'<h2 id="c-{h(cid)}">{heading}</h2>')
        if body is not None and len(data.bodies) > 1:
            parts.append(note(f"{h(loc.t('body'))}: {loc.name_html(loc.name(body))}"))
        if voted:
            parts.append(sheet.protocol_table(contest, voted))
        if reported:
            parts.append(f"<h3>{h(loc.t('turnout_reports'))}</h3>")
            parts.append(sheet.turnout_table(contest, reported))
    silent = [s for s in station_ids if s not in sheet.anchored]
    if silent:  # still an anchor each, so every station's URL opens on the sheet
        names = ", ".join(f'<span id="{h(s)}">{loc.name_html(short_name(loc, data.units[s]))}</span>' for s in silent)
        parts.append(note(f"{h(loc.t('sheet_no_data'))}: {names}"))
    other = []
    for s in station_ids:
        badges = finding_badges(loc, [f for f in data.findings.get(s, []) if f.get("contest_id") not in shown_contests])
        if badges:
            other.append(f'<li><a href="#{h(s)}">{loc.name_html(short_name(loc, data.units[s]))}</a>: {badges}</li>')
    if other:
        parts.append(f"<h2>{h(loc.t('findings'))}</h2><ul>{''.join(other)}</ul>")
    if sheet.sources:
        parts.append(f"<h2>{h(loc.t('sources'))}</h2>")
        parts.append(sources_list(loc, list(sheet.sources.values())))
    return title, "".join(parts)


class Sheet:
    """The tables of one sheet: which station ids are used (the first table a station is in carries
    its plain id, a later one a suffixed id: no id twice) and the sources cited."""

    def __init__(self, loc: Locale, data: ElectionData, url: str):
        self.loc, self.data, self.url = loc, data, url
        self.anchored: set[str] = set()
        self.tables = 0
        self.sources: dict[str, dict] = {}

    def _id(self, station_id: str) -> str:
        if station_id in self.anchored:
            return f"{station_id}--{self.tables}"
        self.anchored.add(station_id)
        return station_id

    def _station_th(self, station_id: str, span: int = 1, rows: int = 1, extra: str = "") -> str:
        attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{rows}"' if rows > 1 else "")
        name = self.loc.name_html(short_name(self.loc, self.data.units[station_id]))
        return f'<th scope="col" id="{h(self._id(station_id))}"{attrs}>{name}{extra}</th>'

    def _num(self, value, mark: str = "") -> str:
        if value is None:
            return f'<td class="np">{h(self.loc.not_published)}</td>'
        return f"<td>{self.loc.number(value)}{mark}</td>"

    def _pct(self, value) -> str:
        if value is None:
            return f'<td class="np">{h(self.loc.not_published)}</td>'
        return f"<td>{self.loc.percent(value)}</td>"

    def _wrap(self, label: str, colgroup: str, head: str, rows: list[str]) -> str:
        return (f'<div class="ashyq-table-wrap" tabindex="0" role="region" aria-label="{h(label)}">'
                f'<table class="ashyq-table ashyq-sheet">{colgroup}<thead>{head}</thead>'
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def protocol_table(self, contest: dict, station_ids: list[str]) -> str:
        """Every line published by any station here, extra lines, every choice, turnout, notes,
        findings and where the station is: a row each, a column per station and source."""
        loc, data, cid = self.loc, self.data, contest["contest_id"]
        self.tables += 1
        groups = []  # (station, [(source, protocol, votes)]) in column order
        for s in station_ids:
            columns = []
            for p in data.protocols[(cid, s)]:
                source = self.sources.setdefault(p["source_id"], data.sources[p["source_id"]])
                columns.append((source, p, data.votes.get((cid, s, p["source_id"]), {})))
            groups.append((s, columns))
        two_rows = any(len(c) >= 2 for _, c in groups)
        first = {s for s in station_ids if s not in self.anchored}

        def span(columns) -> int:
            return len(columns) + (len(columns) >= 2)

        rowspan = ' rowspan="2"' if two_rows else ""
        head = [f'<th scope="col"{rowspan}>{h(loc.t("line"))}</th>']
        second = []
        for s, columns in groups:
            listed = ("<br><small>" + h(loc.t("listed_not_published")) + "</small>"
                      if not any(p.get("has_figures", True) for _, p, _ in columns) else "")
            head.append(self._station_th(s, span(columns), extra=listed))
            kinds = [f'<th scope="col"><span title="{h(src["title"])}">{h(loc.source_kind(src["kind"]))}</span></th>'
                     for src, _, _ in columns]
            if len(columns) >= 2:
                kinds.insert(1, f'<th scope="col">{h(loc.t("difference"))}</th>')
            second.extend(kinds)
        head_html = "<tr>" + "".join(head) + "</tr>" + (("<tr>" + "".join(second) + "</tr>") if two_rows else "")
        colgroup = "<colgroup><col>" + "".join(f'<col span="{span(c)}">' if span(c) > 1 else "<col>"
                                               for _, c in groups) + "</colgroup>"
        rows: list[str] = []
        missing: list[str] = []
        derived = False

        def figures(label: str, values: list[list], marks: list[list] | None = None) -> None:
            """A row of figures; the "derived" mark goes once on the label when every figure of the row
            is derived, else on each derived figure."""
            marked = [m for ms in marks or [] for m in ms]
            published = [v for vals in values for v in vals if v is not None]
            if marks and published and sum(1 for m in marked if m) == len(published):
                label += f'<br><small class="ashyq-derived">{h(next(m for m in marked if m))}</small>'
                marks = None
            cells = []
            for i, (vals, (_, columns)) in enumerate(zip(values, groups)):
                ms = marks[i] if marks else [""] * len(vals)
                group = [self._num(v, f'<br><small class="ashyq-derived">{h(m)}</small>' if m else "")
                         for v, m in zip(vals, ms)]
                if len(columns) >= 2:
                    a, b = vals[0], vals[1]
                    diff = self._num(a - b if a is not None and b is not None else None)
                    if a is not None and b is not None and a != b:
                        diff = diff.replace("<td>", '<td class="ashyq-diff">', 1)
                    group.insert(1, diff)
                cells.extend(group)
            rows.append(f'<tr><th scope="row">{label}</th>{"".join(cells)}</tr>')

        def texts(label: str, values: list[str], per_column: bool = False) -> None:
            """A row of text: one cell a station (``values`` per station), or one a source."""
            cells = []
            for vals, (_, columns) in zip(values, groups):
                if per_column:
                    group = [f'<td class="t">{v}</td>' for v in vals]
                    if len(columns) >= 2:
                        group.insert(1, "<td></td>")
                    cells.extend(group)
                else:
                    n = span(columns)
                    colspan = f' colspan="{n}"' if n > 1 else ""
                    cells.append(f'<td class="t"{colspan}>{vals}</td>')
            rows.append(f'<tr><th scope="row">{label}</th>{"".join(cells)}</tr>')

        for name in contract.line_names():
            values = [[p[name] for _, p, _ in columns] for _, columns in groups]
            if all(v is None for vals in values for v in vals):
                missing.append(loc.line(name))
                continue
            marks = [[loc.t("derived") if p.get(f"{name}_derived") and p[name] is not None else "" for _, p, _ in columns]
                     for _, columns in groups]
            derived |= any(m for ms in marks for m in ms)
            figures(h(loc.line(name)), values, marks)
        for line in data.extra_lines:
            values = [[data.extra_values.get((cid, s, p["source_id"]), {}).get(line["name"]) for _, p, _ in columns]
                      for s, columns in groups]
            figures(loc.name_html(loc.extra_line(line)), values)
        for choice in data.choices.get(cid, []):
            label = loc.name_html(loc.name(choice)) + (f' <small>({data_text(choice["affiliation"])})</small>'
                                                       if choice.get("affiliation") else "")
            key = choice["choice_id"]
            figures(label, [[votes[key]["votes"] if key in votes else None for _, _, votes in columns]
                            for _, columns in groups])
        if any(p.get("turnout_percent") is not None for _, columns in groups for _, p, _ in columns):
            cells = []
            for _, columns in groups:
                group = [self._pct(p.get("turnout_percent")) for _, p, _ in columns]
                if len(columns) >= 2:
                    group.insert(1, "<td></td>")
                cells.extend(group)
            rows.append(f'<tr><th scope="row">{h(loc.t("turnout_percent"))}</th>{"".join(cells)}</tr>')
        else:
            missing.append(loc.t("turnout_percent"))
        if any(p.get("note") for _, columns in groups for _, p, _ in columns):
            texts(h(loc.t("note")), [[data_text(p["note"]) if p.get("note") else "" for _, p, _ in columns]
                                     for _, columns in groups], per_column=True)
        badges = [finding_badges(loc, [f for f in data.findings.get(s, []) if f.get("contest_id") == cid])
                  for s, _ in groups]
        if any(badges):
            texts(h(loc.t("findings")), badges)
        # where the station is: once a page, in the table holding its anchor (the first it is in)
        units = [data.units[s] if s in first else {} for s, _ in groups]
        if any(u.get("kind") and u["kind"] != "polling_station" for u in units):
            texts(h(loc.t("kind")), [h(loc.t(f"station_kind_{u['kind']}")) if u.get("kind") else "" for u in units])
        if any(u.get("address") for u in units):
            texts(h(loc.t("address")), [data_text(u["address"]) if u.get("address") else "" for u in units])
        venues = [data.venues.get(u.get("venue_id") or "") for u in units]
        if any(venues):
            texts(h(loc.t("venue")), [venue_text(loc, v) if v else "" for v in venues])
        label = f"{loc.t('protocol')}: {contest_name(loc, contest)}"
        out = self._wrap(label, colgroup, head_html, rows) + not_published_note(loc, missing)
        return out + (note(h(loc.t("derived_note"))) if derived else "")

    def turnout_table(self, contest: dict, station_ids: list[str]) -> str:
        """The turnout reported through the day: a row per report time, a column per station; a cell
        is the turnout with the ballots received and the voters on the list under it."""
        loc, data, cid = self.loc, self.data, contest["contest_id"]
        self.tables += 1
        reports = {s: data.turnout[(cid, s)] for s in station_ids}
        for rs in reports.values():
            for r in rs:
                self.sources.setdefault(r["source_id"], data.sources[r["source_id"]])
        times = sorted({r["reported_at"] for rs in reports.values() for r in rs}, key=str)
        labels = {}
        for rs in reports.values():
            for r in rs:
                if r.get("label"):
                    labels.setdefault(r["reported_at"], r["label"])
        days = {str(t)[:10] for t in times}
        several = any(len({r["source_id"] for r in rs}) > 1 for rs in reports.values())
        head = f'<tr><th scope="col">{h(loc.t("reported_at"))}</th>' + "".join(self._station_th(s) for s in station_ids) + "</tr>"
        colgroup = "<colgroup>" + "<col>" * (len(station_ids) + 1) + "</colgroup>"
        rows = []
        for t in times:
            title = f' title="{h(labels[t])}"' if t in labels else ""
            cells = []
            for s in station_ids:
                here = [r for r in reports[s] if r["reported_at"] == t]
                if not here:
                    cells.append(f'<td class="np">{h(loc.not_published)}</td>')
                    continue
                bits = []
                for r in here:
                    kind = f"{h(loc.source_kind(data.sources[r['source_id']]['kind']))}: " if several else ""
                    pct = loc.percent(r["turnout_percent"]) if r["turnout_percent"] is not None else h(loc.not_published)
                    bits.append(f"{kind}{pct}<br><small>{loc.number(r['voters_received_ballot'])} / "
                                f"{loc.number(r['voters_on_list'])}</small>")
                cells.append(f"<td>{'<br>'.join(bits)}</td>")
            time = h(loc.report_time(t, with_date=len(days) > 1))
            rows.append(f'<tr><th scope="row"{title}>{time}</th>{"".join(cells)}</tr>')
        explained = note(h(f"{loc.t('turnout_percent')} · {loc.t('voters_received_ballot')} / {loc.line('voters_on_list')}"))
        return self._wrap(loc.t("turnout_through_day"), colgroup, head, rows) + explained


def venue_text(loc: Locale, venue: dict) -> str:
    """Where the station sits: the venue's name, kind, address and coordinates, as published."""
    name = loc.name(venue)
    bits = [loc.name_html(name)] if name else []
    bits += [data_text(venue[key]) for key in ("kind", "address", "municipality") if venue.get(key)]
    if venue.get("latitude") is not None and venue.get("longitude") is not None:
        bits.append(f"{h(loc.t('coordinates'))}: {loc.decimal(venue['latitude'], 6)}; {loc.decimal(venue['longitude'], 6)}")
    return " · ".join(bits)


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
