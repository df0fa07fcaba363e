"""Reference pages generated from the contract and the packages' metadata: the data dictionary,
about (sources and licences), downloads; and the markers that fill hand-written pages
(``<!-- contract-fields: units -->`` …) so their tables cannot drift from the contract."""
from __future__ import annotations

import re
from pathlib import Path

from ... import contract
from .. import slots, urls
from ..escape import data_text, h, md, safe_url
from ..fragments import html_block, link, note, row, table, text_cell
from ..page import Page
from ..locale import LANGUAGE_NAMES, Locale, texts
from ..naming import package_title
from ...publish import release

HAND_WRITTEN_LOCALE = Locale("en")  # hand-written pages are in English: their generated tables too
MARKER = re.compile(r"<!--\s*([a-z][a-z-]*)(?:\s*:\s*([A-Za-z0-9_-]+))?\s*-->")


# ---- data dictionary -------------------------------------------------------------------------

def data_dictionary_page(loc: Locale) -> Page:
    url = urls.page(loc.lang, "data-dictionary")
    parts = [f"# {md(loc.t('data_dictionary'))}\n\n",
             html_block("<p>" + h(loc.t("dictionary_intro", missing=loc.not_published)) + "</p>"
                        + ("" if loc.lang == "en" else "<p>" + h(loc.t("dictionary_english_descriptions")) + "</p>"))]
    parts.append(f"## {md(loc.t('protocol_lines'))}\n\n")
    parts.append(html_block(protocol_lines_table(loc)))
    for resource in contract.resource_names():
        spec = contract.resource_spec(resource)
        # the file's name is an identifier in every language: a heading of its own, out of the nav
        parts.append(html_block(f'<h2 id="{h(resource)}"><code>{h(resource)}.csv</code></h2>'
                                f"<p><strong>{_english(loc, spec.get('title', ''))}</strong></p>"
                                + resource_intro(loc, resource)))
        parts.append(html_block(fields_table(loc, resource)))
    # no table of contents: its headings are the files' names, identifiers in every language
    return Page(url=url, title=loc.t("data_dictionary"), body="".join(parts), hide=["toc"])


def protocol_lines_table(loc: Locale) -> str:
    languages = ("en", "ru", "kk")
    headers = [h(loc.t("field"))] + [f'<span lang="{lang}">{h(LANGUAGE_NAMES[lang])}</span>' for lang in languages]
    rows = [row([text_cell(f"<code>{h(line.name)}</code>")]
                + [text_cell(f'<span lang="{lang}">{h(line.labels[lang])}</span>') for lang in languages])
            for line in contract.protocol_lines()]
    return table(headers, rows, sortable=False, label=loc.t("protocol_lines"))


def resource_intro(loc: Locale, resource: str) -> str:
    spec = contract.resource_spec(resource)
    required = loc.t("resource_required") if resource in contract.required_resources() else loc.t("resource_optional")
    key = ", ".join(spec["primary_key"])
    return (f"<p>{_english(loc, spec.get('description', ''))}</p><p><em>{h(required)}</em> · {h(loc.t('primary_key'))}: "
            f"<code>{h(key)}</code></p>")


def fields_table(loc: Locale, resource: str) -> str:
    """The fields of one resource, straight from the contract (protocol lines expanded)."""
    headers = [h(loc.t("field")), h(loc.t("type")), h(loc.t("required")), h(loc.t("constraints")), h(loc.t("description"))]
    rows = []
    for field in contract.fields(resource):
        constraints = []
        for key in ("minimum", "maximum", "enum", "pattern", "format"):
            if key in field:
                value = ", ".join(map(str, field[key])) if isinstance(field[key], list) else field[key]
                constraints.append(f"{key}: {value}")
        if field.get("id"):
            constraints.append(loc.t("identifier_constraint"))
        rows.append(row([text_cell(f"<code>{h(field['name'])}</code>"), text_cell(f"<code>{h(field['type'])}</code>"),
                         text_cell(h(loc.t("yes") if field.get("required") else loc.t("no"))),
                         text_cell(f"<code>{h('; '.join(constraints))}</code>" if constraints else ""),
                         text_cell(_english(loc, field.get("description", "")))]))
    return table(headers, rows, sortable=False, css="ashyq-fields")


def _english(loc: Locale, text: str, escape=h) -> str:
    """The contract's descriptions are written in English: on a kk or ru page they say so."""
    if not text or loc.lang == "en":
        return escape(text or "")
    return f'<span lang="en" class="ashyq-untranslated">{escape(text)}</span>'


# ---- markers in hand-written pages -------------------------------------------------------------

def _contract_fields(arg: str | None, context: dict) -> str:
    loc = context.get("loc") or HAND_WRITTEN_LOCALE
    if arg not in contract.resource_names():
        raise ValueError(f"contract-fields: unknown resource {arg!r}")
    return html_block(resource_intro(loc, arg) + fields_table(loc, arg))


def _contract_lines(arg, context) -> str:
    loc = context.get("loc") or HAND_WRITTEN_LOCALE
    return html_block(protocol_lines_table(loc))


def _contract_resources(arg, context) -> str:
    loc = context.get("loc") or HAND_WRITTEN_LOCALE
    headers = [h(loc.t("file")), h(loc.t("description")), h(loc.t("required"))]
    rows = [row([text_cell(f"<code>{h(r)}.csv</code>"), text_cell(h(contract.resource_spec(r).get("title", ""))),
                 text_cell(h(loc.t("yes") if r in contract.required_resources() else loc.t("no")))])
            for r in contract.resource_names()]
    return html_block(table(headers, rows, sortable=False))


def _checks_methodology(arg, context) -> str:
    """Hook for the checks stage: its registry describes every check (formula, lines, source)."""
    loc = context.get("loc") or HAND_WRITTEN_LOCALE
    try:
        from ... import checks
    except ImportError:
        checks = None
    describe = getattr(checks, "methodology_markdown", None)
    if describe is None:
        return html_block("<p>" + h(loc.t("no_checks")) + "</p>")
    return describe(loc) + "\n\n"


def _package_sources(arg, context) -> str:
    loc = context.get("loc") or HAND_WRITTEN_LOCALE
    return about_sections(loc, context.get("packages", []))


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

def about_sections(loc: Locale, packages) -> str:
    parts = []
    for package in packages:
        parts.append(f"### {loc.name_html(package_title(loc, package), md)}\n\n")
        parts.append(html_block(about_list(loc, package)))
    return "".join(parts)


# Licence names of the Open Definition's list that say there is no licence or a licence without an
# identifier: the title says it in words; "(notspecified)" or "(other-open)" would say nothing more.
NOT_A_LICENCE_ID = {"notspecified", "other-open", "other-at", "other-closed", "other-nc", "other-pd"}


def about_list(loc: Locale, package) -> str:
    """A package's version, licences and sources, as a list."""
    d = package.descriptor
    items = [f"<li>{h(loc.t('package'))}: <code>{h(package.id)}</code> · {h(loc.t('version'))} {h(d.get('version', ''))}</li>"]
    for lic in d.get("licenses", []):
        name = lic.get("name")
        shown = name and lic.get("title") and name not in NOT_A_LICENCE_ID
        items.append(f"<li>{h(loc.t('licence'))}: {_titled_link(lic.get('title') or name, lic.get('path'))}"
                     f"{' (' + data_text(name) + ')' if shown else ''}</li>")
    for src in d.get("sources", []):
        items.append(f"<li>{h(loc.t('source'))}: {_titled_link(src.get('title'), src.get('path') or src.get('url'))}"
                     f"{' — ' + data_text(src['description']) if src.get('description') else ''}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _titled_link(title, url) -> str:
    safe = safe_url(url)
    text = data_text(title or url or "")
    return f'<a href="{h(safe)}" rel="nofollow noopener">{text}</a>' if safe else text


# ---- downloads --------------------------------------------------------------------------------

LEVEL_ORDER = ("country", "region", "area", "district", "station")


def downloads_page(loc: Locale, packages, downloads: list, contests: dict[tuple[str, str], dict]) -> Page:
    """``contests``: (election, contest) → the contest's row (its names, its kind), to describe each
    file. Per election: the whole package and the turnout reports, then one row per contest and level
    with its formats side by side; constituencies' files folded, each region's and district's own
    files on that unit's page, checksums in the site's SHA256SUMS, sources and licences folded: the
    page stays within a few phone screens per election."""
    url = urls.downloads(loc.lang)
    parts = [f"# {md(loc.t('downloads'))}\n\n", html_block(
        f"<p>{h(loc.t('downloads_intro'))}</p>"
        + "<p>" + h(loc.t("downloads_columns")) + " "
        + link(url, urls.page(loc.lang, "data-dictionary"), h(loc.t("data_dictionary"))) + "</p>"
        + "<p>" + h(loc.t("downloads_checksums")) + " " + link(url, "SHA256SUMS", "<code>SHA256SUMS</code>")
        + " <small>(<code>sha256sum -c SHA256SUMS</code>)</small></p>")]
    parts.append(_release_section(loc, downloads, contests))
    for package in packages:
        parts.append(f'## {loc.name_html(package_title(loc, package), md)} {{ #{package.id} }}\n\n')
        mine = [d for d in downloads if d.election_id == package.id and not d.unit_id]
        whole = [d for d in mine if d.level in ("package", "turnout")]
        by_table = [d for d in mine if d.level not in ("package", "turnout")]
        items = [f"<li>{_files_html(loc, url, files)} — {download_description(loc, files[0], contests)}</li>"
                 for files in _by_stem(whole)]
        html = f'<ul class="ashyq-downloads-whole">{"".join(items)}</ul>'
        main, constituencies = [], []
        for files in _by_stem(by_table):
            contest = contests.get((package.id, files[0].contest_id)) or {}
            single = contest.get("kind") == "single_member" and contest.get("constituency")
            (constituencies if single else main).append(files)
        if main:
            html += _tables_table(loc, url, main, contests)
        if constituencies:
            html += ("<details class=\"ashyq-more\"><summary>"
                     + h(loc.t("downloads_constituencies", n=loc.number(len({f[0].contest_id for f in constituencies}))))
                     + "</summary>" + _tables_table(loc, url, constituencies, contests) + "</details>")
        per_unit = [d for d in downloads if d.election_id == package.id and d.unit_id]
        if per_unit:
            text = h(loc.t("units_downloads", files=loc.number(len(per_unit)), folder="@@",
                           size=loc.size(sum(d.size for d in per_unit))))
            html += note(text.replace("@@", "<code>units/</code>"))
        parts.append(html_block(html))
        parts.append(html_block(f"<details class=\"ashyq-more\"><summary>{h(loc.t('sources_and_licence'))}</summary>"
                                + about_list(loc, package) + "</details>"))
    return Page(url=url, title=loc.t("downloads"), body="".join(parts))


def _by_stem(downloads: list) -> list[list]:
    """The same table in its formats (csv, parquet, json), together; tables in path order."""
    grouped: dict[str, list] = {}
    for d in sorted(downloads, key=lambda d: str(d.path)):
        grouped.setdefault(str(d.path).rsplit(".", 1)[0], []).append(d)
    order = {"csv": 0, "parquet": 1, "json": 2, "zip": 3}
    return [sorted(files, key=lambda d: order.get(d.format, 9)) for files in grouped.values()]


def _release_section(loc: Locale, downloads: list, contests: dict) -> str:
    """The GitHub Release's files (publish/release.py): each linked by its asset URL, with what it
    holds, its size and SHA-256; the offline copy's size and hash are filled in by publish, and the
    tag in every URL too (the placeholders ``release.TAG`` …): they depend on the copy itself."""
    name = '<span lang="en">GitHub Release</span>'
    code = lambda text: f"<code>{h(text)}</code>"  # noqa: E731
    rows = [row([text_cell(f'<a href="{h(release.asset_url(release.OFFLINE_ASSET))}">{code(release.OFFLINE_ASSET)}</a>'),
                 text_cell(h(loc.t("release_offline", index="@@")).replace("@@", code("index.html"))),
                 text_cell(release.OFFLINE_SIZE, attrs=' class="num"'),
                 text_cell(f"<code>{release.OFFLINE_SHA256}</code>")])]
    tables = []  # the station tables, many with constituencies: folded below the whole packages
    for d in sorted((d for d in downloads if d.release), key=lambda d: d.release):
        what = download_description(loc, d, contests)
        if d.level != "package":  # a package's description already says it is a zip
            what += " · " + h(FORMAT_NAMES.get(d.format, d.format))
        (rows if d.level == "package" else tables).append(row([
            text_cell(f'<a href="{h(release.asset_url(d.release))}">{code(d.release)}</a>'), text_cell(what),
            text_cell(h(loc.size(d.size)), attrs=' class="num"'), text_cell(f"<code>{h(d.sha256)}</code>")]))
    rows.append(row([text_cell(f'<a href="{h(release.asset_url("SHA256SUMS"))}">{code("SHA256SUMS")}</a>'),
                     text_cell(h(loc.t("release_sums"))), text_cell(""), text_cell("")]))
    headers = [h(loc.t(k)) for k in ("release_file", "release_what", "release_size")] + ["SHA-256"]
    folded = ""
    if tables:
        folded = ('<details class="ashyq-more"><summary>'
                  + h(loc.t("release_station_tables", n=loc.number(len(tables)))) + "</summary>"
                  + table(headers, tables, sortable=False, searchable=False, css="ashyq-downloads ashyq-release")
                  + "</details>")
    verify = h(loc.t("release_verify", sums="@1", command="@2", ok="@3", ignore="@4"))
    for key, value in (("@1", "SHA256SUMS"), ("@2", "sha256sum -c SHA256SUMS"), ("@3", "OK"), ("@4", "--ignore-missing")):
        verify = verify.replace(key, code(value))
    return (f'## {md(loc.t("release_heading"))} {{ #release }}\n\n'
            + html_block(f'<p>{h(loc.t("release_intro", release="@@")).replace("@@", name)}</p>'
                         + table(headers, rows, sortable=False, searchable=False, css="ashyq-downloads ashyq-release")
                         + folded + f"<p>{verify}</p>"))


def _download_href(url: str, d) -> str:
    return release.asset_url(d.release) if d.release else urls.relative(url, urls.download_file(str(d.path)))


def _files_html(loc: Locale, url: str, files: list) -> str:
    """"CSV 501.4 kB · Parquet 30.8 kB · JSON 2.5 MB", each a link (its file name on hover)."""
    return " · ".join(
        f'<span class="ashyq-file"><a href="{h(_download_href(url, d))}" '
        f'title="{h(Path(str(d.path)).name)}">{h(FORMAT_NAMES.get(d.format, d.format))}</a>&nbsp;'
        f"<small>{h(loc.size(d.size))}</small></span>" for d in files)


FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "json": "JSON", "zip": "ZIP"}


def _tables_table(loc: Locale, url: str, tables: list[list], contests: dict) -> str:
    """One row per contest and level: the contest (once), the level, the rows, the formats."""
    rows, previous = [], None
    for files in sorted(tables, key=lambda fs: (_contest_order(fs[0], contests), _level_order(fs[0].level))):
        d = files[0]
        contest = contests.get((d.election_id, d.contest_id))
        name = loc.name_html(loc.name(contest, default=d.contest_id)) if contest else h(d.contest_id or "")
        level = loc.level(d.level) if f"level_{d.level}" in texts() else d.level
        rows.append(row([text_cell(name if d.contest_id != previous else ""), text_cell(h(level)),
                         text_cell("" if d.rows is None else loc.number(d.rows), attrs=' class="num"'),
                         text_cell(_files_html(loc, url, files))]))
        previous = d.contest_id
    return table([h(loc.t(k)) for k in ("contest", "level", "rows", "files")], rows, sortable=False,
                 searchable=False, css="ashyq-downloads")


def _contest_order(download, contests: dict) -> tuple:
    """The contests in the order of the election page (``contests`` is built in that order)."""
    keys = list(contests)
    key = (download.election_id, download.contest_id)
    return (keys.index(key) if key in contests else len(keys), download.contest_id or "")


def _level_order(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def download_description(loc: Locale, download, contests: dict[tuple[str, str], dict]) -> str:
    """What a file holds, in the reader's language (escaped HTML)."""
    if download.level == "turnout":
        return h(loc.t("download_turnout"))
    if download.level == "package":
        if download.format == "zip":
            return h(loc.t("download_package"))
        if download.format == "json":
            return h(loc.t("download_descriptor"))
        return _english(loc, download.description)
    contest = contests.get((download.election_id, download.contest_id))
    name = loc.name(contest, default=download.contest_id) if contest else download.contest_id or ""
    level = loc.level(download.level) if f"level_{download.level}" in texts() else download.level
    return loc.name_html(name) + h(loc.t("download_level", contest="", level=level))
