"""Kazakhstan's regions: the stable keys of ``kz-cec-press`` with their Russian and Kazakh names.

The keys are the source's own ``region_key`` (``almaty_reg`` = Almaty oblast, ``almaty_city`` = the
city). Kazakh names are the official oblast and city names (облысы / қаласы). English names are not
here: each converter takes them as its source writes them. Each region carries in ``code`` the
ISO 3166-2 code of its polygon in the map boundaries (``ashyq/geo/boundaries``; geokz codes the
Turkestan region KZ-YUZ, the code of South Kazakhstan that it succeeded), so maps join on it.
"""
from __future__ import annotations

COUNTRY_ID = "kz"
COUNTRY_NAMES = {"en": "Kazakhstan", "ru": "Республика Казахстан", "kk": "Қазақстан Республикасы"}

# key → (name_ru, name_kk, ISO 3166-2 code in the map boundaries)
REGIONS: dict[str, tuple[str, str, str]] = {
    "abai": ("Абайская область", "Абай облысы", "KZ-ABY"),
    "akmola": ("Акмолинская область", "Ақмола облысы", "KZ-AKM"),
    "aktobe": ("Актюбинская область", "Ақтөбе облысы", "KZ-AKT"),
    "almaty_reg": ("Алматинская область", "Алматы облысы", "KZ-ALM"),
    "atyrau": ("Атырауская область", "Атырау облысы", "KZ-ATY"),
    "eko": ("Восточно-Казахстанская область", "Шығыс Қазақстан облысы", "KZ-VOS"),
    "zhambyl": ("Жамбылская область", "Жамбыл облысы", "KZ-ZHA"),
    "zhetysu": ("Область Жетысу", "Жетісу облысы", "KZ-ZHT"),
    "wko": ("Западно-Казахстанская область", "Батыс Қазақстан облысы", "KZ-ZAP"),
    "karaganda": ("Карагандинская область", "Қарағанды облысы", "KZ-KAR"),
    "kostanay": ("Костанайская область", "Қостанай облысы", "KZ-KUS"),
    "kyzylorda": ("Кызылординская область", "Қызылорда облысы", "KZ-KZY"),
    "mangistau": ("Мангистауская область", "Маңғыстау облысы", "KZ-MAN"),
    "pavlodar": ("Павлодарская область", "Павлодар облысы", "KZ-PAV"),
    "nko": ("Северо-Казахстанская область", "Солтүстік Қазақстан облысы", "KZ-SEV"),
    "south_kazakhstan": ("Южно-Казахстанская область", "Оңтүстік Қазақстан облысы", "KZ-YUZ"),  # until 2018
    "turkistan": ("Туркестанская область", "Түркістан облысы", "KZ-YUZ"),
    "ulytau": ("Область Улытау", "Ұлытау облысы", "KZ-ULT"),
    "astana": ("г. Астана", "Астана қаласы", "KZ-AST"),
    "nur_sultan": ("г. Нур-Султан", "Нұр-Сұлтан қаласы", "KZ-AST"),  # the capital's name 2019-2022
    "almaty_city": ("г. Алматы", "Алматы қаласы", "KZ-ALA"),
    "shymkent": ("г. Шымкент", "Шымкент қаласы", "KZ-SHY"),
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
        "code": REGIONS[key][2],
        "name_en": name_en,
        "name_ru": name_ru or REGIONS[key][0],
        "name_kk": REGIONS[key][1],
        "complete": complete,
    }
