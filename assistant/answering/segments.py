"""What each figure of a sentence owns: the words between it and its neighbours.

A sentence that states several figures ("có 96 cán bộ phụ trách CNTT (sở, ngành tỉnh là 85, cấp
huyện là 11), trong đó: trình độ thạc sĩ 08 người, đại học 50 người") gives each of them words of
its own. Of the gap between two figures, the part up to the first separator follows the first one
(its unit and label: "cán bộ phụ trách CNTT"), the rest leads the second ("trình độ thạc sĩ"); a
gap without a separator belongs to both. The sentence's start leads its first figure, its end
follows its last. (Years are no figures: "năm 2023: 72.524" leads 72.524.)

Two features of a figure candidate read the question against them:

- ``own_cov``: the idf-weighted share of the question's keywords among its own words;
- ``sibling_cov``: the share among words that another figure of its sentence owns and it does not.
  A breakdown item inherits its head's words (the head's label qualifies every item), so an item's
  head is no sibling of it. A question that names an item's label ("thạc sĩ") thus weighs against
  the total heading it (96), while the item keeps the head's words without penalty.

Models trained before these features existed ignore them (a ranker reads only the features it was
trained with); the training that first reads them bumps ``learned.FEATURES_VERSION``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.breakdown import item_heads
from assistant.answering.candidates import Candidate
from assistant.answering.evidence import Evidence
from assistant.figures.model import Figure

#: What ends a figure's label after it: a comma, semicolon, colon, bracket or a spaced dash.
SEPARATOR = re.compile(r"[,;:()\[\]]|\s[-–—]\s")


def owned_spans(text: str, figures: Sequence[Figure]) -> dict[int, list[tuple[int, int]]]:
    """The spans of ``text`` (document offsets) each figure of one sentence owns, by start offset;
    nothing when the figures carry no sentence bounds."""
    bounds = sorted({(f.start, f.end) for f in figures})
    if not bounds:
        return {}
    lo, hi = figures[0].sentence_start, figures[0].sentence_end
    if hi <= lo or not lo <= bounds[0][0] or bounds[-1][1] > hi:
        return {}
    spans: dict[int, list[tuple[int, int]]] = {start: [] for start, _ in bounds}
    spans[bounds[0][0]].append((lo, bounds[0][0]))
    spans[bounds[-1][0]].append((bounds[-1][1], hi))
    for (a, a_end), (b, _) in zip(bounds, bounds[1:]):
        if a_end >= b:
            continue
        cut = SEPARATOR.search(text, a_end, b)
        if cut is None:
            spans[a].append((a_end, b))
            spans[b].append((a_end, b))
        else:
            spans[a].append((a_end, cut.start()))
            spans[b].append((cut.start(), b))
    return spans


def mark_owned_words(ev: Evidence, candidates: list[Candidate]) -> None:
    """Set ``own_cov`` and ``sibling_cov`` on figure candidates (both 0 for a figure whose sentence
    is unknown)."""
    groups: dict[tuple[str, int], list[Candidate]] = {}
    for c in candidates:
        c.features["own_cov"] = c.features["sibling_cov"] = 0.0
        if c.figures:
            f = c.figures[0]
            groups.setdefault((f.document, f.sentence_start), []).append(c)
    for (document, _), group in groups.items():
        figures = list({f.start: f for f in (c.figures[0] for c in group)}.values())
        owned = _owned_tokens(ev, document, figures)
        if not owned:
            continue
        heads = item_heads(figures)
        for c in group:
            start = c.figures[0].start
            mine = owned.get(start)
            if mine is None:
                continue
            others: set[str] = set()
            for other, words in owned.items():
                if other != start and other != heads.get(start):
                    others |= words
            c.features["own_cov"] = ev.coverage(mine)
            c.features["sibling_cov"] = ev.coverage(others - mine)


def _owned_tokens(ev: Evidence, document: str, figures: list[Figure]) -> dict[int, frozenset[str]]:
    """Each figure's own tokens (each span tokenized apart, so that no abbreviation is read across
    two spans), kept per build."""
    ctx = ev.ctx
    memo = ctx.memo
    key = ("owned", document, figures[0].sentence_start, tuple(sorted((f.start, f.end) for f in figures)))
    cached = memo.traits.get(key)
    if cached is None:
        text = ctx.data.documents[document].text
        cached = {
            start: frozenset().union(*(ctx.text_tokens(text[a:b]) for a, b in spans))
            for start, spans in owned_spans(text, figures).items()
        }
        memo.remember(memo.traits, key, cached)
    return cached  # type: ignore[return-value]
