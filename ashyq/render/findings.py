"""A finding as a sentence in the reader's language: what does not add up, with the figures, from the
stored values (status, actual, expected, the report times), not from the English ``detail`` the
findings CSV keeps. The message of every check is a ui_text key named after it (``finding_<id>``;
turnout checks have a ``_count`` and a ``_percent`` form), so a new check cannot go without one
(tests/test_findings.py).

Pages put the unit in front ("PEC 1945: turnout fell from 1,390 voters at 18:00 to 934 …"); badges
put the check's title there instead."""
from __future__ import annotations

from ..checks.registry import BY_ID, turnout_flag_text

PERCENT_CHECKS = {"added_on_day_share"}  # actual and expected are percentages of the list


def check_title(loc, check_id: str) -> str:
    check = BY_ID.get(check_id)
    return check.title_in(loc.lang) if check else check_id


def finding_sentence(loc, finding: dict) -> str:
    """What does not add up, as plain text (escape when used): "turnout fell from 1,390 voters at
    18:00 to 934 at 20:00"; a check that cannot be made says so."""
    check_id = finding.get("check_id")
    if finding.get("status") == "cannot_check":
        return loc.t("finding_cannot_be_made")
    actual, expected = finding.get("actual"), finding.get("expected")
    if actual is None or expected is None:
        return check_title(loc, check_id)
    if check_id in ("turnout_never_decreases", "last_report_le_final"):
        if finding.get("reported_at") is None:  # a row without the report times (the findings table's)
            return loc.t("finding_failed_figures", title=check_title(loc, check_id), actual=loc.number(actual),
                         expected=loc.number(expected))
        by_count = bool(finding.get("by_count"))
        value = loc.number if by_count else (lambda v: loc.percent(v))
        return loc.t(f"finding_{check_id}_{'count' if by_count else 'percent'}",
                     actual=value(actual), expected=value(expected),
                     at=loc.report_time(finding.get("reported_at"), with_date=True),
                     before=loc.report_time(finding.get("previous_at"), with_date=True))
    value = (lambda v: loc.percent(v)) if check_id in PERCENT_CHECKS else loc.number
    return loc.t(f"finding_{check_id}", actual=value(actual), expected=value(expected),
                 difference=_signed(loc, actual - expected))


def finding_text(loc, finding: dict) -> str:
    """A badge's text: the check's name and what does not add up."""
    return f"{check_title(loc, finding.get('check_id'))}: {finding_sentence(loc, finding)}"


def tabulation_sentence(loc, row: dict, field: str, source: str) -> str:
    """A commission's own total against the sum of its stations (``field``: the line's name,
    ``source``: the own figure's source, both in the reader's language)."""
    return loc.t("finding_tabulation", field=field, own=loc.number(row["own_value"]), source=source,
                 total=loc.number(row["sum_value"]), stations=loc.number(row["stations"]),
                 difference=_signed(loc, row["difference"]))


def source_sentence(loc, row: dict, field: str, source_a: str, source_b: str) -> str:
    """The same figure of one protocol as two sources give it."""
    return loc.t("finding_two_sources", field=field, a=loc.number(row["value_a"]), source_a=source_a,
                 b=loc.number(row["value_b"]), source_b=source_b, difference=_signed(loc, row["difference"]))


def turnout_flag_sentence(loc, row: dict) -> str:
    """A turnout indicator: the increment or hourly rate, when, and how far from the others."""
    at = loc.report_time(row.get("reported_at"), with_date=True)
    if row["flag"] == "outlier_increment":
        key = "finding_outlier_increment" if row["value"] >= 0 else "finding_outlier_decrement"
        return loc.t(key, value=loc.decimal(abs(row["value"]), 2), at=at, z=loc.decimal(row["robust_z"], 1))
    if row["flag"] == "second_peak":
        return loc.t("finding_second_peak", value=loc.decimal(row["value"], 2), at=at)
    return turnout_flag_text(row["flag"], loc.lang)[0]


def _signed(loc, value) -> str:
    return ("+" if value and value > 0 else "") + loc.number(value)

