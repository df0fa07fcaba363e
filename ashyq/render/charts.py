"""Plotly figures (plotly.graph_objects, template "none"), serialised to plain JSON for the page.

The figures stay small: numbers only, no template, so a page with charts stays light and the same
numbers appear in the table beside every chart. Each choice is drawn in its own colour, the same on
every chart of the election (the model's ``choice_colours``; render only reads it). Beside Plotly's
``data`` and ``layout`` a figure carries what assets/ashyq.js lays out around it: ``legend`` (name,
colour: a list of HTML items under the chart, never clipped, wrapping on a phone) and ``export``
(the file name's last part and the words of the PNG and SVG download buttons)."""
from __future__ import annotations

import plotly.graph_objects as go

from ..model import CHOICE_PALETTE, OTHERS_COLOUR

STACK_SHOWN = 8  # a stacked bar shows this many choices; beyond STACK_SHOWN + 1 the rest are "others"
LABEL_MIN_SHARE = 5.0  # a segment gets its percentage written inside from this share (Plotly hides it if it does not fit)
LABEL_WRAP = 28  # characters per line of a name on an axis (long party names wrap instead of taking the width)


def separators(loc) -> str:
    """Plotly's decimal and thousands separators for the reader's language ("1 592,5" / "1,592.5")."""
    return loc.number(1000.5).replace("1", "").replace("0", "").replace("5", "")[::-1]


def _layout(loc, height: int, **extra) -> dict:
    return dict(template="none", height=height, margin=dict(l=10, r=10, t=10, b=40),
                font=dict(size=12), separators=separators(loc), **extra)


def figure(data, layout: dict) -> go.Figure:
    """A figure of traces that their constructors (go.Bar, go.Scatter) have checked, and a layout of
    plain dicts that is not checked a second time: three times faster, for the tens of thousands of
    charts of a national election. Empty settings (None, []) are left out, as Plotly's check would.
    tests/test_charts.py checks every chart of the built site through Plotly's own validation."""
    return go.Figure(data, layout=_without_empty(layout), _validate=False)


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def trace(kind: str, **props) -> dict:
    """A trace as Plotly's constructor (go.Bar, …) stores it: the properties given, in its order
    (by name), ``type`` last; None left out. For the charts drawn on every unit page, where checking
    each one costs ~2 ms (16 times the rest): tests/test_charts.py checks every chart of the built
    site through Plotly's own validation, and its test of this function compares it with go.Bar."""
    out = {key: props[key] for key in sorted(props) if props[key] is not None}
    out["type"] = kind
    return out


def plain_traces(traces: list[dict], layout: dict, loc, name: str) -> dict:
    """``plain`` for traces made by ``trace``: the same JSON as through ``figure``, without Plotly's
    objects (its figure sorts the layout's keys and leaves out empty settings)."""
    layout = _without_empty(layout)
    return _for_page(traces, {key: layout[key] for key in sorted(layout)}, loc, name)


def plain(chart: go.Figure, loc, name: str, legend: list[tuple[str, str]] = ()) -> dict:
    out = chart.to_plotly_json()
    return _for_page(out["data"], out["layout"], loc, name, legend)


def _for_page(data: list[dict], layout: dict, loc, name: str, legend: list[tuple[str, str]] = ()) -> dict:
    """What a page embeds: Plotly's data and layout (no template), and what assets/ashyq.js lays out
    around the chart (the legend, the export buttons)."""
    layout.pop("template", None)
    return {"data": data, "layout": layout, "legend": [[str(n), c] for n, c in legend], "export": export(loc, name)}


def export(loc, name: str) -> dict:
    """What assets/ashyq.js needs for a chart's PNG and SVG buttons: the file name's last part
    (ASCII, e.g. "results") and the buttons' words. Any figure with this under "export" gets them."""
    return {"name": name, "label": loc.t("chart_download"),
            "png": loc.t("chart_download_as", format="PNG"), "svg": loc.t("chart_download_as", format="SVG")}


def result_bars(loc, names: list[str], shares: list[float | None], votes: list[int | None],
                colours: list[str]) -> dict:
    """Horizontal bars of each choice's share, in ballot order (top first), each in its colour. A
    choice whose share cannot be computed has no bar: its row says so (or "not published" when its
    votes are not published either)."""
    rows = list(range(len(names)))
    # no bar: a note at the start of the row, "share not computable" (votes published) or "not published"
    notes = [dict(x=0, y=i, xref="x", yref="y", xanchor="left", showarrow=False, font=dict(size=12, color="#424242"),
                  text=plotly_text(loc.t("share_not_computable") if v is not None else loc.not_published))
             for i, (s, v) in enumerate(zip(shares, votes)) if s is None]
    heights = [_row_height(n) for n in names]
    bars = trace("bar", x=list(shares), y=rows, orientation="h",
                 text=[loc.percent(s) if s is not None else "" for s in shares], textposition="auto",
                 customdata=[[plotly_text(n), v if v is not None else ""] for n, v in zip(names, votes)],
                 hovertemplate="%{customdata[0]}: %{x:.2f}% (%{customdata[1]:,})<extra></extra>",
                 marker=dict(color=list(colours)))
    return plain_traces([bars], _layout(loc, max(160, sum(heights) + 60),
                                        xaxis=dict(ticksuffix="%", rangemode="tozero", automargin=True,
                                                   range=None if any(s is not None for s in shares) else [0, 100]),
                                        yaxis=_rows_axis(names), showlegend=False, annotations=notes), loc, "results")


def stacked_shares(loc, units: list[str], choices: list[dict], shares: list[list[float | None]]) -> dict:
    """One horizontal bar per unit, stacked by each choice's share (shares[choice][unit]); ``choices``
    have ``name`` (in the reader's language) and ``colour``. Past STACK_SHOWN + 1 choices, those with
    the smallest shares overall are one grey "others" segment (the table beside keeps every choice)."""
    shown, grouped = stack_groups(shares)
    traces = []
    legend = []
    rows = list(range(len(units)))
    unit_names = [plotly_text(u) for u in units]
    series = [(choices[i]["name"], choices[i]["colour"], shares[i]) for i in shown]
    if grouped:
        others = [_sum_known([shares[i][u] for i in grouped]) for u in rows]
        series.append((loc.t("chart_others"), OTHERS_COLOUR, others))
    for name, colour, row in series:
        legend.append((name, colour))
        traces.append(go.Bar(
            name=plotly_text(name), y=rows, x=list(row), orientation="h", marker=dict(color=colour, line=dict(color="#ffffff", width=0.5)),
            text=[loc.percent(s, digits=0) if s is not None and s >= LABEL_MIN_SHARE else "" for s in row],
            textposition="inside", insidetextanchor="middle", textangle=0,
            customdata=unit_names, hovertemplate=f"%{{customdata}}: %{{x:.2f}}%<extra>{plotly_text(name)}</extra>"))
    chart = figure(traces, layout=_layout(loc, max(160, sum(_row_height(u, 26) for u in units) + 60), barmode="stack",
                                          xaxis=dict(ticksuffix="%", range=[0, 100], automargin=True),
                                          yaxis=_rows_axis(units), showlegend=False,
                                          uniformtext=dict(minsize=10, mode="hide")))
    return plain(chart, loc, "by-unit", legend)


def stack_groups(shares: list[list[float | None]]) -> tuple[list[int], list[int]]:
    """(choices drawn on their own, in ballot order; choices grouped as "others"): every choice when
    there are at most STACK_SHOWN + 1, else the STACK_SHOWN with the largest shares summed over the units."""
    if len(shares) <= STACK_SHOWN + 1:
        return list(range(len(shares))), []
    weight = [sum(s for s in row if s is not None) for row in shares]
    largest = sorted(range(len(shares)), key=lambda i: (-weight[i], i))[:STACK_SHOWN]
    return sorted(largest), [i for i in range(len(shares)) if i not in largest]


def turnout_lines(loc, series: list[tuple[str, list[str], list[float | None]]]) -> dict:
    """Turnout through the day: one line per source (name, report labels, percents)."""
    traces = [
        go.Scatter(name=plotly_text(name), x=[plotly_text(x) for x in labels], y=values, mode="lines+markers",
                   line=dict(color=CHOICE_PALETTE[i % len(CHOICE_PALETTE)]),
                   hovertemplate="%{x}: %{y:.2f}%<extra></extra>")
        for i, (name, labels, values) in enumerate(series)
    ]
    chart = figure(traces, layout=_layout(loc, 300, yaxis=dict(ticksuffix="%", rangemode="tozero", automargin=True),
                                          xaxis=dict(type="category", automargin=True), showlegend=False))
    legend = [(name, CHOICE_PALETTE[i % len(CHOICE_PALETTE)]) for i, (name, _, _) in enumerate(series)] if len(series) > 1 else []
    return plain(chart, loc, "turnout", legend)


def _rows_axis(names: list[str]) -> dict:
    """A row per name, top first, every one labelled (names may repeat: rows are numbered)."""
    return dict(tickmode="array", tickvals=list(range(len(names))), ticktext=[_wrap(n) for n in names],
                autorange="reversed", automargin=True, showgrid=False, zeroline=False, ticklabelstandoff=4)


def _wrap(text) -> str:
    """A name broken into lines of at most LABEL_WRAP characters (at spaces; Plotly's line break)."""
    lines, line = [], ""
    for word in plotly_text(text).split(" "):
        if line and len(line) + 1 + len(word) > LABEL_WRAP:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def _row_height(name, least: int = 28) -> int:
    return max(least, 15 * (_wrap(name).count("<br>") + 1) + 8)


def _sum_known(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def plotly_text(text) -> str:
    # Plotly renders labels and hover templates as limited HTML (<b>, <a href>): names from data
    # must stay text, so entities are escaped (Plotly shows them as the characters).
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "% {")
