"""The reader's language as one object passed to every page builder: interface text (ui_text.yml),
protocol line, level and source labels, names from the data, and numbers, percentages, dates,
report times, file sizes and plurals formatted by Babel (CLDR).

SQL returns raw values; pages format them here, so the language is a formatting parameter and
nothing more. Interface text never falls back silently: a key missing in a language is an error
(tests/test_locale.py proves every key has all three). Names from the data fall back visibly: a
name the package lacks in the reader's language comes in another one, marked (``Name.fallback``).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from babel import Locale as _BabelLocale
from babel import dates as _dates
from babel import units as _units

from .. import contract
from .escape import h

LANGUAGES = ("kk", "ru", "en")  # in the order the switcher lists them; kk is the default
DEFAULT = "kk"
TEXT_FILE = Path(__file__).with_name("ui_text.yml")
# One date style per language: "2023 жылғы 19 наурыз", "19 марта 2023 г.", "19 March 2023".
DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г.'", "en": "d MMMM y"}
TIME_PATTERN = "HH:mm"
# The other languages a name falls back to, in order, when the package lacks the reader's.
NAME_FALLBACK = {"kk": ("ru", "en"), "ru": ("kk", "en"), "en": ("ru", "kk")}
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


@cache
def texts() -> dict[str, dict]:
    return yaml.safe_load(TEXT_FILE.read_text(encoding="utf-8"))


class Name(str):
    """Text from the data in the language it was found in (``lang``); ``fallback`` when that is not
    the reader's language. Behaves as plain text everywhere; ``Locale.name_html`` marks it."""
    lang: str = ""
    fallback: bool = False

    def __new__(cls, text: str, lang: str, fallback: bool):
        self = super().__new__(cls, text)
        self.lang, self.fallback = lang, fallback
        return self


@dataclass(frozen=True)
class Locale:
    lang: str

    def __post_init__(self):
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r}: one of {', '.join(LANGUAGES)}")

    @property
    def _babel(self) -> _BabelLocale:
        return _babel_locale(self.lang)

    # ---- interface text ---------------------------------------------------------------------

    def t(self, key: str, **values) -> str:
        """The interface text ``key`` with ``{placeholders}`` filled (values are not escaped)."""
        text = texts()[key][self.lang]
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values) -> str:
        """The CLDR plural form of ``key`` for ``n`` (``{n}`` is the formatted number)."""
        forms = texts()[key][self.lang]
        form = self._babel.plural_form(abs(int(n)))
        return forms.get(form, forms["other"]).format(n=self.number(n), **values)

    @property
    def not_published(self) -> str:
        return contract.missing_value_label(self.lang)

    def line(self, name: str) -> str:
        """A protocol line's label, as on the form in this language."""
        return _line_labels()[name][self.lang]

    def extra_line(self, line: dict) -> Name:
        """A line the package adds to its form (its labels come from the package)."""
        return self.name(line, "label") or Name(line["name"], "en", self.lang != "en")

    def commission(self, code: str | None) -> str | None:
        """A commission's short name: the CEC's own abbreviations in the reader's language ("PEC" →
        "УИК" / "УСК"); a name the package gives in its own words stays as it is."""
        key = f"commission_{code}"
        return self.t(key) if code and key in texts() else code

    def level(self, level: str) -> str:
        return self.t(f"level_{level}")

    def source_kind(self, kind: str) -> str:
        return self.t(f"source_kind_{kind}")

    # ---- names from the data ----------------------------------------------------------------

    def name(self, row: dict, base: str = "name", default: str | None = None) -> Name:
        """``row[base_<lang>]``, else the first other language the row has (marked as a fallback),
        else ``default`` (an identifier: shown as it is)."""
        own = row.get(f"{base}_{self.lang}")
        if own:
            return Name(own, self.lang, False)
        for other in NAME_FALLBACK[self.lang]:
            text = row.get(f"{base}_{other}")
            if text:
                return Name(text, other, True)
        plain = row.get(base) or default
        return Name("" if plain is None else str(plain), self.lang, False)

    def name_html(self, text, escape=h) -> str:
        """Escaped HTML of a name (``escape``: h, or md for a Markdown heading): a fallback carries
        its own ``lang`` and a quiet marker."""
        if isinstance(text, Name) and text.fallback:
            title = self.language_name(text.lang)
            return (f'<span lang="{text.lang}" class="ashyq-fallback">{escape(text)}'
                    f'<sup class="ashyq-fallback-mark" title="{h(title)}">{text.lang}</sup></span>')
        return escape(text)

    def language_name(self, lang: str) -> str:
        """The name of a language in the reader's language ("орыс тілінде" style is not needed)."""
        return self._babel.languages.get(lang, lang)

    # ---- numbers, dates, sizes --------------------------------------------------------------

    def number(self, value) -> str:
        """1592 → "1 592" (kk, ru) / "1,592" (en); None → "not published" (never 0). CLDR's symbols
        and patterns, applied without Babel's per-call parsing (a national page has ~10⁵ numbers;
        tests/test_locale.py proves the output equal to Babel's)."""
        if value is None:
            return self.not_published
        if isinstance(value, float) and not value.is_integer():
            return self.decimal(value, 2)
        return _symbols(self.lang).apply(f"{int(value):,}")

    def decimal(self, value, digits: int = 2) -> str:
        if value is None:
            return self.not_published
        return _symbols(self.lang).apply(f"{value:,.{digits}f}")

    def percent(self, value, approximate: bool = False, digits: int = 2) -> str:
        """70.96 → "70,96 %" (ru), "70,96%" (kk, CLDR), "70.96%" (en); ≈ when computed here."""
        if value is None:
            return self.not_published
        symbols = _symbols(self.lang)
        text = symbols.apply(f"{abs(value):,.{digits}f}") + symbols.percent_suffix
        return ("≈" if approximate else "") + ("-" + text if value < 0 and text.strip("0,.%\xa0 ") else text)

    def percent_range(self, low: float, high: float) -> str:
        """A range of whole percentages: "70–75 %"."""
        return f"{self.decimal(low, 0)}–{self.percent(high, digits=0)}"

    def date(self, value) -> str:
        """A date (or ISO text) in the language's one date style; None → "not published"."""
        if value is None or value == "":
            return self.not_published
        if isinstance(value, str):
            try:
                value = _dt.date.fromisoformat(value[:10])
            except ValueError:
                return value
        if isinstance(value, _dt.datetime):
            value = value.date()
        return _dates.format_date(value, DATE_PATTERNS[self.lang], locale=self.lang)

    def report_time(self, value, with_date: bool = False) -> str:
        """A turnout report's time of day ("18:00"), with its day when the reports span several days."""
        if value is None:
            return self.not_published
        if isinstance(value, str):
            try:
                value = _dt.datetime.fromisoformat(value)
            except ValueError:
                return value
        if not isinstance(value, _dt.datetime):
            return str(value)
        if with_date:
            return _dates.format_datetime(value, "d MMM, " + TIME_PATTERN, locale=self.lang)
        return _dates.format_time(value, TIME_PATTERN, locale=self.lang)

    def size(self, n_bytes: int) -> str:
        """A file size in kB or MB (decimal units, as file managers show them)."""
        if n_bytes < 1000:
            return _units.format_unit(n_bytes, "digital-byte", length="short", locale=self.lang)
        if n_bytes < 1_000_000:
            return _units.format_unit(round(n_bytes / 1000, 1), "digital-kilobyte", length="short",
                                      locale=self.lang)
        return _units.format_unit(round(n_bytes / 1_000_000, 1), "digital-megabyte", length="short",
                                  locale=self.lang)


def locales() -> list[Locale]:
    return [Locale(lang) for lang in LANGUAGES]


@cache
def _babel_locale(lang: str) -> _BabelLocale:
    return _BabelLocale.parse(lang)


@dataclass(frozen=True)
class _Symbols:
    group: str
    decimal: str
    percent_suffix: str

    def apply(self, text: str) -> str:
        """Python's "1,592.5" with the language's own group and decimal symbols."""
        return text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.group)


@cache
def _symbols(lang: str) -> _Symbols:
    locale = _babel_locale(lang)
    symbols = locale.number_symbols["latn"]
    return _Symbols(symbols["group"], symbols["decimal"], locale.percent_formats[None].suffix[0])


@cache
def _line_labels() -> dict[str, dict[str, str]]:
    return {line.name: {lang: line.label(lang) for lang in LANGUAGES} for line in contract.protocol_lines()}
