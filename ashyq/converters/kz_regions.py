"""Kazakhstan's regions: the stable keys of ``kz-cec-press`` with their Russian and Kazakh names.

The keys are the source's own ``region_key`` (``almaty_reg`` = Almaty oblast, ``almaty_city`` = the
city). Kazakh names are the official oblast and city names (облысы / қаласы). English names are not
here: each converter takes them as its source writes them.
"""
from __future__ import annotations

COUNTRY_ID = "kz"
COUNTRY_NAMES = {"en": "Kazakhstan", "ru": "Республика Казахстан", "kk": "Қазақстан Республикасы"}

# key → (name_ru, name_kk)
REGIONS: dict[str, tuple[str, str]] = {
    "abai": ("Абайская область", "Абай облысы"),
    "akmola": ("Акмолинская область", "Ақмола облысы"),
    "aktobe": ("Актюбинская область", "Ақтөбе облысы"),
    "almaty_reg": ("Алматинская область", "Алматы облысы"),
    "atyrau": ("Атырауская область", "Атырау облысы"),
    "eko": ("Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    "zhambyl": ("Жамбылская область", "Жамбыл облысы"),
    "zhetysu": ("Область Жетысу", "Жетісу облысы"),
    "wko": ("Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    "karaganda": ("Карагандинская область", "Қарағанды облысы"),
    "kostanay": ("Костанайская область", "Қостанай облысы"),
    "kyzylorda": ("Кызылординская область", "Қызылорда облысы"),
    "mangistau": ("Мангистауская область", "Маңғыстау облысы"),
    "pavlodar": ("Павлодарская область", "Павлодар облысы"),
    "nko": ("Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    "south_kazakhstan": ("Южно-Казахстанская область", "Оңтүстік Қазақстан облысы"),  # until 2018
    "turkistan": ("Туркестанская область", "Түркістан облысы"),
    "ulytau": ("Область Улытау", "Ұлытау облысы"),
    "astana": ("г. Астана", "Астана қаласы"),
    "nur_sultan": ("г. Нур-Султан", "Нұр-Сұлтан қаласы"),  # the capital's name 2019-2022
    "almaty_city": ("г. Алматы", "Алматы қаласы"),
    "shymkent": ("г. Шымкент", "Шымкент қаласы"),
}


def country_unit(complete: bool) -> dict:
    return {
        "unit_id": COUNTRY_ID,
        "level": "country",
        "commission": "CEC",
        "name_en": COUNTRY_NAMES["en"],
        "name_ru": COUNTRY_NAMES["ru"],
        "name_kk": COUNTRY_NAMES["kk"],
        "complete": complete,
    }


def region_unit(key: str, name_en: str, name_ru: str | None, complete: bool) -> dict:
    """A region (oblast or city of republican significance) under the country, id = its key."""
    if key not in REGIONS:
        raise KeyError(f"unknown Kazakhstan region key {key!r}: add it to kz_regions.REGIONS")
    return {
        "unit_id": key,
        "parent_id": COUNTRY_ID,
        "level": "region",
        "commission": "TEC",
        "name_en": name_en,
        "name_ru": name_ru or REGIONS[key][0],
        "name_kk": REGIONS[key][1],
        "complete": complete,
    }
