"""The corrections page of an election: every published figure that was later corrected, generated
from the package's ``changes`` resource (what changed, in which unit, old and new figures, when)."""
from __future__ import annotations

from .. import urls
from ..data import ElectionData
from ..escape import h, md, safe_url
from ..fragments import breadcrumbs, html_block, link, note, num_cell, row, table, text_cell
from ..naming import election_title, unit_name, unit_url
from ..page import Page
from ..text import line_label, not_published, t


def changelog_page(db, data: ElectionData) -> Page:
    url = urls.changes(data.election_id)
    changes = db.named("election_changes", election_id=data.election_id)
    trail = [(urls.home(), t("elections")), (urls.election(data.election_id), election_title(data))]
    parts = [html_block(breadcrumbs(url, trail)), f"# {md(t('changes'))}\n\n",
             html_block(f"<p>{h(t('changes_intro'))}</p>")]
    if not changes:
        parts.append(note(h(t("no_changes"))))
    else:
        headers = [h(t(key)) for key in ("unit", "field", "old_value", "old_published_on", "new_value",
                                         "changed_on", "about_change")]
        parts.append(html_block(table(headers, [_change_row(url, data, c) for c in changes], sortable=False,
                                      css="ashyq-changes")))
    return Page(url=url, title=f"{t('changes')} — {election_title(data)}", body="".join(parts))


def _change_row(page_url: str, data: ElectionData, change: dict) -> str:
    unit = data.units.get(change["unit_id"])
    unit_cell = link(page_url, unit_url(data, change["unit_id"]), h(unit_name(unit))) if unit else h(change["unit_id"])
    about = h(change["note"] or "")
    source = safe_url(change["url"])
    if source:
        about += f' <a href="{h(source)}">{h(t("source"))}</a>'
    return row([
        text_cell(unit_cell),
        text_cell(h(field_label(change))),
        num_cell(change["old_value"]),
        text_cell(h(change["old_published_on"] or not_published())),
        num_cell(change["new_value"]),
        text_cell(h(change["changed_on"] or not_published())),
        text_cell(about),
    ])


def field_label(change: dict) -> str:
    """A protocol line's label, or "Votes: <choice>" / "Share, %: <choice>" for a choice's figure."""
    field = change["field"]
    kind, _, choice_id = field.partition(":")
    if choice_id:
        key = "votes_of" if kind == "votes" else "share_of"
        return t(key, choice=change["choice_name"] or choice_id)
    if field == "turnout_percent":
        return t("turnout_percent")
    return line_label(field)
