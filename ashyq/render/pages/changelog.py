"""The corrections page of an election: every published figure that was later corrected, generated
from the package's ``changes`` resource (what changed, in which unit, old and new figures, when)."""
from __future__ import annotations

from .. import urls
from ..data import ElectionData
from ..escape import data_text, h, md, safe_url
from ..fragments import breadcrumbs, html_block, link, note, num_cell, row, table, text_cell
from ..naming import election_title, unit_name, unit_url
from ..page import Page
from ..locale import Locale


def changelog_page(loc: Locale, db, data: ElectionData) -> Page:
    url = urls.changes(loc.lang, data.election_id)
    changes = db.named("election_changes", election_id=data.election_id)
    trail = [(urls.home(loc.lang), loc.t("elections")), (urls.election(loc.lang, data.election_id), election_title(loc, data))]
    parts = [html_block(breadcrumbs(loc, url, trail)), f"# {md(loc.t('changes'))}\n\n",
             html_block(f"<p>{h(loc.t('changes_intro'))}</p>")]
    if not changes:
        parts.append(note(h(loc.t("no_changes"))))
    else:
        headers = [h(loc.t(key)) for key in ("unit", "field", "old_value", "old_published_on", "new_value",
                                         "changed_on", "about_change")]
        parts.append(html_block(table(headers, [_change_row(loc, url, data, c) for c in changes], sortable=False,
                                      css="ashyq-changes", label=loc.t("changes"))))
    return Page(url=url, title=f"{loc.t('changes')} — {election_title(loc, data)}", body="".join(parts))


def _change_row(loc: Locale, page_url: str, data: ElectionData, change: dict) -> str:
    unit = data.units.get(change["unit_id"])
    unit_cell = link(page_url, unit_url(loc, data, change["unit_id"]), loc.name_html(unit_name(loc, unit))) if unit else h(change["unit_id"])
    about = data_text(change["note"])
    source = safe_url(change["url"])
    if source:
        about += f' <a href="{h(source)}">{h(loc.t("source"))}</a>'
    return row([
        text_cell(unit_cell),
        text_cell(h(field_label(loc, change))),
        num_cell(loc, change["old_value"]),
        text_cell(h(loc.date(change["old_published_on"]))),
        num_cell(loc, change["new_value"]),
        text_cell(h(loc.date(change["changed_on"]))),
        text_cell(about),
    ])


def field_label(loc: Locale, change: dict) -> str:
    """A protocol line's label, or "Votes: <choice>" / "Share, %: <choice>" for a choice's figure."""
    field = change["field"]
    kind, _, choice_id = field.partition(":")
    if choice_id:
        key = "votes_of" if kind == "votes" else "share_of"
        return loc.t(key, choice=loc.name(change, "choice_name", default=choice_id))
    if field == "turnout_percent":
        return loc.t("turnout_percent")
    return loc.line(field)
