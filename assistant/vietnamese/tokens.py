"""Vietnamese-aware lexical tokens for BM25.

NFC and lower case; syllables plus their accent-folded forms (so "so tram bts" matches
"số trạm BTS") plus folded syllable bigrams; abbreviations expanded both ways.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.vietnamese.abbreviations import CURATED
from assistant.vietnamese.text import fold

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:&[^\W\d_]+)*", re.UNICODE)


class Tokenizer:
    """Turns text into BM25 tokens; ``abbreviations`` maps ABBR → long form."""

    def __init__(self, abbreviations: dict[str, str] | None = None, segmenter: str = "syllable") -> None:
        self.abbreviations = {**CURATED, **(abbreviations or {})}
        self.segmenter = segmenter
        self._abbr_by_token = {a.lower(): long for a, long in self.abbreviations.items()}
        self._long_forms = [(fold(long.lower()), a.lower()) for a, long in self.abbreviations.items()]

    def expand(self, text: str) -> str:
        """The text with the other form of every abbreviation it uses appended."""
        lowered = unicodedata.normalize("NFC", text).lower()
        words = set(_TOKEN.findall(lowered))
        extra = [long for tok, long in self._abbr_by_token.items() if tok in words]
        folded = " ".join(fold(w) for w in _TOKEN.findall(lowered))
        extra += [abbr for long, abbr in self._long_forms if f" {long} " in f" {folded} "]
        return lowered if not extra else f"{lowered} {' '.join(extra)}"

    def __call__(self, text: str) -> list[str]:
        words = self._words(self.expand(text))
        folded = [fold(w) for w in words]
        tokens = list(words)
        tokens += [f for w, f in zip(words, folded) if f != w]
        tokens += [f"{a}_{b}" for a, b in zip(folded, folded[1:])]
        return tokens

    def _words(self, text: str) -> list[str]:
        if self.segmenter == "pyvi":
            from pyvi import ViTokenizer  # optional: pip install pyvi

            text = ViTokenizer.tokenize(text)
            return [w for w in re.split(r"\s+", text) if re.search(r"\w", w)]
        return _TOKEN.findall(text)
