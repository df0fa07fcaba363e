"""Links in built HTML: find each tag's href/src, and resolve a relative one to a file of the site.

The offline copy rewrites links with ``rewrite_links``; the tests check every link with
``resolve_link``. Both skip comments and the bodies of <script> and <style>, which are not markup.
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = frozenset({"href", "src"})

# The tags that can hold an href or src, a comment, or a <script>/<style> element kept whole. Other tags
# (td, span, … most of a results page) are not matched at all, which makes the rewrite 3× faster; their
# attribute values cannot hide a "<a" because markup in them is escaped (&lt;).
_LINK_TAGS = "a|area|base|link|img|script|source|iframe|frame|embed|video|audio|track|input|image|use"
_TAG_BODY = r"""[^'">]*(?:(?:"[^"]*"|'[^']*')[^'">]*)*"""  # quoted values may hold ">"
# A lookahead on the character after "<" rules out most tags (td, span, /td…) before the alternation is
# tried: a third less time on a results page.
_FIRST = "".join(sorted({c for name in (_LINK_TAGS + "|script|style").split("|") for c in (name[0], name[0].upper())}))
_PIECE = re.compile(rf"<(?=[!{_FIRST}])(?:!--.*?-->|(?P<open>(?P<element>script|style)\b{_TAG_BODY}>).*?</(?P=element)\s*>"
                    rf"|(?:{_LINK_TAGS})\b{_TAG_BODY}>)", re.S | re.I)
_ATTRIBUTE = re.compile(r"""(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def rewrite_links(page: str, rewrite) -> str:
    """``page`` with each href/src value ``v`` (HTML-unescaped) replaced by ``rewrite(v)`` if not None."""
    return rewrite_tags(page, lambda tag: rewrite_tag(tag, rewrite))


def rewrite_tags(page: str, rewrite: Callable[[str], str]) -> str:
    """``page`` with each tag that can hold a link replaced by ``rewrite(tag)`` (comments and the
    bodies of <script>/<style> are skipped)."""
    out, done = [], 0
    for match in _PIECE.finditer(page):
        text = match.group(0)
        if match.group("open"):  # of <script>…</script>, only the opening tag is markup
            text = text[:match.end("open") - match.start()]
        elif text.startswith("<!--"):
            continue
        new = rewrite(text)
        if new != text:
            out.append(page[done:match.start()])
            out.append(new)
            done = match.start() + len(text)
    out.append(page[done:])
    return "".join(out)


def rewrite_tag(tag: str, rewrite) -> str:
    """One tag's text with each href/src value rewritten as in ``rewrite_links``."""
    def attribute(match: re.Match) -> str:
        space, key, equals, raw = match.groups()
        if raw is None or key.lower() not in LINK_ATTRIBUTES:
            return match.group(0)
        new = rewrite(html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw))
        if new is None:
            return match.group(0)
        return f'{space}{key}{equals}"{html.escape(new, quote=True)}"'
    # Each match is a whole attribute, quoted value included, so text inside a value is never a match.
    return _ATTRIBUTE.sub(attribute, tag)


def is_external(url: str) -> bool:
    """A URL with a scheme (https:, mailto:, data:, …) or a network path (//host/…)."""
    return url.startswith("//") or bool(urlsplit(url).scheme)


def resolve_link(page: str, url: str) -> str | None:
    """The site-relative POSIX path a relative ``url`` on ``page`` points at ('' = site root).

    None for URLs that are not relative paths: external, root-absolute, fragment- or query-only.
    '..'-prefixed results mean the link leaves the site.
    """
    if not url or is_external(url) or url.startswith(("/", "#", "?")):
        return None
    path = unquote(urlsplit(url).path)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    return "" if joined == "." else joined


def split_url(url: str) -> tuple[str, str]:
    """(path, '?query#fragment' suffix) of a relative URL."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut], url[cut:]


def index_folders(site_dir: Path) -> set[str]:
    """Site-relative folders that hold an index.html ('' = the root)."""
    folders = set()
    for index in Path(site_dir).rglob("index.html"):
        folder = index.parent.relative_to(site_dir).as_posix()
        folders.add("" if folder == "." else folder)
    return folders


# --- Checking a built site: every internal link resolves, nothing is loaded from outside. ---

# Tags whose href/src/… the browser fetches on its own (a plain <a href> is only followed if clicked).
_LOADED_LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                               "prefetch", "preconnect", "dns-prefetch", "manifest", "mask-icon"})
_LOADING = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
            "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",),
            "input": ("src",), "track": ("src",), "image": ("href",), "use": ("href",)}
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)|@import\s+(["'])([^"']+)\3""", re.I)


@dataclass(frozen=True)
class FoundLink:
    page: str  # site-relative path of the file the link is in
    tag: str
    attribute: str
    url: str
    loads: bool  # fetched by the browser when the page opens (scripts, styles, images, fonts)


class _LinkParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.found, self.ids, self._in_style = page, [], set(), False

    def handle_starttag(self, tag, attrs):
        attributes = {key.lower(): value for key, value in attrs if value is not None}
        for key in ("id", "name"):
            if key in attributes:
                self.ids.add(attributes[key])
        rels = set(attributes.get("rel", "").lower().split())
        for key in ("href", "src", "srcset", "poster", "data", "xlink:href"):
            if key not in attributes:
                continue
            loads = key in _LOADING.get(tag, ()) or (tag == "link" and bool(rels & _LOADED_LINK_RELS))
            urls = [part.split()[0] for part in attributes[key].split(",") if part.strip()] \
                if key == "srcset" else [attributes[key].strip()]
            self.found.extend(FoundLink(self.page, tag, key, url, loads) for url in urls)
        if "style" in attributes:
            self._css(tag, attributes["style"])
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css("style", data)

    def _css(self, tag: str, css: str) -> None:
        self.found.extend(FoundLink(self.page, tag, "url()", url, True) for url in css_urls(css))


def css_urls(css: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in _CSS_URL.finditer(css)]


def scan_page(page: str, text: str) -> tuple[list[FoundLink], set[str]]:
    """Links in an HTML page and the ids (anchors) it defines."""
    parser = _LinkParser(page)
    parser.feed(text)
    parser.close()
    return parser.found, parser.ids


def check_site(site_dir: Path, check_anchors: bool = True, folder_links: bool = True) -> list[str]:
    """Every problem with links in a built site, as readable lines; empty when all is well.

    Broken: a relative or root-absolute link to a file that is not in the site (a folder counts if it
    has an index.html), or to an anchor its page lacks. External: any resource loaded from outside
    (http(s)://, //host), in HTML and CSS. Links a reader clicks to other sites are fine.
    ``folder_links=False`` (for file://, where a folder shows as a listing): a link must name a file.
    """
    site_dir = Path(site_dir)
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    folders = index_folders(site_dir)
    base = _base_path(site_dir)
    found, anchors = [], {}
    for page in sorted(f for f in files if f.endswith(".html")):
        links_, ids = scan_page(page, (site_dir / page).read_text(encoding="utf-8"))
        found.extend(links_)
        anchors[page] = ids
    for css in sorted(f for f in files if f.endswith(".css")):
        text = (site_dir / css).read_text(encoding="utf-8", errors="replace")
        found.extend(FoundLink(css, "css", "url()", url, True) for url in css_urls(text))

    problems = []
    for link in found:
        url = link.url
        if url.startswith("data:") or url.startswith(("javascript:", "mailto:", "tel:")):
            continue
        if is_external(url):
            if link.loads:
                problems.append(f"{link.page}: <{link.tag} {link.attribute}> loads an external resource: {url}")
            continue
        if url.startswith("/"):
            if not url.startswith(base):
                problems.append(f"{link.page}: root-absolute link outside the site's path {base!r}: {url}")
                continue
            target = resolve_link("index.html", "./" + url[len(base):])
        else:
            target = resolve_link(link.page, url)
        if target is None:  # '#anchor' or '?query' on the same page
            target = link.page
        if target.startswith("../") or target == "..":
            problems.append(f"{link.page}: link leaves the site: {url}")
            continue
        if target in folders:
            if not folder_links:
                problems.append(f"{link.page}: link to a folder, not its index.html: {url}")
                continue
            target = f"{target}/index.html" if target else "index.html"
        if target not in files:
            problems.append(f"{link.page}: broken link (no file {target!r}): {url}")
            continue
        fragment = unquote(urlsplit(url).fragment)
        if check_anchors and fragment and target in anchors and fragment not in anchors[target]:
            problems.append(f"{link.page}: broken anchor (no id {fragment!r} in {target}): {url}")
    return problems


def _base_path(site_dir: Path) -> str:
    """The URL path the site is served under, read from its sitemap ('/' if it has none)."""
    sitemap = Path(site_dir) / "sitemap.xml"
    if sitemap.is_file():
        match = re.search(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))
        if match:
            path = urlsplit(html.unescape(match.group(1))).path
            return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return "/"
