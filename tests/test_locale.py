"""The reader's language: every interface text in all three languages (nothing falls back to
English), numbers, percentages, dates and plurals as CLDR has them, names from the data chosen by
language with a visible fallback."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from babel import Locale as BabelLocale
from babel import dates, numbers

from ashyq import contract
from ashyq.checks.registry import CHECKS, TURNOUT_FLAGS, turnout_flag_text
from ashyq.render import locale
from ashyq.render.locale import LANGUAGES, Locale

RENDER = Path(locale.__file__).parent


def test_every_interface_text_has_all_three_languages():
    missing = [(key, lang) for key, entry in locale.texts().items() for lang in LANGUAGES
               if not entry.get(lang)]
    assert not missing, f"ui_text.yml lacks {missing}"
    extra = [key for key, entry in locale.texts().items() if set(entry) != set(LANGUAGES)]
    assert not extra, f"ui_text.yml entries with other keys than {LANGUAGES} (an unquoted comma?): {extra}"


def test_plural_texts_have_every_form_the_language_needs():
    for key, entry in locale.texts().items():
        if not isinstance(entry["en"], dict):
            continue
        for lang in LANGUAGES:
            needed = set(BabelLocale.parse(lang).plural_form.tags) | {"other"}
            assert needed <= set(entry[lang]), f"{key}.{lang} lacks {needed - set(entry[lang])}"


def test_a_missing_key_is_an_error_not_english():
    with pytest.raises(KeyError):
        Locale("kk").t("no_such_key")


def test_every_text_the_code_asks_for_exists():
    used, prefixes = set(), set()
    for source in RENDER.rglob("*.py"):
        code = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:t|plural)\(["']([a-z0-9_]+)["']\s*[,)]""", code))
        prefixes |= set(re.findall(r"""\bt\(f["']([a-z_]+)\{""", code))
        prefixes |= set(re.findall(r"""\bt\(["']([a-z_]+)["'] \+""", code))
    assert used and prefixes
    missing = sorted(used - set(locale.texts()))
    assert not missing, f"ui_text.yml has no entry for {missing}"
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in locale.texts()), prefix
    for level in ("country", "region", "area", "district", "station"):
        assert f"level_{level}" in locale.texts()
    for kind in ("official", "commission_summary", "observer_copy"):
        assert f"source_kind_{kind}" in locale.texts()


def test_protocol_lines_checks_and_indicators_are_in_three_languages():
    for line in contract.protocol_lines():
        assert all(line.labels.get(lang) for lang in LANGUAGES), line.name
    for check in CHECKS:
        for lang in LANGUAGES:
            assert check.title_in(lang) and check.description_in(lang), (check.id, lang)
        assert len({check.title_in(lang) for lang in LANGUAGES}) == 3, check.id
    for flag in TURNOUT_FLAGS:
        assert len({turnout_flag_text(flag, lang) for lang in LANGUAGES}) == 3, flag


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbers_and_percentages_are_babels(lang):
    loc = Locale(lang)
    for value in (0, 7, 1592, 12345, -4, 97699, 1234567890):
        assert loc.number(value) == numbers.format_decimal(value, locale=lang)
    for value in (0.5, 1592.25, 70.9612):
        assert loc.decimal(value) == numbers.format_decimal(value, format="#,##0.00", locale=lang)
    pattern = BabelLocale.parse(lang).percent_formats[None].pattern.replace("#,##0", "#,##0.00")
    for value in (0.0, 7.5, 70.9612, 100.0):
        assert loc.percent(value) == numbers.format_percent(value / 100, format=pattern, locale=lang)
    assert loc.number(None) == loc.percent(None) == contract.missing_value_label(lang)


def test_the_forms_the_issue_asks_for():
    kk, ru, en = Locale("kk"), Locale("ru"), Locale("en")
    assert ru.number(1592) == "1\u00a0592" and en.number(1592) == "1,592" and kk.number(1592) == "1\u00a0592"
    assert ru.percent(70.96) == "70,96\u00a0%" and en.percent(70.96) == "70.96%"
    day = datetime.date(2023, 3, 19)
    assert ru.date(day) == "19 марта 2023 г." and kk.date(day) == "2023 жылғы 19 наурыз"
    assert en.date("2023-03-19") == "19 March 2023"
    assert ru.date(day) == dates.format_date(day, "d MMMM y 'г.'", locale="ru")
    assert ru.plural("seats", 1) == "1 мандат" and ru.plural("seats", 3) == "3 мандата"
    assert ru.plural("seats", 5) == "5 мандатов" and en.plural("seats", 1) == "1 seat"
    assert en.size(7072) == "7.1 kB" and ru.size(3_400_000) == "3,4 МБ"
    when = datetime.datetime(2021, 9, 17, 15, 0)
    assert ru.report_time(when) == en.report_time(when) == "15:00"
    assert "сент" in ru.report_time(when, with_date=True)


def test_names_come_in_the_readers_language_or_marked_as_another():
    row = {"name_kk": "", "name_ru": "Адмиралтейский район", "name_en": "Admiralteysky District"}
    kk, ru, en = Locale("kk"), Locale("ru"), Locale("en")
    assert ru.name(row) == "Адмиралтейский район" and not ru.name(row).fallback
    assert en.name(row) == "Admiralteysky District"
    name = kk.name(row)
    assert name == "Адмиралтейский район" and name.fallback and name.lang == "ru"
    html = kk.name_html(name)
    assert html.startswith('<span lang="ru" class="ashyq-fallback">Адмиралтейский район<sup')
    assert ru.name_html(ru.name(row)) == "Адмиралтейский район"  # no marker when nothing falls back
    hostile = kk.name_html(kk.name({"name_en": "<script>x</script>"}))
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
