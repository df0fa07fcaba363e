"""The bare root of the site: ``index.html`` sends the reader to her language (the first of the
browser's languages the site has, Kazakh otherwise) and ``404.html`` (which GitHub Pages serves for
any missing path) says "not found" in the three languages. Both have plain links to the three home
pages for readers without JavaScript, load nothing, and request nothing outside the site."""
from __future__ import annotations

from pathlib import Path

from . import urls
from .escape import h
from .locale import DEFAULT, LANGUAGE_NAMES, LANGUAGES, Locale

# The reader's language: a page path's own prefix (/…/ru/…), else navigator.languages, else Kazakh.
# From a file:// copy a folder does not open its index.html by itself: it is named.
_CHOOSE = """
(function () {
  var langs = %(langs)s, fallback = %(default)s;
  function pick() {
    var wanted = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split("-")[0];
      if (langs.indexOf(code) >= 0) return code;
    }
    return fallback;
  }
  var index = location.protocol === "file:" ? "index.html" : "";
  %(body)s
})();
"""
_GO_HOME = 'location.replace(pick() + "/" + index);'
# On a 404 at any depth: the links lead to the homes beside the language folder in the path.
_FIX_LINKS = """
  var parts = location.pathname.split("/"), base = "", lang = pick();
  for (var j = parts.length - 1; j >= 0; j--) {
    if (langs.indexOf(parts[j]) >= 0) { lang = parts[j]; base = parts.slice(0, j).join("/") + "/"; break; }
  }
  if (!base) base = "/";
  document.querySelectorAll("a[data-lang]").forEach(function (a) {
    a.href = base + a.getAttribute("data-lang") + "/" + index;
  });
  var first = document.querySelector('[lang="' + lang + '"].ashyq-message');
  if (first) first.parentNode.insertBefore(first, first.parentNode.firstChild);
"""
_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}"
          "a{color:#00695c}ul{padding:0;list-style:none}li{margin:.5rem 0}")


def write_root_pages(site_dir: Path) -> None:
    site_dir = Path(site_dir)
    (site_dir / "index.html").write_text(chooser_page(), encoding="utf-8")
    (site_dir / "404.html").write_text(not_found_page(), encoding="utf-8")


def _script(body: str) -> str:
    return _CHOOSE % {"langs": '["' + '", "'.join(LANGUAGES) + '"]', "default": f'"{DEFAULT}"', "body": body}


def _links() -> str:
    return "<ul>" + "".join(
        f'<li><a href="{h(urls.home(lang))}" hreflang="{lang}" lang="{lang}" data-lang="{lang}">'
        f'{h(LANGUAGE_NAMES[lang])}</a></li>' for lang in LANGUAGES) + "</ul>"


def _page(title: str, body: str, script: str) -> str:
    return (f'<!doctype html>\n<html lang="{DEFAULT}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">\n<title>{h(title)}</title>\n'
            + "".join(f'<link rel="alternate" hreflang="{lang}" href="{h(urls.home(lang))}">\n' for lang in LANGUAGES)
            + f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n<script>{script}</script>\n</body>\n</html>\n")


def chooser_page() -> str:
    kk = Locale(DEFAULT)
    prompts = "".join(f'<p lang="{loc.lang}">{h(loc.t("choose_language"))}</p>' for loc in map(Locale, LANGUAGES))
    return _page(kk.t("site_name"), f"<h1>Ashyq</h1>\n{prompts}\n{_links()}", _script(_GO_HOME))


def not_found_page() -> str:
    kk = Locale(DEFAULT)
    messages = "".join(f'<div class="ashyq-message" lang="{loc.lang}"><h1>{h(loc.t("not_found"))}</h1>'
                       f'<p>{h(loc.t("not_found_text"))}</p></div>' for loc in map(Locale, LANGUAGES))
    return _page(kk.t("not_found"), f"<main>{messages}\n{_links()}</main>", _script(_FIX_LINKS))
