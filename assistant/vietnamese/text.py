"""Vietnamese text helpers every stage shares."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Every precomposed Latin letter with diacritics (Vietnamese ones included) → its base letter.
_TABLE = {cp: _fold_slow(chr(cp)) for cp in range(0xC0, 0x1F00) if _fold_slow(chr(cp)) != chr(cp)}


def fold(text: str) -> str:
    """Strip Vietnamese diacritics: "Chuyển đổi số" → "Chuyen doi so"."""
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):
        return _fold_slow(text)  # decomposed input (NFD): combining marks to strip
    return text.translate(_TABLE)


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Accent-folded, lower-cased words: "Số trạm BTS" → ["so", "tram", "bts"]."""
    return list(_words(text))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text.lower())))
