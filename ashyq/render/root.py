"""The bare root of the site: ``index.html`` sends the reader to her language (the first of the
browser's languages the site has, Kazakh otherwise) and ``404.html`` (which GitHub Pages serves for
any missing path) says "not found" in the three languages. Both have plain links to the three home
pages for readers without JavaScript, load nothing, and request nothing outside the site."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from . import urls
from .locale import DEFAULT, LANGUAGE_NAMES, LANGUAGES, Locale

# Autoescaping: text is escaped by default, only the script and the style (ours) are trusted Markup.
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                         keep_trailing_newline=True)

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


def _script(body: str) -> Markup:
    return Markup(_CHOOSE % {"langs": '["' + '", "'.join(LANGUAGES) + '"]', "default": f'"{DEFAULT}"',
                             "body": body})


def _render(title: str, messages: list[dict], script: Markup) -> str:
    homes = [{"lang": lang, "url": urls.home(lang), "name": LANGUAGE_NAMES[lang]} for lang in LANGUAGES]
    return _TEMPLATES.get_template("root.html").render(default=DEFAULT, title=title, homes=homes,
                                                       messages=messages, style=Markup(_STYLE), script=script)


def chooser_page() -> str:
    messages = [{"lang": loc.lang, "text": loc.t("choose_language")} for loc in map(Locale, LANGUAGES)]
    return _render(Locale(DEFAULT).t("site_name"), messages, _script(_GO_HOME))


def not_found_page() -> str:
    messages = [{"lang": loc.lang, "heading": loc.t("not_found"), "text": loc.t("not_found_text")}
                for loc in map(Locale, LANGUAGES)]
    return _render(Locale(DEFAULT).t("not_found"), messages, _script(_FIX_LINKS))
