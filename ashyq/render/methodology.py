"""The methodology page's list of checks, generated from the checks registry (so the page, the
findings CSV and the badges name the same checks with the same formulas)."""
from __future__ import annotations

from ..checks.registry import CHECKS, DERIVED_NOTE, TURNOUT_FLAGS
from .escape import h
from .fragments import html_block, row, table, text_cell
from .locale import Locale



def check_anchor(check_id: str) -> str:
    return f"check-{check_id}"


def methodology_markdown(loc: Locale) -> str:
    """HTML blocks for the hand-written methodology page: one section per check, then the turnout
    and distribution indicators."""
    parts = [html_block(
        "<p>A check whose lines a protocol does not publish is shown as <em>cannot be checked</em> for "
        "that protocol; it is never counted as passed. Every finding names the numbers that do not add up, "
        "and the contest (the ballot) whose protocol it is: checks run per contest.</p>"
        f"<p>{h(DERIVED_NOTE)}</p>")]
    summary_rows = [row([text_cell(f'<a href="#{check_anchor(c.id)}">{h(c.title_in(loc.lang))}</a>'),
                         text_cell(f"<code>{h(c.id)}</code>"), text_cell(h(loc.t('kind_' + c.kind)))])
                    for c in CHECKS]
    parts.append(html_block(table([h("Check"), h("Id (findings CSV)"), h("Kind")], summary_rows, sortable=False)))
    for check in CHECKS:
        lines = ", ".join(f"{h(loc.line(n))} (<code>{h(n)}</code>)" for n in check.lines) or h("turnout reports")
        threshold = (f"<dt>Threshold</dt><dd>{check.threshold:g} %</dd>" if check.threshold is not None else "")
        parts.append(html_block(
            f'<section class="ashyq-check" id="{h(check_anchor(check.id))}"><h3>{h(check.title_in(loc.lang))}</h3>'
            f"<dl><dt>Formula</dt><dd><code>{h(check.formula)}</code></dd>"
            f"<dt>Kind</dt><dd>{h(loc.t('kind_' + check.kind))}</dd>"
            f"<dt>Protocol lines</dt><dd>{lines}</dd>{threshold}"
            f"<dt>Source</dt><dd>{h(check.source)}</dd>"
            f"<dt>Notes</dt><dd>{h(check.description_in(loc.lang))}</dd></dl></section>"))
    flags = "".join(f"<dt>{h(title)} (<code>{h(flag)}</code>)</dt><dd>{h(text)}</dd>"
                    for flag, (title, text) in TURNOUT_FLAGS.items())
    parts.append(html_block(f'<section class="ashyq-check" id="turnout-indicators"><h3>{h("Turnout indicators")}</h3>'
                            f"<dl>{flags}</dl></section>"))
    parts.append(html_block(
        f'<section class="ashyq-check" id="tabulation"><h3>{h("Commission totals against the sum of their stations")}</h3><p>'
        + h("Where a commission (a district, a region) publishes its own total and every one of its stations "
            "publishes the same line, the total must equal the sum. Each figure that differs is listed with both "
            "values and the difference (tabulation_differences.csv).") + "</p></section>"))
    parts.append(html_block(
        f'<section class="ashyq-check" id="two-sources"><h3>{h("The same protocol from two sources")}</h3><p>'
        + h("Where two sources give the same protocol (the official results, a commission's summary table, an "
            "observer's copy), every figure both publish is compared; each figure on which they differ is listed "
            "with both values (source_differences.csv). Neither is corrected: both are published as they are.")
        + "</p></section>"))
    parts.append(html_block(
        f'<section class="ashyq-check" id="distributions"><h3>{h("Distributions over stations")}</h3><p>'
        + h("Turnout histogram; turnout × leader's share density (Klimek, Thurner, Hanel & Sornette, PNAS 2012); "
            "how often turnout and the leader's share are whole or multiple-of-5 percentages, against the rate "
            "expected by chance: for each station, the share of counts drawn from Binomial(list, its own turnout) "
            "that give such a percentage (Kobak, Shpilkin & Pshenichnikov, 2016). These are statistical "
            "indicators with caveats, never proof about a station.")
        + "</p></section>"))
    return "".join(parts)
