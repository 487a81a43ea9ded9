"""A small boost for the documents a question points at: its reported year, province, number."""

from __future__ import annotations

import re

from assistant.models import DocumentMetadata
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold

_DOC_KIND = re.compile(r"\b(kh|ke hoach|qd|quyet dinh|bao cao|bc)\b(?:\s+\S+){0,4}?\s+(19|20)(\d\d)\b")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
#: The provinces, accent-folded once.
_FOLDED_PROVINCES = tuple(fold(p) for p in PROVINCES)


def document_prior(query: str, meta: DocumentMetadata) -> float:
    """How strongly the question names this document: its reported year, province, number, title year."""
    folded = fold(query.lower())
    years = {int(y) for y in _YEAR.findall(query)}
    prior = 0.0
    if years & set(meta.years_reported):
        prior += 0.08
    named = {int(m.group(2) + m.group(3)) for m in _DOC_KIND.finditer(folded)}
    title_years = {int(y) for y in _YEAR.findall(meta.title)}
    if named & (title_years | set(meta.years_planned)):
        prior += 0.12
    if meta.province:
        province = fold(meta.province.lower())
        mentioned = {p for p in _FOLDED_PROVINCES if p in folded}
        if mentioned:
            prior += 0.1 if province in mentioned else -0.2
    if meta.number:
        number = meta.number.split("/")[0].strip()
        if number.isdigit() and re.search(rf"(?<!\d){number}(?!\d)", query):
            prior += 0.15
    return prior
