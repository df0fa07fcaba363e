"""The Integrity page of an election: every number that does not add up, and the statistical
indicators with their caveats. Its tables are downloadable as CSV (once for every language, the contract's column
names: ``downloads/<id>/integrity/findings.csv`` …); the page says them in the reader's language.

The page stays small on a national election (Russia 2018: 97,699 stations, thousands of findings):
it gives the full counts, and each long list shows its worst ``ROWS_SHOWN`` rows with a link to the
complete CSV; charts are binned, never one point per station."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import plotly.graph_objects as go

from .. import checks, contract
from ..downloads import formula_safe
from ..checks import distributions
from ..checks.registry import BY_ID, CHECKS, turnout_flag_text
from . import charts, urls
from .data import ElectionData
from .escape import h, md
from .findings import check_title, finding_text, status_label
from .fragments import breadcrumbs, chart, html_block, link, note, num_cell, row, table, text_cell
from .locale import Locale
from .methodology import check_anchor
from .naming import contest_name, election_title, unit_name, unit_url
from .page import Page

TOP_STATIONS = 25
# Rows per long list on the page (the Kazakh page of St Petersburg's four ballots stays under 300 kB);
# the CSV next to it has every row.
ROWS_SHOWN = 50
TAIL_ROWS = 50
DENSITY_MAX_POINTS = 4000  # occupied 1-point cells above this: the chart uses 2-point cells (≤ 2,500)
DENSITY_TABLE_BIN = 5  # the density's "Numbers" table in 5-point cells (≤ 400 rows)
DOWNLOADS = {
    "findings": ("findings", checks.FINDINGS_COLUMNS),
    "tabulation_differences": ("tabulation_differences",
                               ("contest_id", "unit_id", "source_id", "field", "label", "own_value",
                                "stations_source_id", "sum_value", "difference", "stations")),
    "source_differences": ("source_differences",
                           ("contest_id", "unit_id", "field", "label", "source_a", "value_a", "source_b", "value_b",
                            "difference")),
    "turnout_flags": ("turnout_flags",
                      ("contest_id", "unit_id", "source_id", "reported_at", "label", "flag", "value", "robust_z",
                       "detail")),
}


def write_integrity_csvs(db, election_id: str, site_dir: Path) -> bool:
    """Write the integrity tables as CSV (once, language-neutral, the contract's column names) into
    the site; False when the checks stage has not run on this model (e.g. a render-only test)."""
    if not checks_have_run(db):
        return False
    for name, (table_name, columns) in DOWNLOADS.items():
        rows = _rows(db, table_name, columns, election_id)
        path = Path(site_dir) / urls.integrity_csv(election_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(columns, rows))
    return True


def checks_have_run(db) -> bool:
    return db.rows("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'check_outcomes'")[0]["n"] > 0


def integrity_page(loc: Locale, db, data: ElectionData) -> Page:
    eid = data.election_id
    url = urls.integrity(loc.lang, eid)
    title = election_title(loc, data)
    parts = [html_block(
        breadcrumbs(loc, url, [(urls.home(loc.lang), loc.t("elections")), (urls.election(loc.lang, eid), title),
                               (url, loc.t("integrity"))])
        + f"<p>{link(url, urls.page(loc.lang, 'methodology'), h(loc.t('how_checks_work')))}</p>"
        "<p>" + h(loc.t("integrity_intro")) + "</p>")]
    parts.append(f"## {md(loc.t('checks'))}\n\n" + html_block(counts_table(loc, db, url, eid)))
    parts.append(f"## {md(loc.t('by_region'))}\n\n" + html_block(region_table(loc, db, data, url)))
    parts.append(f"## {md(loc.t('top_stations'))}\n\n" + html_block(top_stations_table(loc, db, data, url)))
    parts.append(f"## {md(loc.t('findings'))}\n\n" + html_block(findings_table(loc, db, data, url)))
    parts.append(f"## {md(loc.t('tabulation_heading'))}\n\n" + html_block(tabulation_table(loc, db, data, url)))
    parts.append(f"## {md(loc.t('two_sources_heading'))}\n\n" + html_block(source_table(loc, db, data, url)))
    increments = increments_chart(loc, db, data)
    parts.append(f"## {md(loc.t('turnout_through_day'))}\n\n"
                 + html_block(increments + turnout_flags_table(loc, db, data, url)))
    has_charts = bool(increments)
    parts.append(f"## {md(loc.t('by_contest'))}\n\n" + html_block(contest_counts_table(loc, db, data, url)))
    for contest in data.contests:
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            continue  # a constituency's few hundred stations: the distributions are drawn for the lists
        block = distribution_block(loc, db, data, contest)
        if block:
            has_charts = True
            parts.append(f"## {md(loc.t('distributions_heading', contest=contest_name(loc, contest)))}\n\n"
                         + html_block(block))
    return Page(url=url, title=f"{loc.t('integrity')} — {title}", body="".join(parts), charts=has_charts)


# ---- tables --------------------------------------------------------------------------------------

def _download(loc: Locale, url: str, election_id: str, name: str) -> str:
    return note(h(loc.t("download_csv")) + " " + link(url, urls.integrity_csv(election_id, name),
                                                      f"<code>{h(name)}.csv</code>"))


def counts_table(loc: Locale, db, url: str, election_id: str) -> str:
    counts = {r["check_id"]: r for r in db.rows(
        "SELECT check_id, sum(checked)::BIGINT AS checked, sum(passed)::BIGINT AS passed, "
        "sum(failed)::BIGINT AS failed, sum(cannot_check)::BIGINT AS cannot_check FROM check_counts "
        "WHERE election_id = $e GROUP BY check_id", {"e": election_id})}
    rows = []
    for check in CHECKS:
        c = counts.get(check.id, {})
        title = link(url, f"{urls.page(loc.lang, 'methodology')}#{check_anchor(check.id)}", h(check.title_in(loc.lang)))
        rows.append(row([text_cell(title), text_cell(f'<code lang="en">{h(check.formula)}</code>'),
                         text_cell(h(loc.t(f"badge_{check.kind}"))),
                         num_cell(loc, c.get("checked", 0)), num_cell(loc, c.get("passed", 0)), num_cell(loc, c.get("failed", 0)),
                         num_cell(loc, c.get("cannot_check", 0))]))
    return table([h(loc.t(k)) for k in ("check", "formula", "kind", "checked", "passed", "failed_or_flagged",
                                        "cannot_be_checked")], rows)


def contest_counts_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """Checks run per contest: protocols checked, failed or flagged, and not checkable, per contest."""
    counts = {r["contest_id"]: r for r in db.rows(
        "SELECT contest_id, sum(checked)::BIGINT AS checked, sum(failed)::BIGINT AS failed, "
        "sum(cannot_check)::BIGINT AS cannot_check FROM check_counts WHERE election_id = $e GROUP BY contest_id",
        {"e": data.election_id})}
    rows = []
    for contest in data.contests:
        c = counts.get(contest["contest_id"], {})
        name = loc.name_html(contest_name(loc, contest))
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            name = link(url, urls.contest(loc.lang, data.election_id, contest["contest_id"]), name)
        rows.append(row([text_cell(name), num_cell(loc, c.get("checked", 0)), num_cell(loc, c.get("failed", 0)),
                         num_cell(loc, c.get("cannot_check", 0))]))
    return table([h(loc.t(k)) for k in ("contest", "checked", "failed_or_flagged", "cannot_be_checked")], rows,
                 numeric_from=1)


def region_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """Failed control ratios, flagged indicators and uncheckable protocols per top-level region."""
    rows = db.rows(
        "SELECT t.path[2] AS region, o.check_id, o.status, count(*) AS n FROM check_outcomes o "
        "JOIN unit_tree t USING (election_id, unit_id) WHERE o.election_id = $e AND len(t.path) >= 2 "
        "GROUP BY ALL", {"e": data.election_id})
    regions: dict[str, dict] = {}
    for r in rows:
        kind = BY_ID[r["check_id"]].kind
        bucket = regions.setdefault(r["region"], {"checked": 0, "failed": 0, "flagged": 0, "cannot": 0})
        if r["status"] == "cannot_check":
            bucket["cannot"] += r["n"]
            continue
        bucket["checked"] += r["n"]
        if r["status"] == "failed":
            bucket["flagged" if kind == "indicator" else "failed"] += r["n"]
    out = []
    for region_id in sorted(regions, key=lambda u: unit_name(loc, data.units[u]) if u in data.units else u):
        name = _unit_link(loc, data, url, region_id)
        b = regions[region_id]
        out.append(row([text_cell(name), num_cell(loc, b["checked"]), num_cell(loc, b["failed"]), num_cell(loc, b["flagged"]),
                        num_cell(loc, b["cannot"])]))
    if not out:
        return note(h(loc.t("no_region_to_check")))
    return table([h(loc.t(k)) for k in ("region", "checks_made", "does_not_add_up", "flagged_indicators",
                                        "cannot_be_checked")], out)


def top_stations_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    rows = db.rows(
        "SELECT unit_id, count(*) AS failed, list(DISTINCT check_id ORDER BY check_id) AS check_ids "
        "FROM findings WHERE election_id = $e AND status = 'failed' "
        "AND unit_id IN (SELECT unit_id FROM units WHERE election_id = $e AND level = 'station') "
        "GROUP BY unit_id ORDER BY failed DESC, unit_id LIMIT $n", {"e": data.election_id, "n": TOP_STATIONS})
    if not rows:
        return note(h(loc.t("no_station_findings")))
    out = [row([text_cell(_unit_link(loc, data, url, r["unit_id"])), num_cell(loc, r["failed"]),
                text_cell(", ".join(h(BY_ID[c].title_in(loc.lang)) for c in r["check_ids"]))]) for r in rows]
    return table([h(loc.t("station")), h(loc.t("findings")), h(loc.t("checks"))], out)


def findings_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """The failed checks and flags, worst first (control ratios by the size of the difference, then
    indicators), with the columns of findings.csv; the CSV lists every one of them and the
    cannot-be-checked rows too."""
    eid = data.election_id
    columns = checks.FINDINGS_COLUMNS
    totals = db.rows("SELECT count(*) FILTER (WHERE status = 'failed') AS failed, "
                     "count(*) FILTER (WHERE status = 'cannot_check') AS cannot, count(*) AS listed "
                     "FROM findings WHERE election_id = $e", {"e": eid})[0]
    rows = db.rows(
        f"SELECT {', '.join(columns)} FROM findings WHERE election_id = $e AND status = 'failed' "
        "ORDER BY list_contains($later, check_id), abs(difference) DESC NULLS LAST, "
        "contest_id, unit_id, source_id, check_id LIMIT $n",
        {"e": eid, "later": [c.id for c in CHECKS if c.kind != "control_ratio"], "n": ROWS_SHOWN})
    shown = [c for c in columns if c not in HIDDEN_ON_PAGE]
    out = [row([_cell(loc, data, url, c, r) for c in shown]
               + [text_cell(h(finding_text(loc, r)))]) for r in rows]
    summary = note(h(loc.t("findings_summary", failed=loc.number(totals["failed"]), cannot=loc.number(totals["cannot"]),
                           listed=loc.number(totals["listed"]))))
    if not out:
        return summary + note(h(loc.t("every_protocol_adds_up"))) + _download(loc, url, eid, "findings")
    return (summary + _more_note(loc, url, eid, "findings", len(out), totals["failed"], loc.t("order_findings"))
            + table(_headers(loc, shown + ["detail"]), out) + _download(loc, url, eid, "findings"))


def tabulation_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    return _differences_table(loc, db, data, url, "tabulation_differences", "no_tabulation_difference", "")


def source_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    return _differences_table(loc, db, data, url, "source_differences", "no_source_difference", ' class="ashyq-differs"')


def _differences_table(loc: Locale, db, data: ElectionData, url: str, name: str, none_key: str, row_attrs: str) -> str:
    columns = DOWNLOADS[name][1]
    eid = data.election_id
    total, rows = _worst_rows(db, name, columns, eid)
    if not rows:
        return note(h(loc.t(none_key))) + _download(loc, url, eid, name)
    shown = [c for c in columns if c not in HIDDEN_ON_PAGE]
    out = [row([_cell(loc, data, url, c, r) for c in shown], row_attrs) for r in rows]
    return (_more_note(loc, url, eid, name, len(out), total, loc.t("order_differences"))
            + table(_headers(loc, shown), out) + _download(loc, url, eid, name))


def turnout_flags_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    eid = data.election_id
    counts = db.rows("SELECT flag, count(*) AS n FROM turnout_flags WHERE election_id = $e GROUP BY flag ORDER BY flag",
                     {"e": eid})
    intro = "".join(f"<dt>{h(turnout_flag_text(c['flag'], loc.lang)[0])}: {loc.number(c['n'])}</dt>"
                    f"<dd>{h(turnout_flag_text(c['flag'], loc.lang)[1])}</dd>" for c in counts)
    if not counts:
        return note(h(loc.t("no_turnout_flag"))) + _download(loc, url, eid, "turnout_flags")
    columns = DOWNLOADS["turnout_flags"][1]
    rows = db.rows(
        f"SELECT {', '.join(columns)} FROM turnout_flags WHERE election_id = $e "
        "ORDER BY abs(coalesce(robust_z, 0)) DESC, contest_id, unit_id, source_id, reported_at, flag LIMIT $n",
        {"e": eid, "n": ROWS_SHOWN})
    shown_columns = [c for c in columns if c not in HIDDEN_ON_PAGE]
    out = [row([_cell(loc, data, url, c, r) for c in shown_columns]) for r in rows]
    shown = _more_note(loc, url, eid, "turnout_flags", len(out), sum(c["n"] for c in counts), loc.t("order_flags"))
    return (f"<dl>{intro}</dl>" + shown + table(_headers(loc, shown_columns), out)
            + _download(loc, url, eid, "turnout_flags"))


# Columns of the CSVs the page leaves out: the election (it is the page's), the English label and
# detail (the page says them in the reader's language).
HIDDEN_ON_PAGE = ("election_id", "label", "detail")
SOURCE_COLUMNS = ("source_id", "source_a", "source_b", "stations_source_id")


def _headers(loc: Locale, columns: list[str]) -> list[str]:
    return [h(loc.t(f"col_{c}")) for c in columns]


def _cell(loc: Locale, data: ElectionData, url: str, column: str, r: dict) -> str:
    """One cell of an integrity table in the reader's language (the CSV keeps the identifiers)."""
    value = r[column]
    if column == "unit_id":
        return text_cell(_unit_link(loc, data, url, value))
    if column == "contest_id":
        contest = next((c for c in data.contests if c["contest_id"] == value), None)
        return text_cell(loc.name_html(contest_name(loc, contest)) if contest else h(value), attrs=f' title="{h(value)}"')
    if column in SOURCE_COLUMNS:
        return _source_cell(loc, data, value)
    if column == "check_id":
        return text_cell(link(url, f"{urls.page(loc.lang, 'methodology')}#{check_anchor(value)}",
                              h(check_title(loc, value))))
    if column == "status":
        return text_cell(h(status_label(loc, value, r.get("check_id"))))
    if column == "field":
        return text_cell(h(_field_label(loc, data, value)))
    if column == "flag":
        return text_cell(h(turnout_flag_text(value, loc.lang)[0]))
    if column == "reported_at":
        return text_cell(h(loc.report_time(value, with_date=True)), attrs=f' data-sort="{h(value)}"')
    if isinstance(value, (int, float)) or value is None:
        return num_cell(loc, value)
    return text_cell(h(value))


def _field_label(loc: Locale, data: ElectionData, field: str) -> str:
    """A protocol line, or a choice's votes ("votes:<choice>")."""
    if field in contract.line_names():
        return loc.line(field)
    kind, _, choice_id = field.partition(":")
    for choices in data.choices.values():
        for choice in choices:
            if choice["choice_id"] == choice_id:
                return loc.t("votes_of", choice=loc.name(choice))
    return field


MAX_CURVES = 30  # above this many units (stations), one line each is unreadable


def increments_chart(loc: Locale, db, data: ElectionData) -> str:
    """Turnout gained between consecutive reports, one line per unit (as the Echo observers charted
    it in 2019): a second rise late in the day stands out. Only for a few units (regions)."""
    rows = db.rows(
        "SELECT unit_id, label, reported_at, increment FROM turnout_increments WHERE election_id = $e "
        "AND reports >= 2 ORDER BY unit_id, reported_at", {"e": data.election_id})
    units = sorted({r["unit_id"] for r in rows})
    if not rows or len(units) > MAX_CURVES:
        return ""
    traces, table_rows = [], []
    days = {str(r["reported_at"])[:10] for r in rows}
    for unit_id in units:
        points = [r for r in rows if r["unit_id"] == unit_id]
        name = unit_name(loc, data.units[unit_id]) if unit_id in data.units else unit_id
        times = [loc.report_time(p["reported_at"], with_date=len(days) > 1) for p in points]
        traces.append(go.Scatter(name=_plotly_text(name), x=[_plotly_text(x) for x in times],
                                 y=[p["increment"] for p in points], mode="lines+markers",
                                 hovertemplate="%{x}: +%{y:.2f}<extra>" + _plotly_text(name) + "</extra>"))
        table_rows += [row([text_cell(loc.name_html(name)), text_cell(h(x)), num_cell(loc, p["increment"])])
                       for p, x in zip(points, times)]
    figure = _plain(go.Figure(traces, layout=_layout(loc, xaxis=dict(type="category", title=loc.t("report")),
                                                     yaxis=dict(title=loc.t("points_gained")))))
    figure["layout"]["showlegend"] = True
    figure["layout"]["height"] = 420
    return chart(figure, loc.t("increments_summary"),
                 _details(loc.t("numbers"), table([h(loc.t("unit")), h(loc.t("report")), h(loc.t("points_gained"))],
                                                  table_rows)))


# ---- distributions -------------------------------------------------------------------------------

def distribution_block(loc: Locale, db, data: ElectionData, contest: dict) -> str:
    eid, cid = data.election_id, contest["contest_id"]
    stations = distributions.station_figures(db, eid, cid)
    if stations.filter(stations["turnout"].is_not_null()).height < 20:
        return ""
    caveat = note(h(loc.t("caveat")))
    turnout_axis, stations_label = loc.t("turnout_percent"), loc.t("stations")
    histogram = distributions.turnout_histogram(db, eid, cid)
    hist_fig = _plain(go.Figure(go.Bar(x=[r + 0.5 for r in histogram["lower"].to_list()],
                                       y=histogram["stations"].to_list(), width=1.0,
                                       hovertemplate="%{x:.0f} %: %{y}<extra></extra>"),
                                layout=_layout(loc, xaxis=dict(title=turnout_axis, range=[0, 100]),
                                               yaxis=dict(title=stations_label))))
    hist_rows = [row([text_cell(h(loc.percent_range(r["lower"], r["lower"] + 1))), num_cell(loc, r["stations"]),
                      num_cell(loc, r["voters"])]) for r in histogram.to_dicts()]
    parts = [caveat, chart(hist_fig, loc.t("histogram_summary"),
                           _details(loc.t("numbers"), table([h(loc.t("turnout")), h(stations_label),
                                                             h(loc.t("voters_on_list"))], hist_rows)))]
    density = distributions.turnout_leader_density(db, eid, cid)
    density_bin = 1
    if density.height > DENSITY_MAX_POINTS:  # a point per occupied cell: bound the chart's size
        density_bin = 2
        density = distributions.turnout_leader_density(db, eid, cid, bin_width=density_bin)
    leader = stations["leader_id"][0] if stations.height else None
    leader_name = next((loc.name(c) for c in data.choices.get(cid, []) if c["choice_id"] == leader), leader)
    share_axis = loc.t("share_of_leader", name=leader_name)
    if density.height:
        size = density["stations"].to_list()
        dens_fig = _plain(go.Figure(go.Scatter(
            x=[v + density_bin / 2 for v in density["turnout_lower"].to_list()],
            y=[v + density_bin / 2 for v in density["share_lower"].to_list()],
            mode="markers", marker=dict(size=[min(4 + 2 * s, 24) for s in size], color=size, opacity=0.7),
            hovertemplate="%{x:.0f} %, %{y:.0f} %<extra></extra>"),
            layout=_layout(loc, xaxis=dict(title=turnout_axis, range=[0, 100]),
                           yaxis=dict(title=_plotly_text(share_axis), range=[0, 100]))))
        coarse = distributions.turnout_leader_density(db, eid, cid, bin_width=DENSITY_TABLE_BIN)
        step = DENSITY_TABLE_BIN
        dens_rows = [row([text_cell(h(loc.percent_range(r["turnout_lower"], r["turnout_lower"] + step))),
                          text_cell(h(loc.percent_range(r["share_lower"], r["share_lower"] + step))),
                          num_cell(loc, r["stations"]), num_cell(loc, r["voters"])]) for r in coarse.to_dicts()]
        parts.append(chart(dens_fig, loc.t("density_summary", name=leader_name, step=density_bin),
                           _details(loc.t("numbers_cells", step=step),
                                    table([h(loc.t("turnout")), h(loc.t("share")), h(stations_label),
                                           h(loc.t("voters"))], dens_rows))))
    rounds = distributions.round_percentages(db, eid, cid)
    round_rows = [row([text_cell(h(loc.t("turnout") if r["measure"] == "turnout"
                                   else loc.t("share_of_name", name=leader_name))),
                       text_cell(h(loc.t("whole_number") if r["kind"] == "integer" else loc.t("multiple_of_5"))),
                       num_cell(loc, r["stations"]), num_cell(loc, r["observed"]), num_cell(loc, r["expected"]),
                       num_cell(loc, r["ratio"])])
                  for r in rounds.to_dicts()]
    parts.append(f"<h3>{h(loc.t('round_heading'))}</h3>" + note(h(loc.t("round_note")))
                 + table([h(loc.t(k)) for k in ("measure", "kind", "stations", "observed", "expected_by_chance",
                                                 "observed_to_expected")], round_rows, sortable=False))
    tails = distributions.tail_stations(db, eid, cid)
    if tails.height:
        page_url = urls.integrity(loc.lang, eid)
        tail_rows = [row([text_cell(_unit_link(loc, data, page_url, r["unit_id"])), num_cell(loc, r["voters_on_list"]),
                          num_cell(loc, r["turnout"]), num_cell(loc, r["leader_share"])])
                     for r in tails.head(TAIL_ROWS).to_dicts()]
        shown = (note(h(loc.t("tails_shown", n=loc.number(len(tail_rows)), total=loc.number(tails.height))))
                 if tails.height > len(tail_rows) else "")
        parts.append(f"<h3>{h(loc.t('tails_heading'))}</h3>" + shown
                     + table([h(loc.t("station")), h(loc.t("voters_on_list")), h(loc.t("turnout_percent")),
                              h(share_axis)], tail_rows))
    return "".join(parts)


def _layout(loc: Locale, **extra) -> dict:
    return dict(template="none", height=320, margin=dict(l=50, r=10, t=10, b=40), font=dict(size=12),
                showlegend=False, separators=charts.separators(loc), **extra)


def _plain(figure: go.Figure) -> dict:
    out = figure.to_plotly_json()
    out["layout"].pop("template", None)
    return {"data": out["data"], "layout": out["layout"]}


def _plotly_text(text) -> str:
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "% {")


def _details(summary: str, inner: str) -> str:
    return f"<details><summary>{h(summary)}</summary>{inner}</details>"


# ---- helpers -------------------------------------------------------------------------------------

def _rows(db, table_name: str, columns, election_id: str, where: str = "true") -> list[dict]:
    return db.rows(f"SELECT {', '.join(columns)} FROM {table_name} WHERE election_id = $e AND {where}",
                   {"e": election_id})


def _worst_rows(db, table_name: str, columns, election_id: str) -> tuple[int, list[dict]]:
    """(how many rows the table has for the election, its ROWS_SHOWN largest differences)."""
    total = db.rows(f"SELECT count(*) AS n FROM {table_name} WHERE election_id = $e", {"e": election_id})[0]["n"]
    rows = db.rows(f"SELECT {', '.join(columns)} FROM {table_name} WHERE election_id = $e "
                   f"ORDER BY abs(difference) DESC NULLS LAST, {', '.join(columns)} LIMIT $n",
                   {"e": election_id, "n": ROWS_SHOWN})
    return total, rows


def _more_note(loc: Locale, url: str, election_id: str, name: str, shown: int, total: int, order: str) -> str:
    """"N more in the CSV" under a list cut to its worst rows; nothing when the list is whole."""
    if total <= shown:
        return ""
    return note(h(loc.t("shown_of", shown=loc.number(shown), total=loc.number(total), order=order,
                        more=loc.number(total - shown)))
                + link(url, urls.integrity_csv(election_id, name), f"<code>{h(name)}.csv</code>")
                + h(loc.t("shown_of_end")))


def _unit_link(loc: Locale, data: ElectionData, url: str, unit_id: str) -> str:
    unit = data.units.get(unit_id)
    if unit is None:
        return h(unit_id)
    return link(url, unit_url(loc, data, unit_id), loc.name_html(unit_name(loc, unit)))


def _source_cell(loc: Locale, data: ElectionData, source_id: str) -> str:
    """The source's kind as a short label; its full title on hover."""
    source = data.sources.get(source_id)
    if source is None:
        return text_cell(h(source_id))
    return text_cell(f'<span title="{h(source["title"])}">{h(loc.source_kind(source["kind"]))}</span>',
                     attrs=f' data-sort="{h(source_id)}"')


def csv_bytes(columns, rows: list[dict]) -> bytes:
    """UTF-8 with BOM (spreadsheets open it right); text cells that a spreadsheet would run as a
    formula get a leading apostrophe (the downloads' rule)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_safe_cell(r[c]) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 4))
    if isinstance(value, (int,)):
        return str(value)
    return formula_safe(str(value))
