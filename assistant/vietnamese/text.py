"""Vietnamese text helpers every stage shares."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Strip Vietnamese diacritics: "Chuyển đổi số" → "Chuyen doi so"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Accent-folded, lower-cased words: "Số trạm BTS" → ["so", "tram", "bts"]."""
    return _WORD.findall(fold(text.lower()))
