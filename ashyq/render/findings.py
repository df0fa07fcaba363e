"""A finding as a sentence in the reader's language: the check's name and the figures that do not
add up, from the stored values (status, actual, expected), not from the English ``detail`` the
findings CSV keeps."""
from __future__ import annotations

from ..checks.registry import BY_ID


def check_title(loc, check_id: str) -> str:
    check = BY_ID.get(check_id)
    return check.title_in(loc.lang) if check else check_id


def finding_text(loc, finding: dict) -> str:
    title = check_title(loc, finding.get("check_id"))
    if finding.get("status") == "cannot_check":
        return loc.t("finding_cannot_check", title=title)
    actual, expected = finding.get("actual"), finding.get("expected")
    if actual is None or expected is None:
        return title
    return loc.t("finding_failed_figures", title=title, actual=loc.number(actual), expected=loc.number(expected))


def status_label(loc, status: str, check_id: str) -> str:
    """"does not add up" (a control ratio), "flagged" (an indicator), "cannot be checked"."""
    if status == "cannot_check":
        return loc.t("status_cannot_check")
    check = BY_ID.get(check_id)
    return loc.t(f"badge_{check.kind}" if check else "status_failed")
