"""The page of any unit above the polling stations (the election page is its root unit's page):
per contest the result as a chart and a table, the protocol beside the sum of its stations, the
units below it (a chart and a table) or its polling stations (one sortable row each), and turnout
through the day. Works for a hierarchy of any depth."""
from __future__ import annotations

from ... import contract
from .. import charts, maps, urls
from ..finder import finder_box
from ..data import ElectionData
from ..escape import data_text, h, md
from ..figures import FigureSet, all_sets, primary
from ..fragments import (breadcrumbs, chart, collapsed, finding_badges, html_block, link, not_published_note, note,
                         num_cell, pct_cell, row, table, text_cell)
from ..naming import contest_name, election_title, trail, unit_name, unit_url
from ..page import Page
from ..locale import Locale


# Rows of the station table per page: a district's page with a table per ballot stays under ~15
# screens of a phone (and a constituency page in Kazakh, with a venue map's table, under 300 kB).
MAX_STATION_ROWS = 50
# A list longer than this (constituencies) is collapsed to its one-line summary on the unit's page.
COLLAPSE_ROWS = 5


def unit_pages(loc: Locale, data: ElectionData, unit_id: str, extra_top: str = "") -> list[Page]:
    """The unit's page, and for a commission with very many stations, the further parts of its table."""
    extra: list[Page] = []
    page = unit_page(loc, data, unit_id, extra_top, extra)
    return [page] + extra


def unit_page(loc: Locale, data: ElectionData, unit_id: str, extra_top: str = "", extra: list | None = None) -> Page:
    unit = data.units[unit_id]
    url = unit_url(loc, data, unit_id)
    is_root = unit["parent_id"] is None
    title = election_title(loc, data) if is_root else unit_name(loc, unit)
    parts = [f"# {loc.name_html(title, md)}\n\n", html_block(breadcrumbs(loc, url, trail(loc, data, unit_id)))]
    facts = [loc.level(unit["level"])]
    if unit.get("commission"):
        facts.append(loc.commission(unit["commission"]))
    parts.append(html_block(note(h(" · ".join(facts)))))
    parts.append(extra_top)
    parts.append(html_block(finder_box(loc.lang, url, data.election_id)))
    has_charts = False
    shown = 0
    path_ids = {u["unit_id"] for u in data.path(unit_id)}
    grouped = len(data.bodies) > 1 or any(is_constituency(c) for c in data.contests)
    for body, contests in data.contests_by_body():
        if grouped and body is not None and any(data.has_data(c["contest_id"], unit_id) for c in contests):
            parts.append(f"## {loc.name_html(loc.name(body), md)}\n\n")
        constituencies = []
        for contest in contests:
            if not data.has_data(contest["contest_id"], unit_id):
                continue
            if is_constituency(contest):
                constituencies.append(contest)  # each has its own page: listed below
                continue
            if contest["scope_unit_id"] not in path_ids:
                # Contest decided below this unit (e.g. a single-member district): link to its page.
                scope = contest["scope_unit_id"]
                if scope in data.units:
                    parts.append(html_block(note(
                        f"{loc.name_html(contest_name(loc, contest))}: {link(url, unit_url(loc, data, scope), loc.name_html(unit_name(loc, data.units[scope])))}")))
                continue
            section, drew = contest_section(loc, data, contest, unit_id, url, extra if extra is not None else [],
                                            depth=3 if grouped and body is not None else 2)
            parts.append(section)
            has_charts |= drew
            shown += 1
        if constituencies:
            parts.append(f"{'###' if body is not None else '##'} {md(loc.t('single_member_contests'))}\n\n")
            block = constituency_table(loc, data, constituencies, unit_id, url)
            if len(constituencies) > COLLAPSE_ROWS:  # a long list: one line until opened
                block = collapsed(h(loc.t("constituency_list", n=loc.number(len(constituencies)))), block)
            parts.append(html_block(block))
            shown += 1
    notes = [c for c in data.contests if c.get("note") and not _section_shown(data, c, unit_id, path_ids)]
    if notes:  # a contest's note (e.g. what is not in the package yet) on every page of the election
        parts.insert(4, html_block("".join(
            f'<p class="ashyq-contest-note"><strong>{loc.name_html(contest_name(loc, c))}:</strong> '
            f'{data_text(c["note"])}</p>' for c in notes)))
    if shown == 0:
        parts.append(html_block(note(h(loc.t("no_data_here")))))
    parts.append(units_without_results(loc, data, unit_id, url))
    if not any("ashyq-stations-download" in part for part in parts):  # shown beside a station table
        parts.append(stations_download(loc, data, unit_id, url))
    return Page(url=url, title=title, body="".join(parts), charts=has_charts)


def _section_shown(data: ElectionData, contest: dict, unit_id: str, path_ids: set) -> bool:
    """Whether the unit's page has the contest's own section (which carries its note)."""
    return (data.has_data(contest["contest_id"], unit_id) and not is_constituency(contest)
            and contest["scope_unit_id"] in path_ids)


def units_without_results(loc: Locale, data: ElectionData, unit_id: str, url: str) -> str:
    """Units below with nothing published in any contest: still listed (and linked), labelled."""
    kids = [c for c in data.children.get(unit_id, [])
            if not any(data.has_data(contest["contest_id"], c) for contest in data.contests)]
    if not kids:
        return ""
    rows = [row([text_cell(link(url, unit_url(loc, data, k), loc.name_html(unit_name(loc, data.units[k])))),
                 text_cell(h(loc.level(data.units[k]["level"]))),
                 text_cell(h(loc.not_published), attrs=' class="np"')]) for k in kids]
    return (f"## {md(loc.t('units_without_results'))}\n\n"
            + html_block(table([h(loc.t("name")), h(loc.t("level")), h(loc.t("result"))], rows, searchable=False,
                               label=loc.t("units_without_results"))))


def stations_download(loc: Locale, data: ElectionData, unit_id: str, url: str, block: bool = True) -> str:
    """Links to the CSV and Parquet of the protocols and votes of the unit's stations, with sizes
    (every line of every protocol: what the station table leaves to the station pages)."""
    files = data.station_downloads.get(unit_id)
    if not files:
        return ""
    links = []
    for table in ("protocols", "votes"):
        mine = sorted((d for d in files if d.level == table), key=lambda d: d.format != "csv")
        if mine:
            links.append(h(loc.t(f"stations_download_{table}")) + " " + " · ".join(
                link(url, urls.download_file(str(d.path)),
                     f"{h(d.format.upper() if d.format == 'csv' else d.format.title())} ({h(loc.size(d.size))})")
                for d in mine))
    html = (f'<p class="ashyq-stations-download">{h(loc.t("stations_download", links="@@"))}</p>'
            .replace("@@", "; ".join(links)))
    return html_block(html) if block else html


def is_constituency(contest: dict) -> bool:
    """A single-member contest with a constituency number: it has a page of its own."""
    return contest.get("kind") == "single_member" and bool(contest.get("constituency"))


def constituency_table(loc: Locale, data: ElectionData, contests: list[dict], unit_id: str, url: str) -> str:
    """One row per constituency: its stations (here, and in all), its winner or why none can be read."""
    is_root = data.units[unit_id]["parent_id"] is None
    headers = [h(loc.t("constituency")), h(loc.t("stations"))] + ([] if is_root else [h(loc.t("stations")) + " (" + h(loc.t("here")) + ")"])
    headers += [h(loc.t("winner")), h(loc.t("votes")), h(loc.t("share"))]
    rows = []
    for contest in contests:
        cid = contest["contest_id"]
        winner, results = data.winner(cid)
        first = results[0] if results else {}
        listed, published = first.get("stations_listed", 0), first.get("stations_published", 0)
        cells = [text_cell(link(url, urls.contest(loc.lang, data.election_id, cid), loc.name_html(contest_name(loc, contest))),
                           attrs=f' data-sort="{h(_sort_key(contest.get("constituency")))}"'),
                 text_cell(h(loc.t("stations_published_of", n=loc.number(published), total=loc.number(listed))),
                           attrs=f' class="num" data-sort="{listed}"')]
        if not is_root:
            here = sum(1 for s in data.constituency_stations(cid) if unit_id in {u["unit_id"] for u in data.path(s)})
            cells.append(num_cell(loc, here))
        if winner is not None:
            cells += [text_cell(h(_choice_name(loc, data, cid, winner["choice_id"]))), num_cell(loc, winner["votes"]),
                      pct_cell(loc, _share(winner), approximate=True)]
        else:
            cells += [text_cell(h(winner_text(loc, data, contest)), attrs=' class="np"'), num_cell(loc, None), pct_cell(loc, None)]
        rows.append(row(cells))
    return table(headers, rows, numeric_from=1, text_after=len(headers) - 3,
                 label=loc.t("single_member_contests")) + note(h(loc.t("constituency_note")))


def winner_text(loc: Locale, data: ElectionData, contest: dict) -> str:
    """The sentence under a constituency's result: its winner, or why no winner can be read."""
    winner, results = data.winner(contest["contest_id"])
    if not results:
        return loc.not_published
    if winner is not None:
        return loc.t("winner_is", name=_choice_name(loc, data, contest["contest_id"], winner["choice_id"]),
                 votes=loc.number(winner["votes"]), share=loc.percent(_share(winner), True))
    first = results[0]
    if first["stations_published"] < first["stations_listed"]:
        return loc.t("no_winner", missing=first["stations_listed"] - first["stations_published"],
                 total=first["stations_listed"], name=_choice_name(loc, data, contest["contest_id"], first["choice_id"]),
                 votes=loc.number(first["votes"]))
    if sum(1 for r in results if r["place"] == 1) > 1:
        return loc.t("no_winner_tie")
    return loc.t("no_winner_votes")


def _share(result: dict) -> float | None:
    return 100.0 * result["votes"] / result["votes_total"] if result["votes"] is not None and result["votes_total"] else None


def _choice_name(loc: Locale, data: ElectionData, contest_id: str, choice_id: str) -> str:
    return next((loc.name(c) for c in data.choices.get(contest_id, []) if c["choice_id"] == choice_id), choice_id)


def contest_section(loc: Locale, data: ElectionData, contest: dict, unit_id: str, url: str, extra: list,
                    depth: int = 2) -> tuple[str, bool]:
    cid = contest["contest_id"]
    choices = data.choices.get(cid, [])
    sets = all_sets(loc, data, cid, unit_id)
    hx, sub = "#" * depth, "#" * (depth + 1)
    parts = [f"{hx} {loc.name_html(contest_name(loc, contest), md)}\n\n"]
    if contest.get("note"):
        parts.append(html_block(f'<p class="ashyq-contest-note"><strong>{h(loc.t("note"))}:</strong> {data_text(contest["note"])}</p>'))
    drew = False
    main = primary(sets)
    if main is not None and main.has_votes():
        parts.append(f"{sub} {md(loc.t('result'))}\n\n")
        parts.append(html_block(result_block(loc, choices, sets, main)))
        drew = True
    parts.append(f"{sub} {md(loc.t('protocol'))}\n\n")
    parts.append(html_block(protocol_block(loc, sets, data.extra_lines)))
    own_findings = finding_badges(loc, _findings_for(data, unit_id, cid, None))
    if own_findings:
        parts.append(html_block(f"<p>{h(loc.t('findings'))}: {own_findings}</p>"))
    kids = [c for c in data.children.get(unit_id, []) if data.has_data(cid, c)]
    above = [c for c in kids if data.units[c]["level"] != "station"]
    stations = [c for c in kids if data.units[c]["level"] == "station"]
    # A map of the units below where they have polygons (regions), else of the polling venues.
    region_map = maps.region_map(data, contest, above, url, loc) if above else ""
    if region_map:
        parts.append(f"{sub} {md(loc.t('map'))}\n\n" + html_block(region_map))
        drew = True
    else:
        venue_map = maps.venue_map(data, contest, maps.stations_below(data, unit_id), url, data.venues, loc)
        if venue_map:
            parts.append(f"{sub} {md(loc.t('map_venues'))}\n\n" + html_block(venue_map))
            drew = True
    if above:
        level = loc.level(data.units[above[0]]["level"])
        parts.append(f"{sub} {md(loc.t('children_results', level=level))}\n\n")
        block = children_block(loc, data, cid, choices, above, url, leading_first(choices, main))
        parts.append(html_block(block))
        drew |= 'class="ashyq-chart"' in block
    if stations:
        parts.append(f"{sub} {md(loc.t('stations'))}\n\n")
        parts.append(html_block(note(h(loc.t("station_table_note"))) + stations_download(loc, data, unit_id, url, block=False)))
        parts.append(html_block(station_tables(loc, data, contest, leading_first(choices, main), stations, unit_id, url,
                                               extra)))
    reports = data.turnout.get((cid, unit_id), [])
    if reports:
        parts.append(f"{sub} {md(loc.t('turnout_through_day'))}\n\n")
        block = turnout_block(loc, data, reports)
        parts.append(html_block(block))
        drew |= 'class="ashyq-chart"' in block
    elif data.turnout_sums.get((cid, unit_id)):
        parts.append(f"{sub} {md(loc.t('turnout_through_day'))}\n\n")
        block = turnout_sum_block(loc, data, data.turnout_sums[(cid, unit_id)])
        parts.append(html_block(block))
        drew |= 'class="ashyq-chart"' in block
    return "".join(parts), drew


def result_block(loc: Locale, choices: list[dict], sets: list[FigureSet], main: FigureSet) -> str:
    shares = [main.share(c["choice_id"])[0] for c in choices]
    names = [loc.name(c) for c in choices]
    votes = [main.votes.get(c["choice_id"]) for c in choices]
    counted = [(s, c) for s, c in zip(shares, choices) if s is not None]
    summary = loc.t("chart_summary_no_share")  # a chart is never left without a text (role="img" needs one)
    if counted:
        share, leader = max(counted, key=lambda x: x[0])
        summary = loc.t("chart_summary_result", leader=loc.name(leader), share=loc.percent(share), figure=main.label)
    not_computable = [loc.name(c) for s, v, c in zip(shares, votes, choices) if s is None and v is not None]
    if not_computable:
        summary = " ".join(x for x in (summary, loc.t("chart_summary_not_computable", names=", ".join(not_computable))) if x)
    figure = charts.result_bars(loc, names, shares, votes, [c["colour"] for c in choices])
    return chart(figure, summary, result_table(loc, choices, sets))


def result_table(loc: Locale, choices: list[dict], sets: list[FigureSet]) -> str:
    voting = [s for s in sets if s.has_votes()] or sets
    headers = [h(loc.t("choice"))]
    for s in voting:
        headers += [f"{h(s.label)}{_partial_mark(s.partial_note())}<br>{h(loc.t('votes'))}", h(loc.t("share"))]
    diff = _difference_pair(voting)
    if diff:
        headers.append(h(loc.t("difference")))
    rows = []
    for c in choices:
        cells = [text_cell(loc.name_html(loc.name(c)) + (f'<br><small>{data_text(c["affiliation"])}</small>' if c.get("affiliation") else ""))]
        for s in voting:
            cells.append(num_cell(loc, s.votes.get(c["choice_id"]), _partial_mark(s.vote_partial(c["choice_id"]))))
            share, approx = s.share(c["choice_id"])
            cells.append(pct_cell(loc, share, approx))
        if diff:
            a, b = (diff[0].votes.get(c["choice_id"]), diff[1].votes.get(c["choice_id"]))
            cells.append(num_cell(loc, a - b if a is not None and b is not None else None))
        rows.append(row(cells))
    return table(headers, rows, numeric_from=1, label=loc.t("votes_by_choice")) + sources_note(loc, voting) + note(h(loc.t("share_note")))


def leading_first(choices: list[dict], main: FigureSet | None) -> list[dict]:
    """The choices in order of their votes in ``main`` (the unit's result), most first; choices without
    a figure keep their ballot order after them."""
    votes = main.votes if main is not None else {}
    return sorted(choices, key=lambda c: -votes[c["choice_id"]] if votes.get(c["choice_id"]) is not None else 1)


def protocol_block(loc: Locale, sets: list[FigureSet], extra_lines: list[dict] | None = None) -> str:
    """The unit's protocol, one click away: a line of its key figures, the whole table when opened."""
    if not sets:
        return note(h(loc.not_published))
    main = primary(sets)
    facts = []
    if main is not None:
        voters = main.lines.get("voters_on_list")
        turnout = main.turnout_percent if main.turnout_percent is not None else main.computed_turnout()
        if voters is not None:
            facts.append(f"{h(loc.line('voters_on_list'))}: {loc.number(voters)}")
        if turnout is not None:
            facts.append(f"{h(loc.t('turnout_percent'))}: {loc.percent(turnout, main.turnout_percent is None)}")
    summary = h(loc.t("whole_protocol")) + (f" <small>({h(main.label)}: {' · '.join(facts)})</small>" if facts else "")
    return collapsed(summary, protocol_table(loc, sets, extra_lines))


def protocol_table(loc: Locale, sets: list[FigureSet], extra_lines: list[dict] | None = None) -> str:
    """Every line, one column per set of figures. Where a difference is computed, its two sets come
    first and the difference right after the first, so it stays in view on a phone; lines no set
    publishes are named in one note under the table."""
    if not sets:
        return note(h(loc.not_published))
    diff = _difference_pair(sets)
    if diff:
        sets = [diff[0]] + [s for s in sets if s is not diff[0]]
    headers = [h(loc.t("line"))] + [f"{h(s.label)}{_partial_mark(s.partial_note())}" for s in sets]
    if diff:
        headers.insert(2, h(loc.t("difference")) + f"<br><small>{h(diff[0].label)} − {h(diff[1].label)}</small>")

    def cells_with_difference(cells: list[str], difference: str) -> list[str]:
        return cells[:2] + [difference] + cells[2:] if diff else cells

    rows, missing = [], []
    any_derived = False
    for name in contract.line_names():
        if all(s.lines.get(name) is None for s in sets):
            missing.append(loc.line(name))
            continue
        cells = [text_cell(h(loc.line(name)))]
        for s in sets:
            derived = s.derived_note(name)
            any_derived |= bool(derived)
            cells.append(num_cell(loc, s.lines.get(name), _partial_mark(s.line_partial(name)) + derived_mark(derived)))
        difference = ""
        if diff:
            a, b = diff[0].lines.get(name), diff[1].lines.get(name)
            difference = num_cell(loc, a - b if a is not None and b is not None else None)
        rows.append(row(cells_with_difference(cells, difference)))
    for line in extra_lines or []:
        if not any(line["name"] in s.extra for s in sets):
            continue
        cells = [text_cell(loc.name_html(loc.extra_line(line)))]
        cells += [num_cell(loc, s.extra.get(line["name"])) if not s.is_sum else text_cell("") for s in sets]
        rows.append(row(cells_with_difference(cells, text_cell(""))))
    turnout = [text_cell(h(loc.t("turnout_percent")))]
    values = [s.turnout_percent if s.turnout_percent is not None else s.computed_turnout() for s in sets]
    for s, value in zip(sets, values):
        turnout.append(pct_cell(loc, value, approximate=s.turnout_percent is None and value is not None))
    if any(v is not None for v in values):
        rows.append(row(cells_with_difference(turnout, text_cell(""))))
    else:
        missing.append(loc.t("turnout_percent"))
    return (table(headers, rows, sortable=False, label=loc.t("protocol")) + not_published_note(loc, missing) + sources_note(loc, sets)
            + (note(h(loc.t("derived_note"))) if any_derived else ""))


def derived_mark(text: str) -> str:
    """The "derived" mark beside a total the model derived from its parts."""
    return f'<br><small class="ashyq-derived">{h(text)}</small>' if text else ""


def children_block(loc: Locale, data: ElectionData, cid: str, choices: list[dict], kids: list[str], url: str,
                   ordered: list[dict] | None = None) -> str:
    """One row per unit below: its name, voters, turnout and the votes (with shares) of the choices in
    ``ordered`` (leaders first), then the other published lines, its source and findings. A column
    nothing in the table publishes is named in one note instead of filling the row."""
    ordered = ordered or choices
    columns: list[tuple[str, bool]] = [(h(loc.line("voters_on_list")), True), (h(loc.t("turnout_percent")), True)]
    columns += [(loc.name_html(loc.name(c)), True) for c in ordered]
    columns += [(h(loc.line("ballots_issued")), True), (h(loc.line("ballots_valid")), True),
                (h(loc.line("ballots_invalid")), True), (h(loc.t("turnout_last_report")), True),
                (h(loc.t("source")), False)]
    names, share_rows, body = [], [[] for _ in choices], []
    for kid in kids:
        main = primary(all_sets(loc, data, cid, kid))
        name = unit_name(loc, data.units[kid])
        reports = [r for r in data.turnout.get((cid, kid), []) if r["turnout_percent"] is not None]
        last_report = reports[-1]["turnout_percent"] if reports else None
        cells: list[tuple[str, bool]] = []  # (cell, published?)
        if main is None:
            cells += [(num_cell(loc, None), False), (pct_cell(loc, None), False)]
            cells += [(num_cell(loc, None), False) for _ in ordered] + [(num_cell(loc, None), False)] * 3
            cells += [(pct_cell(loc, last_report), last_report is not None),
                      (text_cell(h(loc.not_published), attrs=' class="np"'), False)]
        else:
            voters = main.lines.get("voters_on_list")
            turnout = main.turnout_percent if main.turnout_percent is not None else main.computed_turnout()
            cells.append((num_cell(loc, voters, derived_mark(main.derived_note("voters_on_list"))), voters is not None))
            cells.append((pct_cell(loc, turnout, approximate=main.turnout_percent is None), turnout is not None))
            for c in ordered:
                share, approx = main.share(c["choice_id"])
                extra = f"<br><small>{loc.percent(share, approx)}</small>" if share is not None else ""
                votes = main.votes.get(c["choice_id"])
                cells.append((num_cell(loc, votes, extra), votes is not None))
            for line in ("ballots_issued", "ballots_valid", "ballots_invalid"):
                value = main.lines.get(line)
                cells.append((num_cell(loc, value, derived_mark(main.derived_note(line))), value is not None))
            cells.append((pct_cell(loc, last_report), last_report is not None))
            cells.append((text_cell(h(main.label) + _partial_mark(main.partial_note()), attrs=' class="ashyq-source"'), True))
            shares = [main.share(c["choice_id"])[0] for c in choices]
            if any(share is not None for share in shares):
                names.append(name)
                for i, share in enumerate(shares):
                    share_rows[i].append(share)
        body.append((kid, name, cells))
    shown = [i for i, (_, numeric) in enumerate(columns)
             if not numeric or any(cells[i][1] for _, _, cells in body)]
    missing = [columns[i][0] for i in range(len(columns)) if i not in shown]
    headers = [h(loc.t("name"))] + [columns[i][0] for i in shown] + [h(loc.t("findings"))]
    rows = [row([text_cell(link(url, unit_url(loc, data, kid), loc.name_html(name)))] + [cells[i][0] for i in shown]
                + [findings_cell(loc, _findings_for(data, kid, cid, None))]) for kid, name, cells in body]
    numeric = sum(1 for i in shown if columns[i][1])
    # headers are escaped HTML already: the note lists them as they are
    out = (table(headers, rows, css="ashyq-children", searchable=False, numeric_from=1, text_after=1 + numeric,
                  label=loc.t("children_results", level=loc.level(data.units[kids[0]]["level"])))
           + (note(h(loc.t("not_published_anywhere", lines="@@")).replace("@@", "; ".join(missing))) if missing else ""))
    if not names:
        return out
    summary = loc.t("chart_summary_children", level=loc.level(data.units[kids[0]]["level"]).lower())
    if charts.stack_groups(share_rows)[1]:
        summary += " " + loc.t("chart_summary_others", n=charts.STACK_SHOWN)
    figure = charts.stacked_shares(loc, names, [{"name": loc.name(c), "colour": c["colour"]} for c in choices], share_rows)
    return chart(figure, summary, out)


def station_tables(loc: Locale, data: ElectionData, contest: dict, choices: list[dict], stations: list[str], unit_id: str,
                   url: str, extra: list, page_title: str | None = None,
                   page_trail: list[tuple[str, str]] | None = None) -> str:
    """The station table; past MAX_STATION_ROWS, split into numbered parts on pages of their own
    (under ``url``; titled after the unit, or ``page_title`` with ``page_trail`` for a constituency)."""
    cid = contest["contest_id"]
    chunks, current, rows = [], [], 0
    for station_id in stations:
        n = len(data.protocols.get((cid, station_id), []))
        if current and rows + n > MAX_STATION_ROWS:
            chunks.append(current)
            current, rows = [], 0
        current.append(station_id)
        rows += n
    chunks.append(current)
    if len(chunks) == 1:
        for station_id in stations:
            data.row_pages.setdefault(station_id, urls.build_path(url))
        return station_table(loc, data, cid, choices, stations, url)
    unit = data.units[unit_id]
    part_urls = [url] + [f"{url}{cid}-part-{i + 1}/" for i in range(1, len(chunks))]
    base_title = page_title or unit_name(loc, unit)
    base_trail = page_trail or trail(loc, data, unit_id)
    labels = [f"{data.units[c[0]].get('code') or c[0]}–{data.units[c[-1]].get('code') or c[-1]}" for c in chunks]

    def parts_nav(here: str) -> str:
        items = [h(label) if u == here else link(here, u, h(label)) for u, label in zip(part_urls, labels)]
        return note(h(loc.t("stations")) + ": " + " · ".join(items))

    for chunk, part_url in zip(chunks, part_urls):
        for station_id in chunk:
            data.row_pages.setdefault(station_id, urls.build_path(part_url))
    for i in range(1, len(chunks)):
        part_url = part_urls[i]
        title = f"{base_title} — {loc.t('stations')} {labels[i]}"
        body = (f"# {loc.name_html(title, md)}\n\n" + html_block(breadcrumbs(loc, part_url, base_trail + [(part_url, labels[i])]))
                + f"## {loc.name_html(contest_name(loc, contest), md)}\n\n" + html_block(parts_nav(part_url))
                + html_block(station_table(loc, data, cid, choices, chunks[i], part_url)))
        extra.append(Page(url=part_url, title=title, body=body))
    return parts_nav(url) + station_table(loc, data, cid, choices, chunks[0], url)


def station_table(loc: Locale, data: ElectionData, cid: str, choices: list[dict], stations: list[str], url: str) -> str:
    """One row per station and source: the station (linked to its page, which has every line of the
    protocol), voters, turnout, the votes of each choice in the order given (leaders first) and its
    findings. A column nothing in the table publishes is named in one note instead."""
    protocols = [(s, p) for s in stations for p in data.protocols.get((cid, s), [])]
    several_sources = len({p["source_id"] for _, p in protocols}) > 1

    def votes_of(station_id: str, p: dict) -> dict:
        return data.votes.get((cid, station_id, p["source_id"]), {})

    has_voters = any(p["voters_on_list"] is not None for _, p in protocols)
    has_turnout = any(p.get("turnout_percent") is not None or p.get("turnout_computed") is not None for _, p in protocols)
    shown = [c for c in choices
             if any(votes_of(s, p).get(c["choice_id"], {}).get("votes") is not None for s, p in protocols)]
    headers = [h(loc.t("station"))] + ([h(loc.line("voters_on_list"))] if has_voters else [])
    headers += [h(loc.t("turnout_percent"))] if has_turnout else []
    headers += [loc.name_html(loc.name(c)) for c in shown] + [h(loc.t("findings"))]
    missing = ([] if has_voters else [loc.line("voters_on_list")]) + ([] if has_turnout else [loc.t("turnout_percent")])
    missing += [loc.name(c) for c in choices if c not in shown]
    rows = []
    seen = set()
    for station_id, p in protocols:
        unit = data.units[station_id]
        # The first table a station is in (its station page links there) has the plain anchor; a
        # further contest's table on the same or another page names its contest: no id is used twice.
        base = f"s-{station_id}" if data.row_contests.setdefault(station_id, cid) == cid else f"s-{cid}-{station_id}"
        anchor = base if station_id not in seen else f"{base}-{p['source_id']}"
        seen.add(station_id)
        source = data.sources[p["source_id"]]
        votes = votes_of(station_id, p)
        name = (f'<a href="{h(urls.relative(url, unit_url(loc, data, station_id)))}">'
                f'{loc.name_html(unit_name(loc, unit))}</a>')
        if several_sources:
            name += f"<br><small>{h(loc.source_kind(source['kind']))}</small>"
        cells = [text_cell(name, attrs=f' data-sort="{h(_sort_key(unit.get("code")))}"')]
        figures = len(headers) - 2
        if not p.get("has_figures", True) and figures:  # listed without any figure: said once across the row
            cells.append(text_cell(h(loc.t("listed_not_published")), attrs=f' class="np" colspan="{figures}"'))
            cells.append(findings_cell(loc, _findings_for(data, station_id, cid, p["source_id"])))
            rows.append(row(cells, attrs=f' id="{h(anchor)}"'))
            continue
        if has_voters:
            cells.append(num_cell(loc, p["voters_on_list"], derived_mark(
                loc.t("derived") if p.get("voters_on_list_derived") and p["voters_on_list"] is not None else ""), css=""))
        if has_turnout:
            published = p.get("turnout_percent")
            cells.append(pct_cell(loc, published if published is not None else p.get("turnout_computed"),
                                  approximate=published is None and p.get("turnout_computed") is not None, css=""))
        cells += [num_cell(loc, votes[c["choice_id"]]["votes"] if c["choice_id"] in votes else None, css="")
                  for c in shown]
        cells.append(findings_cell(loc, _findings_for(data, station_id, cid, p["source_id"])))
        rows.append(row(cells, attrs=f' id="{h(anchor)}"'))
    out = table(headers, rows, css="ashyq-stations", searchable=False, numeric_from=1, text_after=len(headers) - 1,
                label=loc.t("stations"))
    listed = sum(1 for _, p in protocols if not p.get("has_figures", True))
    if listed:
        out += note(h(f"{loc.t('protocols_listed_not_published')}: {loc.number(listed)}"))
    return out + not_published_note(loc, missing)


def turnout_block(loc: Locale, data: ElectionData, reports: list[dict]) -> str:
    """The unit's own turnout reports: as published, and recomputed from the counts (≈)."""
    series, rows = [], []
    for source, items in _reports_by_source(data, reports):
        labels = _report_labels(loc, items)
        values = [r["turnout_percent"] if r["turnout_percent"] is not None else r["computed_percent"] for r in items]
        series.append((source["title"], labels, values))
        rows += [row(_report_cells(loc, source, r, label) + [
                     num_cell(loc, r["voters_received_ballot"]), num_cell(loc, r["voters_on_list"]),
                     pct_cell(loc, r["turnout_percent"]), pct_cell(loc, r["computed_percent"], approximate=True)])
                 for r, label in zip(items, labels)]
    headers = [h(loc.t("reported_at")), h(loc.t("source")), h(loc.t("voters_received_ballot")), h(loc.line("voters_on_list")),
               h(loc.t("turnout_percent")), h(loc.t("turnout_percent")) + " (≈)"]
    return _turnout_chart(loc, series, table(headers, rows, numeric_from=2, label=loc.t("turnout_through_day")))


def turnout_sum_block(loc: Locale, data: ElectionData, reports: list[dict]) -> str:
    """Turnout through the day summed over the stations' own reports (no report for the unit itself)."""
    series, rows = [], []
    for source, items in _reports_by_source(data, reports):
        labels = _report_labels(loc, items)
        series.append((source["title"], labels, [r["computed_percent"] for r in items]))
        rows += [row(_report_cells(loc, source, r, label) + [
                     num_cell(loc, r["stations_reporting"]), num_cell(loc, r["voters_received_ballot"]),
                     num_cell(loc, r["voters_on_list"]), pct_cell(loc, r["computed_percent"], approximate=True)])
                 for r, label in zip(items, labels)]
    headers = [h(loc.t("reported_at")), h(loc.t("source")), h(loc.t("stations_reporting")), h(loc.t("voters_received_ballot")),
               h(loc.line("voters_on_list")), h(loc.t("turnout_percent")) + " (≈)"]
    return _turnout_chart(loc, series, table(headers, rows, numeric_from=2, label=loc.t("turnout_through_day"))
                          + note(h(loc.t("turnout_sum_note"))))


def _reports_by_source(data: ElectionData, reports: list[dict]) -> list[tuple[dict, list[dict]]]:
    by_source: dict[str, list[dict]] = {}
    for r in reports:
        by_source.setdefault(r["source_id"], []).append(r)
    return [(data.sources[source_id], items) for source_id, items in by_source.items()]


def _report_cells(loc: Locale, source: dict, report: dict, label: str) -> list[str]:
    """The report time (sorting by the timestamp) and the kind of source."""
    published = f' title="{h(report["label"])}"' if report.get("label") else ""
    return [text_cell(h(label), attrs=f' data-sort="{h(str(report["reported_at"]))}"{published}'),
            text_cell(h(loc.source_kind(source["kind"])), attrs=f' title="{h(source["title"])}"')]


def _turnout_chart(loc: Locale, series: list[tuple], table_html: str) -> str:
    """The curve of the first source beside its table; one report is a number, not a curve."""
    known = [(label, v) for label, v in zip(series[0][1], series[0][2]) if v is not None]
    if len(known) < 2:
        return table_html
    summary = loc.t("chart_summary_turnout", last=loc.percent(known[-1][1]), label=known[-1][0],
                first=loc.percent(known[0][1]), first_label=known[0][0])
    return chart(charts.turnout_lines(loc, series), summary, collapsed(h(loc.t("reports_table")), table_html))


def sources_note(loc: Locale, sets: list[FigureSet]) -> str:
    """Which document each column comes from (headings carry only the kind of source)."""
    seen, items = set(), []
    for s in sets:
        if s.source["source_id"] in seen:
            continue
        seen.add(s.source["source_id"])
        items.append(f"{h(loc.source_kind(s.source['kind']))}: {data_text(s.source['title'])}")
    return note(h(loc.t("sources")) + ": " + "; ".join(items)) if items else ""


def _report_labels(loc: Locale, reports: list[dict]) -> list[str]:
    """Each report's time in the reader's language, with the day when the reports span several."""
    days = {str(r["reported_at"])[:10] for r in reports}
    return [loc.report_time(r["reported_at"], with_date=len(days) > 1) for r in reports]


def _difference_pair(sets: list[FigureSet]) -> tuple[FigureSet, FigureSet] | None:
    """The commission's own official figure and the sum of its official station protocols."""
    own = [s for s in sets if not s.is_sum and s.source["kind"] != "observer_copy"]
    sums = [s for s in sets if s.is_sum and s.source["kind"] == "official"]
    return (own[0], sums[0]) if own and sums else None


def _partial_mark(text: str) -> str:
    return f'<br><small class="ashyq-partial">{h(text)}</small>' if text else ""


def findings_cell(loc: Locale, findings: list[dict]) -> str:
    """The badges of a row's findings, in a cell wide enough that they do not stretch the row."""
    badges = finding_badges(loc, findings)
    return text_cell(badges, attrs=' class="ashyq-findings"') if badges else text_cell("")


def _findings_for(data: ElectionData, unit_id: str, contest_id: str, source_id: str | None) -> list[dict]:
    """Findings of the unit's own protocols in the contest (of one source, or of any when None)."""
    return [f for f in data.findings.get(unit_id, [])
            if f.get("contest_id") in (None, contest_id)
            and (source_id is None or f.get("source_id") in (None, source_id))]


def _sort_key(code) -> str:
    text = "" if code is None else str(code)
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits.zfill(12) if digits and digits == text else text
