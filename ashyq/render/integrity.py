"""The Integrity page of an election: every number that does not add up, and the statistical
indicators with their caveats. Its tables are downloadable as CSV (once for every language, the contract's column
names: ``downloads/<id>/integrity/findings.csv`` …); the page says them in the reader's language.

The page stays small on a national election (Russia 2018: 97,699 stations, thousands of findings):
it gives the full counts, and each long list shows its worst ``ROWS_SHOWN`` rows with a link to the
complete CSV; charts are binned, never one point per station."""
from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from .. import checks, contract
from ..downloads import formula_safe
from ..checks import distributions
from ..checks.registry import BY_ID, CHECKS, TURNOUT_FLAGS, turnout_flag_text
from . import charts, urls
from .data import ElectionData
from .escape import h, md
from .findings import (finding_sentence, source_sentence, tabulation_sentence,
                       turnout_flag_sentence)
from .fragments import breadcrumbs, chart, html_block, link, note, num_cell, row, table, text_cell
from .locale import Locale
from .methodology import check_anchor
from .naming import contest_name, election_title, unit_name, unit_url
from .page import Page

TOP_STATIONS = 25
# Rows per group of findings on the page: the first ROWS_OPEN open, the rest up to ROWS_SHOWN folded
# under "N more" (the page within ~15 phone screens and 300 kB); the CSV next to it has every row.
ROWS_OPEN = 3
ROWS_SHOWN = 25
TAIL_ROWS = 50
DENSITY_MIN_STATIONS = 20  # stations with a turnout: fewer draw no distributions
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
    if not checks.have_run(db):
        return False
    for name, (table_name, columns) in DOWNLOADS.items():
        rows = db.con.execute(f"SELECT {', '.join(columns)} FROM {table_name} WHERE election_id = $e",
                              {"e": election_id}).fetchall()  # tuples: ~300,000 findings at national scale
        path = Path(site_dir) / urls.integrity_csv(election_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(columns, rows))
    return True


def integrity_page(loc: Locale, db, data: ElectionData) -> Page:
    """First what was checked (the headline), then the findings as sentences grouped by check, the
    differences between levels and sources, turnout through the day, the per-check, per-region and
    per-contest counts, and the distributions. Long lists show their first rows, a few more behind
    "N more", and link the CSV that has every row: the page stays within ~15 phone screens."""
    eid = data.election_id
    url = urls.integrity(loc.lang, eid)
    title = election_title(loc, data)
    parts = [html_block(
        breadcrumbs(loc, url, [(urls.home(loc.lang), loc.t("elections")), (urls.election(loc.lang, eid), title),
                               (url, loc.t("integrity"))])
        + headline_block(loc, integrity_headline(db, eid))
        + f"<p>{link(url, urls.page(loc.lang, 'methodology'), h(loc.t('how_checks_work')))}</p>"
        "<p>" + h(loc.t("integrity_intro")) + "</p>")]
    parts.append(f"## {md(loc.t('checks'))}\n\n" + html_block(counts_table(loc, db, url, eid)))
    parts.append(f"## {md(loc.t('findings_by_check'))}\n\n" + html_block(finding_groups(loc, db, data, url)))
    parts.append(f"## {md(loc.t('tabulation_heading'))}\n\n" + html_block(tabulation_table(loc, db, data, url)))
    parts.append(f"## {md(loc.t('two_sources_heading'))}\n\n" + html_block(source_table(loc, db, data, url)))
    increments = increments_chart(loc, db, data)
    parts.append(f"## {md(loc.t('turnout_through_day'))}\n\n"
                 + html_block(increments + turnout_flags_table(loc, db, data, url)))
    has_charts = bool(increments)
    parts.append(f"## {md(loc.t('more_tables'))}\n\n" + html_block(
        _details(loc.t("by_region"), region_table(loc, db, data, url))
        + _details(loc.t("top_stations"), top_stations_table(loc, db, data, url))
        + _details(loc.t("by_contest"), contest_counts_table(loc, db, data, url))))
    for contest in data.contests:
        if contest.get("kind") == "single_member" and contest.get("constituency"):
            continue  # a constituency's few hundred stations: the distributions are drawn for the lists
        block = distribution_block(loc, db, data, contest)
        if block:
            has_charts = True
            parts.append(f"## {md(loc.t('distributions_heading', contest=contest_name(loc, contest)))}\n\n"
                         + html_block(block))
    return Page(url=url, title=f"{loc.t('integrity')} — {title}", body="".join(parts), charts=has_charts)


# ---- what was checked ----------------------------------------------------------------------------

def integrity_headline(db, election_id: str) -> dict:
    """Checks made, cannot be made, failed, flagged; differences between sources and levels; turnout
    flags (sql/queries.sql, integrity_headline)."""
    indicators = [c.id for c in CHECKS if c.kind == "indicator"]
    return db.named("integrity_headline", election_id=election_id, indicators=indicators)[0]


def headline_block(loc: Locale, counts: dict) -> str:
    """The first lines of the page: what was checked, in counts, and one verdict that never says
    "adds up" when most checks could not be made."""
    items = [("made", "hl_made"), ("cannot", "hl_cannot"), ("failed", "hl_failed"), ("flagged", "hl_flagged"),
             ("source_differences", "hl_sources"), ("tabulation_differences", "hl_tabulation"),
             ("turnout_flags", "hl_turnout_flags")]
    lines = "".join(f'<li data-count="{key}"><strong>{loc.number(counts[key])}</strong> {h(loc.t(label))}</li>'
                    for key, label in items)
    return (f'<section class="ashyq-headline" aria-label="{h(loc.t("headline_label"))}"><ul>{lines}</ul>'
            f"<p>{h(headline_verdict(loc, counts))}</p></section>")


def headline_verdict(loc: Locale, counts: dict) -> str:
    made, cannot = counts["made"], counts["cannot"]
    if made == 0:
        return loc.t("verdict_none_made")
    said = []
    if cannot > made:
        said.append(loc.t("verdict_mostly_unchecked", cannot=loc.number(cannot), total=loc.number(made + cannot),
                          made=loc.number(made)))
    if counts["failed"] or counts["flagged"]:
        said.append(loc.t("verdict_failed"))
    elif cannot <= made:
        said.append(loc.t("verdict_all_passed"))
    return " ".join(said)


def integrity_link_text(loc: Locale, counts: dict) -> str:
    """The election page's line about its Integrity page: what was checked, in counts."""
    return loc.t("integrity_link", made=loc.number(counts["made"]), failed=loc.number(counts["failed"]),
                 cannot=loc.number(counts["cannot"]), differ=loc.number(counts["source_differences"]))


# ---- findings as sentences, grouped by check -----------------------------------------------------

def finding_groups(loc: Locale, db, data: ElectionData, url: str) -> str:
    """A group per check that failed (control ratios, then turnout checks, then indicators): its plain
    name linked to the methodology, how many findings at how many units (the rows of findings.csv),
    the first rows as sentences and the rest cut with a link to the CSV."""
    eid = data.election_id
    groups = {r["check_id"]: r for r in db.named("finding_groups", election_id=eid)}
    if not groups:
        return note(h(loc.t("no_finding"))) + _download(loc, url, eid, "findings")
    examples: dict[str, list[dict]] = {}
    for r in db.named("finding_examples", election_id=eid, n=ROWS_SHOWN):
        examples.setdefault(r["check_id"], []).append(r)
    order = {"control_ratio": 0, "turnout": 1, "indicator": 2}
    out = []
    for check in sorted((c for c in CHECKS if c.id in groups), key=lambda c: order[c.kind]):
        name = link(url, f"{urls.page(loc.lang, 'methodology')}#{check_anchor(check.id)}", h(check.title_in(loc.lang)))
        items = [_sentence_item(loc, data, url, r, h(finding_sentence(loc, r))) for r in examples.get(check.id, [])]
        out.append(_group(loc, url, eid, "findings", check.id, name, groups[check.id], "n_findings", items))
    return "".join(out)


def _group(loc: Locale, url: str, election_id: str, csv_name: str, key: str, name_html: str, counts: dict,
           count_key: str, items: list[str]) -> str:
    """One group: "<name> — 37 findings at 30 polling stations", the first rows, "N more" folded,
    and the CSV with every row when the page does not show them all."""
    where = loc.plural("at_n_stations" if counts["units"] == counts["stations"] else "at_n_units", counts["units"])
    count = loc.t("group_count", count=loc.plural(count_key, counts["findings"]), where=where)
    first, rest = items[:ROWS_OPEN], items[ROWS_OPEN:]
    body = f'<ul class="ashyq-findings">{"".join(first)}</ul>'
    if rest:
        body += _details(loc.t("more_rows", n=loc.number(len(rest))), f'<ul class="ashyq-findings">{"".join(rest)}</ul>')
    if counts["findings"] > len(items):
        body += note(h(loc.t("complete_list", n=loc.number(counts["findings"]))) + " "
                     + link(url, urls.integrity_csv(election_id, csv_name), f"<code>{h(csv_name)}.csv</code>"))
    return (f'<section class="ashyq-finding-group" data-group="{h(key)}" data-count="{counts["findings"]}">'
            f'<h3>{name_html} <small>— {h(count)}</small></h3>{body}</section>')


def _sentence_item(loc: Locale, data: ElectionData, url: str, r: dict, sentence_html: str) -> str:
    """"<unit> (<contest>, <source>): <sentence>" — the contest where the election has several, the
    source where it is not the official one."""
    where = []
    if len(data.contests) > 1 and r.get("contest_id"):
        contest = next((c for c in data.contests if c["contest_id"] == r["contest_id"]), None)
        where.append(loc.name_html(contest_name(loc, contest)) if contest else h(r["contest_id"]))
    source = data.sources.get(r.get("source_id"))
    if source and source["kind"] != "official":
        where.append(h(loc.source_kind(source["kind"])))
    context = f' <small>({", ".join(where)})</small>' if where else ""
    return f"<li>{_unit_link(loc, data, url, r['unit_id'])}{context}: {sentence_html}</li>"


def _download(loc: Locale, url: str, election_id: str, name: str) -> str:
    return note(h(loc.t("download_csv")) + " " + link(url, urls.integrity_csv(election_id, name),
                                                      f"<code>{h(name)}.csv</code>"))


def counts_table(loc: Locale, db, url: str, election_id: str) -> str:
    """Per check: made, failed (or flagged), cannot be made. Its sums are the headline's."""
    counts = {r["check_id"]: r for r in db.named("integrity_check_counts", election_id=election_id)}
    rows = []
    for check in CHECKS:
        c = counts.get(check.id, {})
        title = link(url, f"{urls.page(loc.lang, 'methodology')}#{check_anchor(check.id)}", h(check.title_in(loc.lang)))
        rows.append(row([text_cell(title), num_cell(loc, c.get("checked", 0)), num_cell(loc, c.get("failed", 0)),
                         num_cell(loc, c.get("cannot_check", 0))], f' data-check="{h(check.id)}"'))
    return table([h(loc.t(k)) for k in ("check", "checked", "failed_or_flagged", "cannot_be_checked")], rows,
                 numeric_from=1, css="ashyq-check-counts")


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


def tabulation_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """A commission's own totals against the sum of its stations, as sentences."""
    eid = data.election_id
    total, rows = _worst_rows(db, "tabulation_differences", DOWNLOADS["tabulation_differences"][1], eid)
    if not rows:
        return note(h(loc.t("no_tabulation_difference"))) + _download(loc, url, eid, "tabulation_differences")
    items = [_sentence_item(loc, data, url, r, h(tabulation_sentence(
        loc, r, _field_label(loc, data, r["field"]), _source_kind(loc, data, r["source_id"])))) for r in rows]
    counts = _difference_counts(db, eid)["tabulation_differences"]
    return _group(loc, url, eid, "tabulation_differences", "tabulation_differences",
                  link(url, f"{urls.page(loc.lang, 'methodology')}#tabulation", h(loc.t("tabulation_heading"))),
                  counts, "n_figures", items)


def source_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """The same protocol from two sources: every figure on which they differ, as sentences."""
    eid = data.election_id
    total, rows = _worst_rows(db, "source_differences", DOWNLOADS["source_differences"][1], eid)
    if not rows:
        return note(h(loc.t("no_source_difference"))) + _download(loc, url, eid, "source_differences")
    items = [_sentence_item(loc, data, url, {**r, "source_id": None}, h(source_sentence(
        loc, r, _field_label(loc, data, r["field"]), _source_kind(loc, data, r["source_a"]),
        _source_kind(loc, data, r["source_b"])))) for r in rows]
    counts = _difference_counts(db, eid)["source_differences"]
    return _group(loc, url, eid, "source_differences", "source_differences",
                  link(url, f"{urls.page(loc.lang, 'methodology')}#two-sources", h(loc.t("two_sources_heading"))),
                  counts, "n_figures", items)


def turnout_flags_table(loc: Locale, db, data: ElectionData, url: str) -> str:
    """Each turnout indicator as a group of sentences, strongest first."""
    eid = data.election_id
    counts = _difference_counts(db, eid)
    flags = [flag for flag in TURNOUT_FLAGS if flag in counts]
    if not flags:
        return note(h(loc.t("no_turnout_flag"))) + _download(loc, url, eid, "turnout_flags")
    columns = DOWNLOADS["turnout_flags"][1]
    out = []
    for flag in flags:
        rows = db.rows(
            f"SELECT {', '.join(columns)} FROM turnout_flags WHERE election_id = $e AND flag = $f "
            "ORDER BY abs(coalesce(robust_z, 0)) DESC, value DESC, contest_id, unit_id, source_id, reported_at LIMIT $n",
            {"e": eid, "f": flag, "n": ROWS_SHOWN})
        items = [_sentence_item(loc, data, url, r, h(turnout_flag_sentence(loc, r))) for r in rows]
        name = link(url, f"{urls.page(loc.lang, 'methodology')}#turnout-indicators", h(turnout_flag_text(flag, loc.lang)[0]))
        out.append(_group(loc, url, eid, "turnout_flags", flag, name, counts[flag], "n_findings", items))
    return "".join(out)


def _difference_counts(db, election_id: str) -> dict[str, dict]:
    return {r["name"]: r for r in db.named("difference_groups", election_id=election_id) if r["findings"]}


def _source_kind(loc: Locale, data: ElectionData, source_id: str) -> str:
    source = data.sources.get(source_id)
    return loc.source_kind(source["kind"]) if source else source_id


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
        traces.append(go.Scatter(name=charts.plotly_text(name), x=[charts.plotly_text(x) for x in times],
                                 y=[p["increment"] for p in points], mode="lines+markers",
                                 hovertemplate="%{x}: +%{y:.2f}<extra>" + charts.plotly_text(name) + "</extra>"))
        table_rows += [row([text_cell(loc.name_html(name)), text_cell(h(x)), num_cell(loc, p["increment"])])
                       for p, x in zip(points, times)]
    figure = charts.plain(charts.figure(traces, layout=_layout(loc, xaxis=dict(type="category", title=dict(text=loc.t("report"))),
                                                           yaxis=dict(title=dict(text=loc.t("points_gained"))))), loc, "turnout-increments")
    figure["layout"]["showlegend"] = True
    figure["layout"]["height"] = 420
    return chart(figure, loc.t("increments_summary"),
                 _details(loc.t("numbers"), table([h(loc.t("unit")), h(loc.t("report")), h(loc.t("points_gained"))],
                                                  table_rows)))


# ---- distributions -------------------------------------------------------------------------------

def distribution_block(loc: Locale, db, data: ElectionData, contest: dict) -> str:
    eid, cid = data.election_id, contest["contest_id"]
    if cid not in data.indicators:  # computed for the first language, laid out in each
        data.indicators[cid] = distributions.indicators(db, eid, cid, DENSITY_MIN_STATIONS, DENSITY_MAX_POINTS,
                                                        DENSITY_TABLE_BIN)
    indicators = data.indicators[cid]
    if indicators is None:
        return ""
    stations = indicators.stations
    caveat = note(h(loc.t("caveat")))
    turnout_axis, stations_label = loc.t("turnout_percent"), loc.t("stations")
    histogram = indicators.histogram
    hist_fig = charts.plain(charts.figure(go.Bar(x=[r + 0.5 for r in histogram["lower"].to_list()],
                                       y=histogram["stations"].to_list(), width=1.0,
                                       hovertemplate="%{x:.0f} %: %{y}<extra></extra>"),
                                layout=_layout(loc, xaxis=dict(title=dict(text=turnout_axis), range=[0, 100]),
                                               yaxis=dict(title=dict(text=stations_label)))), loc, "turnout-histogram")
    hist_rows = [row([text_cell(h(loc.percent_range(r["lower"], r["lower"] + 1))), num_cell(loc, r["stations"]),
                      num_cell(loc, r["voters"])]) for r in histogram.to_dicts()]
    parts = [caveat, chart(hist_fig, loc.t("histogram_summary"),
                           _details(loc.t("numbers"), table([h(loc.t("turnout")), h(stations_label),
                                                             h(loc.t("voters_on_list"))], hist_rows)))]
    density, density_bin = indicators.density, indicators.density_bin
    leader = stations["leader_id"][0] if stations.height else None
    leader_name = next((loc.name(c) for c in data.choices.get(cid, []) if c["choice_id"] == leader), leader)
    share_axis = loc.t("share_of_leader", name=leader_name)
    if density.height:
        size = density["stations"].to_list()
        dens_fig = charts.plain(charts.figure(go.Scatter(
            x=[v + density_bin / 2 for v in density["turnout_lower"].to_list()],
            y=[v + density_bin / 2 for v in density["share_lower"].to_list()],
            mode="markers", marker=dict(size=[min(4 + 2 * s, 24) for s in size], color=size, opacity=0.7),
            hovertemplate="%{x:.0f} %, %{y:.0f} %<extra></extra>"),
            layout=_layout(loc, xaxis=dict(title=dict(text=turnout_axis), range=[0, 100]),
                           yaxis=dict(title=dict(text=charts.plotly_text(share_axis)), range=[0, 100]))), loc, "turnout-and-share")
        coarse, step = indicators.density_table, indicators.table_bin
        dens_rows = [row([text_cell(h(loc.percent_range(r["turnout_lower"], r["turnout_lower"] + step))),
                          text_cell(h(loc.percent_range(r["share_lower"], r["share_lower"] + step))),
                          num_cell(loc, r["stations"]), num_cell(loc, r["voters"])]) for r in coarse.to_dicts()]
        parts.append(chart(dens_fig, loc.t("density_summary", name=leader_name, step=density_bin),
                           _details(loc.t("numbers_cells", step=step),
                                    table([h(loc.t("turnout")), h(loc.t("share")), h(stations_label),
                                           h(loc.t("voters"))], dens_rows))))
    rounds = indicators.rounds
    round_rows = [row([text_cell(h(loc.t("turnout") if r["measure"] == "turnout"
                                   else loc.t("share_of_name", name=leader_name))),
                       text_cell(h(loc.t("whole_number") if r["kind"] == "integer" else loc.t("multiple_of_5"))),
                       num_cell(loc, r["stations"]), num_cell(loc, r["observed"]), num_cell(loc, r["expected"]),
                       num_cell(loc, r["ratio"])])
                  for r in rounds.to_dicts()]
    parts.append(f"<h3>{h(loc.t('round_heading'))}</h3>" + note(h(loc.t("round_note")))
                 + _details(loc.t("numbers"), table([h(loc.t(k)) for k in ("measure", "kind", "stations", "observed",
                                                                          "expected_by_chance", "observed_to_expected")],
                                                   round_rows, sortable=False)))
    tails = indicators.tails
    if tails.height:
        page_url = urls.integrity(loc.lang, eid)
        tail_rows = [row([text_cell(_unit_link(loc, data, page_url, r["unit_id"])), num_cell(loc, r["voters_on_list"]),
                          num_cell(loc, r["turnout"]), num_cell(loc, r["leader_share"])])
                     for r in tails.head(TAIL_ROWS).to_dicts()]
        shown = (note(h(loc.t("tails_shown", n=loc.number(len(tail_rows)), total=loc.number(tails.height))))
                 if tails.height > len(tail_rows) else "")
        parts.append(f"<h3>{h(loc.t('tails_heading'))}</h3>" + shown
                     + _details(loc.t("more_rows", n=loc.number(len(tail_rows))),
                                table([h(loc.t("station")), h(loc.t("voters_on_list")), h(loc.t("turnout_percent")),
                                       h(share_axis)], tail_rows)))
    return "".join(parts)


def _layout(loc: Locale, **extra) -> dict:
    return dict(template="none", height=320, margin=dict(l=50, r=10, t=10, b=40), font=dict(size=12),
                showlegend=False, separators=charts.separators(loc), **extra)


def _details(summary: str, inner: str) -> str:
    return f"<details><summary>{h(summary)}</summary>{inner}</details>"


# ---- helpers -------------------------------------------------------------------------------------

def _worst_rows(db, table_name: str, columns, election_id: str) -> tuple[int, list[dict]]:
    """(how many rows the table has for the election, its ROWS_SHOWN largest differences)."""
    total = db.rows(f"SELECT count(*) AS n FROM {table_name} WHERE election_id = $e", {"e": election_id})[0]["n"]
    rows = db.rows(f"SELECT {', '.join(columns)} FROM {table_name} WHERE election_id = $e "
                   f"ORDER BY abs(difference) DESC NULLS LAST, {', '.join(columns)} LIMIT $n",
                   {"e": election_id, "n": ROWS_SHOWN})
    return total, rows


def _unit_link(loc: Locale, data: ElectionData, url: str, unit_id: str) -> str:
    unit = data.units.get(unit_id)
    if unit is None:
        return h(unit_id)
    return link(url, unit_url(loc, data, unit_id), loc.name_html(unit_name(loc, unit)))


def csv_bytes(columns, rows: list) -> bytes:
    """UTF-8 with BOM (spreadsheets open it right); text cells that a spreadsheet would run as a
    formula get a leading apostrophe (the downloads' rule). ``rows``: dicts, or tuples in the order
    of ``columns``. Column by column, each distinct value made safe once (~300,000 findings at
    national scale: check ids, statuses and details repeat); written by Polars, quoting a cell
    only where it must (a comma, a quote, a line break)."""
    tuples = [r if isinstance(r, tuple) else tuple(r[c] for c in columns) for r in rows]
    values = zip(*tuples) if tuples else [[] for _ in columns]
    cells = {column: list(map(_SafeCells().__getitem__, column_values)) for column, column_values in zip(columns, values)}
    frame = pl.DataFrame(cells, schema={column: pl.String for column in columns})
    # an empty cell is written empty, not as "" (missing values are empty cells)
    text = frame.with_columns(pl.all().replace("", None)).write_csv(line_terminator="\n", quote_style="necessary")
    return ("\ufeff" + text).encode("utf-8")


class _SafeCells(dict):
    """One column's values made safe, each the first time it is asked for (a column has one type)."""

    def __missing__(self, value):
        made = self[value] = _safe_cell(value)
        return made


def _safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 4))
    if isinstance(value, (int,)):
        return str(value)
    return formula_safe(str(value))
