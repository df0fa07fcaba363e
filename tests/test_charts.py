"""Charts (issue 10): one colour per party or candidate on every chart of an election, from the package
where it gives one; stacked bars of at most STACK_SHOWN + 1 segments with the rest as "others"; no bar
for a share that cannot be computed. Read from the figures' JSON in the pages of the built site."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from ashyq import load, model
from ashyq.render import charts, urls
from render_helpers import number, tables

KZ11 = "kz-2011-presidential"
SPB = "spb-2021"
FIGURE = re.compile(r'<script type="application/json" class="ashyq-figure">(.*?)</script>', re.S)
CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def figures(path: Path) -> list[dict]:
    return [json.loads(text) for text in FIGURE.findall(path.read_text(encoding="utf-8"))]


def page(site: Path, url: str) -> Path:
    return site / url / "index.html"


def drawn_colours(figure: dict) -> list[tuple[str, str]]:
    """(name, colour) of every choice a figure draws: a result chart's bars, a stacked chart's segments."""
    kind = figure.get("export", {}).get("name")
    if kind == "results":
        bars = figure["data"][0]
        return [(data[0], colour) for data, colour in zip(bars["customdata"], bars["marker"]["color"])]
    if kind == "by-unit":
        return [(trace["name"], trace["marker"]["color"]) for trace in figure["data"]]
    return []


def election_pages(site: Path, election: str) -> list[Path]:
    """The election's English pages that are not a polling station's (those draw no chart of choices)."""
    return [p for p in (site / "en" / "elections" / election).rglob("index.html") if "/stations/" not in str(p)]


@pytest.mark.parametrize("election, least", [(KZ11, 3), (SPB, 100), ("kz-2023-majilis", 1)])
def test_a_choice_has_one_colour_on_every_chart_of_its_election(built_site, datasets_dir, election, least):
    choices = pl.read_csv(datasets_dir / election / "choices.csv", infer_schema_length=0)
    seen: dict[str, set[str]] = {}
    charts_read = 0
    for path in election_pages(built_site, election):
        for figure in figures(path):
            pairs = drawn_colours(figure)
            charts_read += bool(pairs)
            for name, colour in pairs:
                seen.setdefault(name, set()).add(colour)
    assert charts_read >= least  # charts of choices read (kz-2023-majilis: the national result only)
    assert seen, election
    others = seen.pop("Others", None)
    assert others in (None, {model.OTHERS_COLOUR})
    several = {name: colours for name, colours in seen.items() if len(colours) > 1}
    assert not several, f"{election}: drawn in more than one colour: {several}"
    names = set(choices["name_en"].drop_nulls()) | set(choices["name_ru"].drop_nulls())
    assert set(seen) <= names  # every drawn name is a choice's
    for colours in seen.values():
        assert re.fullmatch(r"#[0-9A-F]{6}", next(iter(colours))) and next(iter(colours)) != model.OTHERS_COLOUR


@pytest.mark.parametrize("election", [KZ11, SPB, "kz-2023-majilis", "kz-2019-presidential"])
def test_no_two_choices_of_a_chart_share_a_colour(built_site, election):
    for path in election_pages(built_site, election):
        for figure in figures(path):
            colours = [colour for _, colour in drawn_colours(figure)]
            assert len(colours) == len(set(colours)), (str(path), colours)


def test_the_14_party_chart_shows_8_parties_and_others_and_labels_every_area(built_site, datasets_dir):
    html = page(built_site, urls.election("en", SPB))
    duma = pl.read_csv(datasets_dir / SPB / "choices.csv", infer_schema_length=0).filter(pl.col("contest_id") == "duma-list")
    assert duma.height == 14
    stacked = [f for f in figures(html) if f.get("export", {}).get("name") == "by-unit"]
    assert stacked
    big = [f for f in stacked if len(f["data"]) == charts.STACK_SHOWN + 1 and f["data"][-1]["name"] == "Others"]
    assert big, [len(f["data"]) for f in stacked]
    for figure in stacked:
        assert len(figure["data"]) <= charts.STACK_SHOWN + 1
        assert [c for _, c in figure["legend"]] == [t["marker"]["color"] for t in figure["data"]]
        axis = figure["layout"]["yaxis"]  # every area named on the axis
        assert axis["tickmode"] == "array" and len(axis["ticktext"]) == len(figure["data"][0]["y"])
    figure = big[0]
    assert figure["data"][-1]["marker"]["color"] == model.OTHERS_COLOUR
    # the segments of each area add up to the shares of all 14 parties: "others" is the rest
    assert all(abs(sum(t["x"][i] or 0 for t in figure["data"]) - 100) < 0.5 for i in range(len(figure["data"][0]["x"])))
    # the table beside keeps every party
    table = next(t for t in tables(html) if all(name in " ".join(t["head"]) for name in duma["name_en"]))
    assert table["rows"]
    assert "drawn on their own" in html.read_text(encoding="utf-8")


def test_talas_draws_no_bar_for_a_share_it_cannot_compute(built_site):
    html = page(built_site, urls.unit("en", KZ11, "zhambyl.talas", "district"))
    text = html.read_text(encoding="utf-8")
    result = next(f for f in figures(html) if f.get("export", {}).get("name") == "results")
    bars = result["data"][0]
    names = [data[0] for data in bars["customdata"]]
    i = names.index("Nursultan Nazarbayev")
    assert bars["x"][i] is None and bars["text"][i] == ""
    notes = {a["y"]: a["text"] for a in result["layout"]["annotations"]}
    assert notes[i] == "share not computable"
    assert all(notes[j] == "not published" for j in range(len(names)) if j != i)
    captions = " ".join(CAPTION.findall(text))
    assert "Nursultan Nazarbayev: share not computable" in captions
    rows = [r["cells"] for t in tables(html) for r in t["rows"] if r["cells"] and "Nursultan Nazarbayev" in r["cells"][0]]
    assert rows and number(1592) in rows[0]  # the table beside still shows the votes


@pytest.mark.parametrize("lang, words", [("kk", "үлесін есептеу мүмкін емес"), ("ru", "долю вычислить нельзя")])
def test_share_not_computable_is_said_in_each_language(built_site, lang, words):
    text = page(built_site, urls.unit(lang, KZ11, "zhambyl.talas", "district")).read_text(encoding="utf-8")
    assert words in " ".join(CAPTION.findall(text))
    assert "share not computable" not in text


def test_package_colours_are_used_and_the_rest_come_from_the_palette(tmp_path, datasets_dir):
    package = tmp_path / KZ11
    shutil.copytree(datasets_dir / KZ11, package)
    choices = pl.read_csv(package / "choices.csv", infer_schema_length=0)
    choices = choices.with_columns(pl.when(pl.col("choice_id") == "nazarbayev").then(pl.lit("#1a2b3c"))
                                   .otherwise(pl.col("colour")).alias("colour"))
    choices.write_csv(package / "choices.csv", line_terminator="\n")
    db = model.build_model([load.load_package(package)])
    colours = {r["choice_id"]: r["colour"] for r in db.named("election_choices", election_id=KZ11)}
    assert colours["nazarbayev"] == "#1A2B3C"
    ballot = choices.sort(pl.col("ballot_order").cast(int))["choice_id"].to_list()
    others = [colours[c] for c in ballot if c != "nazarbayev"]
    assert others == list(model.CHOICE_PALETTE[:len(others)])  # in ballot order


def test_the_map_colours_each_region_by_its_leader_in_the_charts_colour(built_site):
    html = page(built_site, urls.election("en", KZ11))
    text = html.read_text(encoding="utf-8")
    bars = next(f for f in figures(html) if f.get("export", {}).get("name") == "results")["data"][0]
    chart_colour = dict(zip([d[0] for d in bars["customdata"]], bars["marker"]["color"]))
    data = json.loads(re.search(r'<script type="application/json" class="ashyq-map-data">(.*?)</script>', text, re.S)[1])
    leading = next(m for m in data["measures"] if m["label"] == "Leading candidate or party (its colour)")
    assert leading["legend"] == [[chart_colour["Nursultan Nazarbayev"], "Nursultan Nazarbayev"]]
    assert len(leading["fill"]) == 16 and set(leading["fill"]) == {chart_colour["Nursultan Nazarbayev"]}


def test_every_chart_of_the_site_passes_plotlys_own_validation(built_site):
    """The figures are built without Plotly's second check of their layout (charts.figure); every one
    the site draws, in every kind and language, passes it unchanged: the check would neither refuse
    nor rewrite any setting (a bare axis title, an empty list, a None)."""
    import plotly.graph_objects as go
    kinds, checked = set(), 0
    for path in sorted(built_site.glob("*/elections/*/**/index.html")):
        if "/stations/" in path.as_posix():
            continue
        for figure in figures(path):
            validated = go.Figure(data=figure["data"], layout=figure["layout"]).to_plotly_json()
            validated["layout"].pop("template", None)
            assert json.dumps(validated["data"], sort_keys=True) == json.dumps(figure["data"], sort_keys=True), path
            assert json.dumps(validated["layout"], sort_keys=True) == json.dumps(figure["layout"], sort_keys=True), path
            kinds.add(figure["export"]["name"])
            checked += 1
    assert {"results", "by-unit", "turnout", "turnout-histogram", "turnout-and-share", "turnout-increments"} <= kinds, kinds
    assert checked > 300


def _result_bars_through_plotly(loc, names, shares, votes, colours) -> dict:
    """charts.result_bars as it was built before charts.trace: through go.Bar and charts.figure."""
    import plotly.graph_objects as go
    notes = [dict(x=0, y=i, xref="x", yref="y", xanchor="left", showarrow=False, font=dict(size=12, color="#424242"),
                  text=charts.plotly_text(loc.t("share_not_computable") if v is not None else loc.not_published))
             for i, (s, v) in enumerate(zip(shares, votes)) if s is None]
    chart = charts.figure(
        go.Bar(x=list(shares), y=list(range(len(names))), orientation="h",
               text=[loc.percent(s) if s is not None else "" for s in shares], textposition="auto",
               customdata=[[charts.plotly_text(n), v if v is not None else ""] for n, v in zip(names, votes)],
               hovertemplate="%{customdata[0]}: %{x:.2f}% (%{customdata[1]:,})<extra></extra>",
               marker=dict(color=list(colours))),
        layout=charts._layout(loc, max(160, sum(charts._row_height(n) for n in names) + 60),
                              xaxis=dict(ticksuffix="%", rangemode="tozero", automargin=True,
                                         range=None if any(s is not None for s in shares) else [0, 100]),
                              yaxis=charts._rows_axis(names), showlegend=False, annotations=notes))
    return charts.plain(chart, loc, "results")


def test_result_bars_built_as_dicts_give_the_json_plotly_s_objects_give():
    """The result chart of every unit page is built as plain dicts (charts.trace: Plotly's objects
    cost ~2 ms a chart, 17 s of a national build); its JSON is what go.Bar and charts.figure give, key
    order included: names to escape, long names, shares and votes not published or not computable."""
    import random

    from ashyq.render.locale import locales
    names = ["Партия «Nur Otan»", "<script>alert(1)</script>", "Қазақстан Халық партиясы " * 3, "A & B", "Ж"]
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    draw = random.Random(2026)
    for loc in locales():
        for _ in range(200):
            k = draw.randint(1, 12)
            args = ([draw.choice(names) for _ in range(k)], [draw.choice([None, 0.0, 12.345, 50.0, 100.0]) for _ in range(k)],
                    [draw.choice([None, 0, 7, 1_234_567]) for _ in range(k)], [draw.choice(palette) for _ in range(k)])
            assert json.dumps(charts.result_bars(loc, *args), ensure_ascii=False) == \
                json.dumps(_result_bars_through_plotly(loc, *args), ensure_ascii=False)
