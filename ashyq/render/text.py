"""Interface text (labels, headings, "not published") from ``ui_text.yml``, in one place.

Pages ask ``t("key")``; English is used now and the other languages fall back to it key by key.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from .. import contract

TEXT_FILE = Path(__file__).with_name("ui_text.yml")
LANGUAGE = "en"


@cache
def _texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TEXT_FILE.read_text(encoding="utf-8"))


def t(key: str, lang: str = LANGUAGE, **values) -> str:
    """The interface text ``key`` in ``lang`` with ``{placeholders}`` filled (values are not escaped)."""
    entry = _texts()[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def not_published(lang: str = LANGUAGE) -> str:
    return contract.missing_value_label(lang)


def line_label(name: str, lang: str = LANGUAGE) -> str:
    return next(line.label(lang) for line in contract.protocol_lines() if line.name == name)


def level_label(level: str, lang: str = LANGUAGE) -> str:
    return t(f"level_{level}", lang)


def source_kind_label(kind: str, lang: str = LANGUAGE) -> str:
    return t(f"source_kind_{kind}", lang)
