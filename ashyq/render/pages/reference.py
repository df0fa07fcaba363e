"""Reference pages generated from the contract and the packages' metadata: the data dictionary,
about (sources and licences), downloads; and the markers that fill hand-written pages
(``<!-- contract-fields: units -->`` …) so their tables cannot drift from the contract."""
from __future__ import annotations

import re
from pathlib import Path

from ... import contract
from .. import slots, urls
from ..escape import h, md, safe_url
from ..fragments import html_block, link, note, row, table, text_cell
from ..page import Page
from ..text import LANGUAGE, t
from .unit import file_size

MARKER = re.compile(r"<!--\s*([a-z][a-z-]*)(?:\s*:\s*([A-Za-z0-9_-]+))?\s*-->")


# ---- data dictionary -------------------------------------------------------------------------

def data_dictionary_page() -> Page:
    url = urls.page("data-dictionary")
    parts = [f"# {md(t('data_dictionary'))}\n\n",
             html_block("<p>" + h(t("dictionary_intro", missing=contract.missing_value_label())) + "</p>")]
    parts.append(f"## {md(t('protocol_lines'))}\n\n")
    parts.append(html_block(protocol_lines_table()))
    for resource in contract.resource_names():
        spec = contract.resource_spec(resource)
        parts.append(f"## {md(resource)}.csv — {md(spec.get('title', ''))}\n\n")
        parts.append(html_block(resource_intro(resource)))
        parts.append(html_block(fields_table(resource)))
    return Page(url=url, title=t("data_dictionary"), body="".join(parts))


def protocol_lines_table() -> str:
    headers = [h(t("field")), "English", "Русский", "Қазақша"]
    rows = [row([text_cell(f"<code>{h(line.name)}</code>")] + [text_cell(h(line.labels[lang])) for lang in ("en", "ru", "kk")])
            for line in contract.protocol_lines()]
    return table(headers, rows, sortable=False)


def resource_intro(resource: str) -> str:
    spec = contract.resource_spec(resource)
    required = t("resource_required") if resource in contract.required_resources() else t("resource_optional")
    key = ", ".join(spec["primary_key"])
    return (f"<p>{h(spec.get('description', ''))}</p><p><em>{h(required)}</em> · {h(t('primary_key'))}: "
            f"<code>{h(key)}</code></p>")


def fields_table(resource: str) -> str:
    """The fields of one resource, straight from the contract (protocol lines expanded)."""
    headers = [h(t("field")), h(t("type")), h(t("required")), h(t("constraints")), h(t("description"))]
    rows = []
    for field in contract.fields(resource):
        constraints = []
        for key in ("minimum", "maximum", "enum", "pattern", "format"):
            if key in field:
                value = ", ".join(map(str, field[key])) if isinstance(field[key], list) else field[key]
                constraints.append(f"{key}: {value}")
        if field.get("id"):
            constraints.append(t("identifier_constraint"))
        rows.append(row([text_cell(f"<code>{h(field['name'])}</code>"), text_cell(h(field["type"])),
                         text_cell(h(t("yes") if field.get("required") else t("no"))),
                         text_cell(h("; ".join(constraints))), text_cell(h(field.get("description", "")))]))
    return table(headers, rows, sortable=False, css="ashyq-fields")


# ---- markers in hand-written pages -------------------------------------------------------------

def _contract_fields(arg: str | None, context: dict) -> str:
    if arg not in contract.resource_names():
        raise ValueError(f"contract-fields: unknown resource {arg!r}")
    return html_block(resource_intro(arg) + fields_table(arg))


def _contract_lines(arg, context) -> str:
    return html_block(protocol_lines_table())


def _contract_resources(arg, context) -> str:
    headers = [h(t("file")), h(t("description")), h(t("required"))]
    rows = [row([text_cell(f"<code>{h(r)}.csv</code>"), text_cell(h(contract.resource_spec(r).get("title", ""))),
                 text_cell(h(t("yes") if r in contract.required_resources() else t("no")))])
            for r in contract.resource_names()]
    return html_block(table(headers, rows, sortable=False))


def _checks_methodology(arg, context) -> str:
    """Hook for the checks stage: its registry describes every check (formula, lines, source)."""
    try:
        from ... import checks
    except ImportError:
        checks = None
    describe = getattr(checks, "methodology_markdown", None)
    if describe is None:
        return html_block("<p>" + h(t("no_checks")) + "</p>")
    return describe() + "\n\n"


def _package_sources(arg, context) -> str:
    return about_sections(context.get("packages", []))


MARKERS = {
    "contract-fields": _contract_fields,
    "contract-lines": _contract_lines,
    "contract-resources": _contract_resources,
    "checks-methodology": _checks_methodology,
    "package-sources": _package_sources,
}


def expand_markers(text: str, context: dict) -> str:
    """Replace every known ``<!-- name: arg -->`` marker; other HTML comments stay as they are."""
    def replace(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2)
        if name not in MARKERS:
            return match.group(0)
        return "\n\n" + MARKERS[name](arg, context)
    return slots.unmark(MARKER.sub(replace, text))


# ---- about: sources and licences -------------------------------------------------------------

def about_sections(packages) -> str:
    parts = []
    for package in packages:
        d = package.descriptor
        parts.append(f"### {md(package.title(LANGUAGE))}\n\n")
        items = [f"<li>{h(t('package'))}: <code>{h(package.id)}</code> · {h(t('version'))} {h(d.get('version', ''))}</li>"]
        for lic in d.get("licenses", []):
            items.append(f"<li>{h(t('licence'))}: {_titled_link(lic.get('title') or lic.get('name'), lic.get('path'))}"
                         f"{' (' + h(lic['name']) + ')' if lic.get('name') and lic.get('title') else ''}</li>")
        for src in d.get("sources", []):
            items.append(f"<li>{h(t('source'))}: {_titled_link(src.get('title'), src.get('path') or src.get('url'))}"
                         f"{' — ' + h(src['description']) if src.get('description') else ''}</li>")
        parts.append(html_block("<ul>" + "".join(items) + "</ul>"))
    return "".join(parts)


def _titled_link(title, url) -> str:
    safe = safe_url(url)
    text = h(title or url or "")
    return f'<a href="{h(safe)}" rel="nofollow noopener">{text}</a>' if safe else text


# ---- downloads --------------------------------------------------------------------------------

def downloads_page(packages, downloads: list) -> Page:
    url = urls.downloads()
    parts = [f"# {md(t('downloads'))}\n\n"]
    for package in packages:
        parts.append(f'## {md(package.title(LANGUAGE))} {{ #{package.id} }}\n\n')
        mine = sorted((d for d in downloads if d.election_id == package.id and not d.unit_id), key=lambda d: str(d.path))
        headers = [h(t("file")), h(t("format")), h(t("size")), h(t("rows")), "SHA-256"]
        rows = []
        for d in mine:
            target = f"downloads/{d.path}"
            rows.append(row([text_cell(link(url, target, h(Path(str(d.path)).name))
                                       + (f"<br><small>{h(d.description)}</small>" if d.description else "")),
                             text_cell(h(d.format)),
                             text_cell(f"{d.size:,}", attrs=' class="num"'),
                             text_cell("" if d.rows is None else f"{d.rows:,}", attrs=' class="num"'),
                             text_cell(f'<code class="ashyq-sha">{h(d.sha256)}</code>')]))
        parts.append(html_block(table(headers, rows, searchable=False, numeric_from=2, text_after=4)))
        per_unit = [d for d in downloads if d.election_id == package.id and d.unit_id]
        if per_unit:
            parts.append(html_block(note(h(t("units_downloads", files=f"{len(per_unit):,}",
                                               size=file_size(sum(d.size for d in per_unit)))))))
        parts.append(about_sections([package]))
    return Page(url=url, title=t("downloads"), body="".join(parts))
