"""Plotly figures (plotly.graph_objects, template "none"), serialised to plain JSON for the page.

The figures stay small: numbers only, no template, so a page with charts stays light and the same
numbers appear in the table beside every chart."""
from __future__ import annotations

import plotly.graph_objects as go

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
          "#bcbd22", "#17becf"]


def separators(loc) -> str:
    """Plotly's decimal and thousands separators for the reader's language ("1 592,5" / "1,592.5")."""
    return loc.number(1000.5).replace("1", "").replace("0", "").replace("5", "")[::-1]


def _layout(loc, height: int, **extra) -> dict:
    return dict(template="none", height=height, margin=dict(l=10, r=10, t=10, b=40),
                font=dict(size=12), separators=separators(loc), **extra)


def _plain(figure: go.Figure) -> dict:
    out = figure.to_plotly_json()
    out["layout"].pop("template", None)
    return {"data": out["data"], "layout": out["layout"]}


def result_bars(loc, names: list[str], shares: list[float | None], votes: list[int | None]) -> dict:
    """Horizontal bars of each choice's share, in ballot order (top first)."""
    figure = go.Figure(
        go.Bar(x=[s if s is not None else 0 for s in shares][::-1], y=[_safe(n) for n in names][::-1], orientation="h",
               text=[loc.percent(s) if s is not None else "" for s in shares][::-1], textposition="auto",
               customdata=[v if v is not None else "" for v in votes][::-1],
               hovertemplate="%{y}: %{x:.2f}% (%{customdata:,})<extra></extra>", marker=dict(color=COLORS[0])),
        layout=_layout(loc, max(160, 28 * len(names) + 60), xaxis=dict(ticksuffix="%", rangemode="tozero"),
                       yaxis=dict(automargin=True)),
    )
    return _plain(figure)


def stacked_shares(loc, units: list[str], choices: list[str], shares: list[list[float | None]]) -> dict:
    """One horizontal bar per unit, stacked by each choice's share (shares[choice][unit])."""
    traces = [
        go.Bar(name=_safe(choice), y=[_safe(u) for u in units][::-1], x=[s if s is not None else 0 for s in row][::-1], orientation="h",
               marker=dict(color=COLORS[i % len(COLORS)]),
               hovertemplate=f"%{{y}}: %{{x:.2f}}%<extra>{_safe(choice)}</extra>")
        for i, (choice, row) in enumerate(zip(choices, shares))
    ]
    figure = go.Figure(traces, layout=_layout(loc, max(200, 24 * len(units) + 90), barmode="stack",
                                              xaxis=dict(ticksuffix="%", range=[0, 100]),
                                              yaxis=dict(automargin=True),
                                              legend=dict(orientation="h", y=-0.12)))
    return _plain(figure)


def turnout_lines(loc, series: list[tuple[str, list[str], list[float | None]]]) -> dict:
    """Turnout through the day: one line per source (name, report labels, percents)."""
    traces = [
        go.Scatter(name=_safe(name), x=[_safe(x) for x in labels], y=values, mode="lines+markers", line=dict(color=COLORS[i % len(COLORS)]),
                   hovertemplate="%{x}: %{y:.2f}%<extra></extra>")
        for i, (name, labels, values) in enumerate(series)
    ]
    figure = go.Figure(traces, layout=_layout(loc, 300, yaxis=dict(ticksuffix="%", rangemode="tozero", automargin=True),
                                              xaxis=dict(type="category", automargin=True),
                                              showlegend=len(series) > 1))
    return _plain(figure)


def _safe(text) -> str:
    # Plotly renders labels and hover templates as limited HTML (<b>, <a href>): names from data
    # must stay text, so entities are escaped (Plotly shows them as the characters).
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "% {")
