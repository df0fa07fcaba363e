"""URL-safe ids from Russian, Kazakh or Latin text: ``Город Байконур`` → ``gorod-baykonur``.

The transliteration table is ours, not a library's, so an id never changes under a package
upgrade: ids are permanent URLs.
"""
from __future__ import annotations

import re
import unicodedata

TRANSLITERATION = {
    # Russian
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Ukrainian and Belarusian letters that appear in place names
    "є": "ye", "ї": "yi", "ґ": "g", "ў": "u",
}


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens; "" when nothing is left."""
    out = "".join(TRANSLITERATION.get(char, char) for char in text.lower())
    out = unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-")
