"""A synthetic corpus at any size: perturbed copies of the real chunks.

Copy 0 is the real corpus (517 chunks of ``documents/``). Copy ``c > 0`` of document ``d`` is a
new document ``c{c:05d}-{d}`` set in another province (drawn per copy and document), with every
figure changed (same number of digits, same separators), every year shifted by the copy's
offset, and the real province names replaced by the new one. So the vocabulary, the passage
lengths and the token frequencies stay those of real planning documents, while figures, years and
places vary the way a national collection's do.

Lexical tokens are made from each real chunk's words perturbed word by word (the expensive part
of tokenizing, abbreviation expansion, runs once per real chunk); ``text(p)`` gives the same
perturbation on the text, and ``tokens(p) == Tokenizer()(text(p))`` (tested).

Vectors: embedding a million passages on 2 cores takes days, so passage ``p`` (copy ``c`` of real
chunk ``i``) gets ``normalize(e_i + r)``, where ``e_i`` is the real embedding of chunk ``i`` and
``r`` is a real perturbation: the difference between the embeddings of a perturbed copy and of its
original, measured with the real model on a calibration sample (``calibrate``), two of them
mixed with random normal weights. Copy 0 keeps the real embeddings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.ingest.chunking import chunk_document
from assistant.ingest.corpus import load_corpus
from assistant.models import Chunk
from assistant.vietnamese.text import fold
from assistant.vietnamese.tokens import _TOKEN, Tokenizer

#: Vietnam's 63 provinces and centrally run cities (before the 2025 mergers), lower case.
PROVINCES = (
    "an giang", "bà rịa - vũng tàu", "bắc giang", "bắc kạn", "bạc liêu", "bắc ninh", "bến tre", "bình định",
    "bình dương", "bình phước", "bình thuận", "cà mau", "cần thơ", "cao bằng", "đà nẵng", "đắk lắk",
    "đắk nông", "điện biên", "đồng nai", "đồng tháp", "gia lai", "hà giang", "hà nam", "hà nội", "hà tĩnh",
    "hải dương", "hải phòng", "hậu giang", "hòa bình", "hưng yên", "khánh hòa", "kiên giang", "kon tum",
    "lai châu", "lâm đồng", "lạng sơn", "lào cai", "long an", "nam định", "nghệ an", "ninh bình",
    "ninh thuận", "phú thọ", "phú yên", "quảng bình", "quảng nam", "quảng ngãi", "quảng ninh", "quảng trị",
    "sóc trăng", "sơn la", "tây ninh", "thái bình", "thái nguyên", "thanh hóa", "thừa thiên huế",
    "tiền giang", "hồ chí minh", "trà vinh", "tuyên quang", "vĩnh long", "vĩnh phúc", "yên bái",
)  # fmt: skip
#: Province names the real documents use; a copy replaces them with its own province.
REAL_PROVINCES = ("trà vinh", "tiền giang")
_YEAR = re.compile(r"(19[5-9]\d|20[0-4]\d)")


@dataclass(frozen=True)
class Passage:
    id: str
    document: str
    province: str
    years: tuple[int, ...]
    source: int  # the real chunk it copies


class Synthesizer:
    """Passages ``0 … n-1`` of the synthetic corpus, each computed on demand (nothing is stored)."""

    def __init__(self, documents_dir: Path, seed: int = 0) -> None:
        corpus = load_corpus(Path(documents_dir))
        self.documents = {d.id: d for d in corpus.documents}
        self.chunks: list[Chunk] = [c for d in corpus.documents for c in chunk_document(d, max_chars=700)]
        self.texts = [c.context_text() for c in self.chunks]
        self.seed = seed
        self.tokenizer = Tokenizer()
        self._words = [self.tokenizer._words(self.tokenizer.expand(t)) for t in self.texts]
        doc_years = {
            d.id: sorted(set(d.metadata.years_reported) | set(d.metadata.years_planned)) for d in corpus.documents
        }
        self._years = [tuple(c.years or doc_years.get(c.document, [])) for c in self.chunks]
        self._doc_index = {d: i for i, d in enumerate(self.documents)}
        self._templates = [_template(w) for w in self._words]

    def __len__(self) -> int:
        return len(self.chunks)

    # --- per copy ----------------------------------------------------------------
    def offset(self, copy: int) -> int:
        """Years of copy ``copy`` are shifted by this many (0 for the real corpus)."""
        return 0 if copy == 0 else int(_hash(self.seed, "year", copy) % 17) - 8

    def province(self, copy: int, document: str) -> str:
        if copy == 0:
            return (self.documents[document].metadata.province or "").lower()
        return PROVINCES[_hash(self.seed, "province", copy, self._doc_index[document]) % len(PROVINCES)]

    def passage(self, p: int) -> Passage:
        copy, i = divmod(p, len(self.chunks))
        chunk = self.chunks[i]
        document = chunk.document if copy == 0 else f"c{copy:05d}-{chunk.document}"
        shift = self.offset(copy)
        return Passage(
            chunk.id if copy == 0 else f"{document}#{i}",
            document,
            self.province(copy, chunk.document),
            tuple(y + shift for y in self._years[i]),
            i,
        )

    # --- perturbation ------------------------------------------------------------
    def _number(self, copy: int, number: str) -> str:
        if copy == 0:
            return number
        if _YEAR.fullmatch(number):
            return str(int(number) + self.offset(copy))
        return _new_number(self.seed, copy, number)

    def words(self, p: int) -> list[str]:
        """The perturbed words of passage ``p`` (lower case, abbreviations expanded)."""
        copy, i = divmod(p, len(self.chunks))
        if copy == 0:
            return list(self._words[i])
        province = [w for w in self.province(copy, self.chunks[i].document).split() if _TOKEN.fullmatch(w)]
        out: list[str] = []
        for item in self._templates[i]:
            if item is _PROVINCE:
                out.extend(province)
            elif item[0].isdecimal():
                out.append(self._number(copy, item))
            else:
                out.append(item)
        return out

    def tokens(self, p: int) -> list[str]:
        """BM25 tokens of passage ``p``, as :class:`Tokenizer` makes them from its text."""
        words = self.words(p)
        folded = [_fold(w) for w in words]
        tokens = list(words)
        tokens += [f for w, f in zip(words, folded) if f != w]
        tokens += [f"{a}_{b}" for a, b in zip(folded, folded[1:])]
        return tokens

    def text(self, p: int) -> str:
        """The perturbed text of passage ``p``."""
        copy, i = divmod(p, len(self.chunks))
        text = self.texts[i]
        if copy == 0:
            return text
        province = self.province(copy, self.chunks[i].document)
        for name in REAL_PROVINCES:
            text = re.sub(re.escape(name), province, text, flags=re.IGNORECASE)
        return _NUMBER.sub(lambda m: self._number(copy, m.group(0)), text)

    # --- vectors -----------------------------------------------------------------
    def residuals(self, real: np.ndarray, embedded_copies: dict[int, np.ndarray]) -> np.ndarray:
        """Real perturbations: embedding of a perturbed copy minus that of its original chunk."""
        return np.vstack([v - real[p % len(self.chunks)] for p, v in embedded_copies.items()]).astype(np.float32)

    def vectors(self, start: int, stop: int, real: np.ndarray, residuals: np.ndarray) -> np.ndarray:
        """Vectors of passages ``start … stop-1``: copy 0 real, the others ``normalize(e_i + r)``."""
        p = np.arange(start, stop)
        copy, i = np.divmod(p, len(self.chunks))
        rng = np.random.default_rng([self.seed, start])
        a = rng.integers(0, len(residuals), len(p))
        b = rng.integers(0, len(residuals), len(p))
        # Continuous weights (mean square 1): with signs only, 48 perturbations gave 18-19 % exact
        # duplicates at 10^6, ties no index can order (docs/scaling.md); real copies never tie.
        weights = rng.standard_normal((len(p), 2)).astype(np.float32)
        noise = (weights[:, :1] * residuals[a] + weights[:, 1:] * residuals[b]) / np.float32(np.sqrt(2))
        out = real[i] + noise * (copy > 0)[:, None]
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out.astype(np.float32)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_REAL_NAMES = [name.split() for name in REAL_PROVINCES]
_PROVINCE = ("<province>",)


def _template(words: list[str]) -> list:
    """A chunk's words with every real province name replaced by a marker."""
    out: list = []
    j = 0
    while j < len(words):
        for name in _REAL_NAMES:
            if words[j : j + len(name)] == name:
                out.append(_PROVINCE)
                j += len(name)
                break
        else:
            out.append(words[j])
            j += 1
    return out


@lru_cache(maxsize=1 << 18)
def _new_number(seed: int, copy: int, number: str) -> str:
    """``number`` with every digit redrawn (a leading digit stays non-zero), separators kept."""
    digest = hashlib.blake2b(f"{seed}/{copy}/{number}".encode(), digest_size=32).digest()
    out, first = [], True
    for k, ch in enumerate(number):
        if ch.isdecimal():
            d = digest[k % 32] % 10
            out.append(str(max(d, 1) if first and len(number) > 1 else d))
            first = False
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1 << 20)
def _fold(word: str) -> str:
    return fold(word)


def _hash(*parts) -> int:
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "little")
