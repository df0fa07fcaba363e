"""The Integrity page of an election: every number that does not add up, and the statistical
indicators with their caveats. Its tables are downloadable as CSV next to the page, with the same
columns (``elections/<id>/integrity/findings.csv`` …).

The page stays small on a national election (Russia 2018: 97,699 stations, thousands of findings):
it gives the full counts, and each long list shows its worst ``ROWS_SHOWN`` rows with a link to the
complete CSV; charts are binned, never one point per station."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import plotly.graph_objects as go

from .. import checks
from ..downloads import formula_safe
from ..checks import distributions
from ..checks.registry import BY_ID, CHECKS, TURNOUT_FLAGS
from . import urls
from .data import ElectionData
from .escape import h, md
from .fragments import chart, html_block, link, note, num_cell, row, table, text_cell
from .methodology import check_anchor
from .naming import election_title, unit_name, unit_url
from .page import Page
from .text import source_kind_label

TOP_STATIONS = 25
ROWS_SHOWN = 100  # rows per long list on the page; the CSV next to it has every row
TAIL_ROWS = 50
DENSITY_MAX_POINTS = 4000  # occupied 1-point cells above this: the chart uses 2-point cells (≤ 2,500)
DENSITY_TABLE_BIN = 5  # the density's "Numbers" table in 5-point cells (≤ 400 rows)
STATUS_LABELS = {"failed": "does not add up", "cannot_check": "cannot be checked"}
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


def integrity_url(election_id: str) -> str:
    return f"{urls.election(election_id)}integrity/"


def write_integrity(db, data: ElectionData, docs_dir: Path) -> Page | None:
    """Write the page and its CSV files into the staging docs; returns the page (None when the
    checks stage has not run on this model, e.g. a render-only test)."""
    if not checks_have_run(db):
        return None
    url = integrity_url(data.election_id)
    for name, (table_name, columns) in DOWNLOADS.items():
        rows = _rows(db, table_name, columns, data.election_id)
        path = Path(docs_dir) / url / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(columns, rows))
    page = integrity_page(db, data)
    page.write(docs_dir)
    return page


def checks_have_run(db) -> bool:
    return db.rows("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'check_outcomes'")[0]["n"] > 0


def integrity_page(db, data: ElectionData) -> Page:
    url = integrity_url(data.election_id)
    eid = data.election_id
    parts = [html_block(
        f"<p>{link(url, urls.election(eid), h(election_title(data)))} · "
        f"{link(url, urls.page('methodology'), h('How each check works'))}</p>"
        "<p>" + h("Every protocol is checked against the control ratios of its form. "
                  "“Does not add up” names the numbers; “cannot be checked” means the protocol does not publish "
                  "the lines the check needs (it is never counted as passed). Indicators are worth a look, "
                  "not proof of anything.") + "</p>")]
    parts.append("## Checks\n\n" + html_block(counts_table(db, url, eid)))
    parts.append("## By region (the units just below the top)\n\n" + html_block(region_table(db, data, url)))
    parts.append("## Stations with the most findings\n\n" + html_block(top_stations_table(db, data, url)))
    parts.append("## Findings\n\n" + html_block(findings_table(db, data, url)))
    parts.append("## Tabulation: commission totals against the sum of their stations\n\n"
                 + html_block(tabulation_table(db, data, url)))
    parts.append("## The same protocol from two sources\n\n" + html_block(source_table(db, data, url)))
    increments = increments_chart(db, data)
    parts.append("## Turnout through the day\n\n" + html_block(increments + turnout_flags_table(db, data, url)))
    has_charts = bool(increments)
    parts.append("## By contest\n\n" + html_block(contest_counts_table(db, data, url)))
    for contest in data.contests:
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            continue  # a constituency's few hundred stations: the distributions are drawn for the lists
        block = distribution_block(db, data, contest)
        if block:
            has_charts = True
            parts.append(f"## {md('Distributions over stations — ' + contest['name'])}\n\n" + html_block(block))
    return Page(url=url, title=f"Integrity — {election_title(data)}", body="".join(parts), charts=has_charts)


# ---- tables --------------------------------------------------------------------------------------

def _download(url: str, name: str) -> str:
    return note(link(url, f"{url}{name}.csv", h(f"Download {name}.csv (same columns as this table)")))


def counts_table(db, url: str, election_id: str) -> str:
    counts = {r["check_id"]: r for r in db.rows(
        "SELECT check_id, sum(checked)::BIGINT AS checked, sum(passed)::BIGINT AS passed, "
        "sum(failed)::BIGINT AS failed, sum(cannot_check)::BIGINT AS cannot_check FROM check_counts "
        "WHERE election_id = $e GROUP BY check_id", {"e": election_id})}
    rows = []
    for check in CHECKS:
        c = counts.get(check.id, {})
        title = link(url, f"{urls.page('methodology')}#{check_anchor(check.id)}", h(check.title))
        rows.append(row([text_cell(title), text_cell(f"<code>{h(check.formula)}</code>"), text_cell(h(check.badge)),
                         num_cell(c.get("checked", 0)), num_cell(c.get("passed", 0)), num_cell(c.get("failed", 0)),
                         num_cell(c.get("cannot_check", 0))]))
    return table([h("Check"), h("Formula"), h("Kind"), h("Checked"), h("Passed"), h("Failed / flagged"),
                  h("Cannot be checked")], rows)


def contest_counts_table(db, data: ElectionData, url: str) -> str:
    """Checks run per contest: protocols checked, failed or flagged, and not checkable, per contest."""
    counts = {r["contest_id"]: r for r in db.rows(
        "SELECT contest_id, sum(checked)::BIGINT AS checked, sum(failed)::BIGINT AS failed, "
        "sum(cannot_check)::BIGINT AS cannot_check FROM check_counts WHERE election_id = $e GROUP BY contest_id",
        {"e": data.election_id})}
    rows = []
    for contest in data.contests:
        c = counts.get(contest["contest_id"], {})
        name = h(contest["name"])
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            name = link(url, urls.contest(data.election_id, contest["contest_id"]), name)
        rows.append(row([text_cell(name), num_cell(c.get("checked", 0)), num_cell(c.get("failed", 0)),
                         num_cell(c.get("cannot_check", 0))]))
    return table([h("Contest"), h("Checked"), h("Failed / flagged"), h("Cannot be checked")], rows, numeric_from=1)


def region_table(db, data: ElectionData, url: str) -> str:
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
    for region_id in sorted(regions, key=lambda u: unit_name(data.units[u]) if u in data.units else u):
        unit = data.units.get(region_id)
        name = link(url, unit_url(data, region_id), h(unit_name(unit))) if unit else h(region_id)
        b = regions[region_id]
        out.append(row([text_cell(name), num_cell(b["checked"]), num_cell(b["failed"]), num_cell(b["flagged"]),
                        num_cell(b["cannot"])]))
    if not out:
        return note(h("No unit below the top level has a protocol to check."))
    return table([h("Region"), h("Checks made"), h("Does not add up"), h("Flagged (indicators)"),
                  h("Cannot be checked")], out)


def top_stations_table(db, data: ElectionData, url: str) -> str:
    rows = db.rows(
        "SELECT unit_id, count(*) AS failed, list(DISTINCT check_id ORDER BY check_id) AS check_ids "
        "FROM findings WHERE election_id = $e AND status = 'failed' "
        "AND unit_id IN (SELECT unit_id FROM units WHERE election_id = $e AND level = 'station') "
        "GROUP BY unit_id ORDER BY failed DESC, unit_id LIMIT $n", {"e": data.election_id, "n": TOP_STATIONS})
    if not rows:
        return note(h("No station has a failed check or a flag."))
    out = [row([text_cell(_unit_link(data, url, r["unit_id"])), num_cell(r["failed"]),
                text_cell(", ".join(h(BY_ID[c].title) for c in r["check_ids"]))]) for r in rows]
    return table([h("Station"), h("Findings"), h("Checks")], out)


def findings_table(db, data: ElectionData, url: str) -> str:
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
    out = []
    for r in rows:
        cells = []
        for c in columns:
            value = r[c]
            if c == "unit_id":
                cells.append(text_cell(_unit_link(data, url, value)))
            elif c == "check_id":
                cells.append(text_cell(link(url, f"{urls.page('methodology')}#{check_anchor(value)}", h(value))))
            elif c == "contest_id":  # findings name their contest
                contest = next((x for x in data.contests if x["contest_id"] == value), None)
                cells.append(text_cell(h(contest["name"] if contest else value), attrs=f' title="{h(value)}"'))
            elif c == "status":
                label = BY_ID[r["check_id"]].badge if value == "failed" else STATUS_LABELS.get(value, value)
                cells.append(text_cell(h(label)))
            elif c in ("expected", "actual", "difference"):
                cells.append(num_cell(value))
            else:
                cells.append(text_cell(h(value)))
        out.append(row(cells))
    summary = note(h(f"{totals['failed']:,} findings: a control ratio that does not add up or an indicator "
                     f"that flags (counted per check and per region above). findings.csv has them all, plus the "
                     f"{totals['cannot']:,} checks that cannot be made: {totals['listed']:,} rows."))
    if not out:
        return summary + note(h("Every checked protocol adds up.")) + _download(url, "findings")
    return (summary + _more_note(url, "findings", len(out), totals["failed"],
                                 "control ratios with the largest differences first, then indicators")
            + table([h(c) for c in columns], out) + _download(url, "findings"))


def tabulation_table(db, data: ElectionData, url: str) -> str:
    columns = DOWNLOADS["tabulation_differences"][1]
    total, rows = _worst_rows(db, "tabulation_differences", columns, data.election_id)
    if not rows:
        return note(h("No difference: wherever a commission's own total and the complete sum of its stations "
                      "are both published, they agree (or no such pair is published).")) + _download(url, "tabulation_differences")
    out = [row([text_cell(h(r["contest_id"])), text_cell(_unit_link(data, url, r["unit_id"])), text_cell(h(r["source_id"])),
                text_cell(h(r["field"])), text_cell(h(r["label"])), num_cell(r["own_value"]),
                text_cell(h(r["stations_source_id"])), num_cell(r["sum_value"]), num_cell(r["difference"]),
                num_cell(r["stations"])]) for r in rows]
    return (_more_note(url, "tabulation_differences", len(out), total, "largest differences first")
            + table([h(c) for c in columns], out) + _download(url, "tabulation_differences"))


def source_table(db, data: ElectionData, url: str) -> str:
    columns = DOWNLOADS["source_differences"][1]
    total, rows = _worst_rows(db, "source_differences", columns, data.election_id)
    if not rows:
        return note(h("No protocol is published by two sources with different figures.")) + _download(url, "source_differences")
    out = [row([text_cell(h(r["contest_id"])), text_cell(_unit_link(data, url, r["unit_id"])), text_cell(h(r["field"])),
                text_cell(h(r["label"])), _source_cell(data, r["source_a"]), num_cell(r["value_a"]),
                _source_cell(data, r["source_b"]), num_cell(r["value_b"]), num_cell(r["difference"])],
               ' class="ashyq-differs"') for r in rows]
    return (_more_note(url, "source_differences", len(out), total, "largest differences first")
            + table([h(c) for c in columns], out) + _download(url, "source_differences"))


def turnout_flags_table(db, data: ElectionData, url: str) -> str:
    counts = db.rows("SELECT flag, count(*) AS n FROM turnout_flags WHERE election_id = $e GROUP BY flag ORDER BY flag",
                     {"e": data.election_id})
    intro = "".join(f"<dt>{h(TURNOUT_FLAGS[c['flag']][0])}: {c['n']:,}</dt><dd>{h(TURNOUT_FLAGS[c['flag']][1])}</dd>"
                    for c in counts)
    if not counts:
        return note(h("No turnout flag (or no turnout reports through the day are published).")) + _download(url, "turnout_flags")
    columns = DOWNLOADS["turnout_flags"][1]
    rows = db.rows(
        f"SELECT {', '.join(columns)} FROM turnout_flags WHERE election_id = $e "
        "ORDER BY abs(coalesce(robust_z, 0)) DESC, contest_id, unit_id, source_id, reported_at, flag LIMIT $n",
        {"e": data.election_id, "n": ROWS_SHOWN})
    out = [row([text_cell(h(r["contest_id"])), text_cell(_unit_link(data, url, r["unit_id"])), text_cell(h(r["source_id"])),
                text_cell(h(r["reported_at"])), text_cell(h(r["label"])), text_cell(h(TURNOUT_FLAGS[r["flag"]][0])),
                num_cell(r["value"]), num_cell(r["robust_z"]), text_cell(h(r["detail"]))]) for r in rows]
    shown = _more_note(url, "turnout_flags", len(out), sum(c["n"] for c in counts), "strongest flags first")
    return f"<dl>{intro}</dl>" + shown + table([h(c) for c in columns], out) + _download(url, "turnout_flags")


MAX_CURVES = 30  # above this many units (stations), one line each is unreadable


def increments_chart(db, data: ElectionData) -> str:
    """Turnout gained between consecutive reports, one line per unit (as the Echo observers charted
    it in 2019): a second rise late in the day stands out. Only for a few units (regions)."""
    rows = db.rows(
        "SELECT unit_id, label, reported_at, increment FROM turnout_increments WHERE election_id = $e "
        "AND reports >= 2 ORDER BY unit_id, reported_at", {"e": data.election_id})
    units = sorted({r["unit_id"] for r in rows})
    if not rows or len(units) > MAX_CURVES:
        return ""
    traces, table_rows = [], []
    for unit_id in units:
        points = [r for r in rows if r["unit_id"] == unit_id]
        name = unit_name(data.units[unit_id]) if unit_id in data.units else unit_id
        traces.append(go.Scatter(name=_plotly_text(name), x=[_plotly_text(p["label"]) for p in points],
                                 y=[p["increment"] for p in points], mode="lines+markers",
                                 hovertemplate="%{x}: +%{y:.2f} points<extra>" + _plotly_text(name) + "</extra>"))
        table_rows += [row([text_cell(h(name)), text_cell(h(p["label"])), num_cell(p["increment"])]) for p in points]
    figure = _plain(go.Figure(traces, layout=_layout(xaxis=dict(type="category", title="Report"),
                                                     yaxis=dict(title="Points gained since the previous report"))))
    figure["layout"]["showlegend"] = True
    figure["layout"]["height"] = 420
    return chart(figure, "Turnout gained between reports, per unit (the first report counts from the opening).",
                 _details("Numbers", table([h("Unit"), h("Report"), h("Points gained")], table_rows)))


# ---- distributions -------------------------------------------------------------------------------

def distribution_block(db, data: ElectionData, contest: dict) -> str:
    eid, cid = data.election_id, contest["contest_id"]
    stations = distributions.station_figures(db, eid, cid)
    if stations.filter(stations["turnout"].is_not_null()).height < 20:
        return ""
    caveat = note(h(distributions.CAVEAT))
    histogram = distributions.turnout_histogram(db, eid, cid)
    hist_fig = _plain(go.Figure(go.Bar(x=[r + 0.5 for r in histogram["lower"].to_list()],
                                       y=histogram["stations"].to_list(), width=1.0,
                                       hovertemplate="%{x:.0f} %: %{y} stations<extra></extra>"),
                                layout=_layout(xaxis=dict(title="Turnout, %", range=[0, 100]),
                                               yaxis=dict(title="Stations"))))
    hist_rows = [row([text_cell(f"{r['lower']:.0f}–{r['lower'] + 1:.0f} %"), num_cell(r["stations"]), num_cell(r["voters"])])
                 for r in histogram.to_dicts()]
    parts = [caveat, chart(hist_fig, "Statistical indicator: stations by turnout (1-point bins).",
                           _details("Numbers", table([h("Turnout"), h("Stations"), h("Voters on the list")], hist_rows)))]
    density = distributions.turnout_leader_density(db, eid, cid)
    density_bin = 1
    if density.height > DENSITY_MAX_POINTS:  # a point per occupied cell: bound the chart's size
        density_bin = 2
        density = distributions.turnout_leader_density(db, eid, cid, bin_width=density_bin)
    leader = stations["leader_id"][0] if stations.height else None
    leader_name = next((c["name"] for c in data.choices.get(cid, []) if c["choice_id"] == leader), leader)
    if density.height:
        size = density["stations"].to_list()
        dens_fig = _plain(go.Figure(go.Scatter(
            x=[v + density_bin / 2 for v in density["turnout_lower"].to_list()],
            y=[v + density_bin / 2 for v in density["share_lower"].to_list()],
            mode="markers", marker=dict(size=[min(4 + 2 * s, 24) for s in size], color=size, opacity=0.7),
            hovertemplate="turnout %{x:.0f} %, share %{y:.0f} %<extra></extra>"),
            layout=_layout(xaxis=dict(title="Turnout, %", range=[0, 100]),
                           yaxis=dict(title=f"Share of {_plotly_text(leader_name)}, %", range=[0, 100]))))
        coarse = distributions.turnout_leader_density(db, eid, cid, bin_width=DENSITY_TABLE_BIN)
        step = DENSITY_TABLE_BIN
        dens_rows = [row([text_cell(f"{r['turnout_lower']:.0f}–{r['turnout_lower'] + step:.0f} %"),
                          text_cell(f"{r['share_lower']:.0f}–{r['share_lower'] + step:.0f} %"),
                          num_cell(r["stations"]), num_cell(r["voters"])]) for r in coarse.to_dicts()]
        parts.append(chart(dens_fig, f"Statistical indicator: stations by turnout and by the share of {leader_name} "
                                     f"({density_bin}-point cells; Klimek et al., PNAS 2012). A second cluster towards "
                                     "100 % / 100 % is what that paper reads as a fingerprint of stuffing; it can also "
                                     "be special stations.",
                           _details(f"Numbers ({step}-point cells)",
                                    table([h("Turnout"), h("Share"), h("Stations"), h("Voters")], dens_rows))))
    rounds = distributions.round_percentages(db, eid, cid)
    round_rows = [row([text_cell(h("turnout" if r["measure"] == "turnout" else f"share of {leader_name}")),
                       text_cell(h("whole number (x.0 %)" if r["kind"] == "integer" else "multiple of 5 %")),
                       num_cell(r["stations"]), num_cell(r["observed"]), num_cell(r["expected"]), num_cell(r["ratio"])])
                  for r in rounds.to_dicts()]
    parts.append("<h3>Whole and round percentages</h3>" + note(h(
        "Stations whose percentage is within 0.05 of a whole number (or of a multiple of 5), against the number "
        "expected by chance from each station's own list and turnout (Kobak, Shpilkin & Pshenichnikov 2016). "
        "A ratio well above 1 is an indicator, not proof."))
        + table([h("Measure"), h("Kind"), h("Stations"), h("Observed"), h("Expected by chance"), h("Observed ÷ expected")],
                round_rows, sortable=False))
    tails = distributions.tail_stations(db, eid, cid)
    if tails.height:
        tail_rows = [row([text_cell(_unit_link(data, integrity_url(eid), r["unit_id"])), num_cell(r["voters_on_list"]),
                          num_cell(r["turnout"]), num_cell(r["leader_share"])]) for r in tails.head(TAIL_ROWS).to_dicts()]
        shown = (note(h(f"The {len(tail_rows)} highest turnouts of the {tails.height:,} stations in the tails."))
                 if tails.height > len(tail_rows) else "")
        parts.append("<h3>Stations in the tails (top 1 % of turnout or of the leader's share)</h3>" + shown
                     + table([h("Station"), h("Voters on the list"), h("Turnout, %"), h(f"Share of {leader_name}, %")], tail_rows))
    return "".join(parts)


def _layout(**extra) -> dict:
    return dict(template="none", height=320, margin=dict(l=50, r=10, t=10, b=40), font=dict(size=12),
                showlegend=False, **extra)


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


def _more_note(url: str, name: str, shown: int, total: int, order: str) -> str:
    """"N more in the CSV" under a list cut to its worst rows; nothing when the list is whole."""
    if total <= shown:
        return ""
    return note(h(f"Shown here: {shown:,} of {total:,}, the {order}. {total - shown:,} more in ")
                + link(url, f"{url}{name}.csv", h(f"{name}.csv")) + h(" (every row, same columns)."))


def _unit_link(data: ElectionData, url: str, unit_id: str) -> str:
    unit = data.units.get(unit_id)
    if unit is None:
        return h(unit_id)
    return link(url, unit_url(data, unit_id), h(unit_name(unit)))


def _source_cell(data: ElectionData, source_id: str) -> str:
    """The source's kind as a short label; its full title on hover."""
    source = data.sources.get(source_id)
    if source is None:
        return text_cell(h(source_id))
    return text_cell(f'<span title="{h(source["title"])}">{h(source_kind_label(source["kind"]))}</span>')


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
