"""Operand sets a table's structure gives: a column summed down its rows.

A figure read from a table cell stands for its column: the cells of that column in every row of its
table (rows the retriever did not return included) make one operand set, and so do the rows that
name a word of the question which some rows name and others do not (the rows of one lead agency,
one period, one kind of project). Blank cells are no operands. A row's cell is an operand that
stands for the retrieved cell — it carries that cell's evidence features, with its own value and
place — and the answer model decides whether such a sum answers.
"""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Span
from assistant.answering.evidence import Evidence
from assistant.models import Hit

#: A table with more rows holding the column is not summed (a listing, not a breakdown).
MAX_ROWS = 40
#: Distinct columns summed per question (from the best figures first).
COLUMNS = 3
#: Row subsets (by a word of the question) per column.
SUBSETS = 8


def column_groups(ev: Evidence, chosen: list[Candidate]) -> list[tuple[list[Candidate], float]]:
    """Operand sets down the columns of the tables ``chosen`` figures were read from, each with the
    share of the column's filled rows it holds (1.0: the whole column)."""
    out: list[tuple[list[Candidate], float]] = []
    columns: set[tuple] = set()
    for seed in chosen:
        f = seed.figures[0] if seed.figures else None
        if f is None or not f.column_header or seed.unit == "%" or seed.features.get("is_ratio_total"):
            continue
        table = ev.ctx.data.table_of(seed.hit.chunk)
        key = (table[0].id if table else None, f.column_header, seed.unit)
        if len(table) < 2 or key in columns:
            continue
        columns.add(key)
        cells = _cells(ev, seed, table)
        if 2 <= len(cells) <= MAX_ROWS:
            out.append(([c for _, c in cells], 1.0))
            out += [([c for _, c in rows], len(rows) / len(cells)) for rows in _subsets(ev, cells)]
        if len(columns) == COLUMNS:
            break
    return out


def _cells(ev: Evidence, seed: Candidate, table) -> list[tuple[object, Candidate]]:
    """(row, operand) for every row of ``table`` with a value in the seed's column, in order."""
    f = seed.figures[0]
    figures_of = ev.ctx.data.typed_figures
    out = []
    for row in table:
        if row.id == seed.hit.chunk.id:
            out.append((row, seed))
            continue
        g = next(
            (
                g
                for g in figures_of.get(row.id, [])
                if g.column_header == f.column_header and g.unit == f.unit and not g.is_percent and g.total is None
            ),
            None,
        )
        if g is None:
            continue
        hit = Hit(
            chunk=row,
            score=seed.hit.score,
            dense_score=seed.hit.dense_score,
            lexical_score=seed.hit.lexical_score,
            rank=seed.hit.rank,
        )
        out.append(
            (
                row,
                Candidate(
                    "figure",
                    dict(seed.features),
                    [Span(hit, g.sentence_start, g.sentence_end)],
                    value=g.value,
                    unit=seed.unit,
                    figures=[g],
                    local=seed.local,
                ),
            )
        )
    return out


def _subsets(ev: Evidence, cells: list[tuple[object, Candidate]]) -> list[list[tuple[object, Candidate]]]:
    """The rows that name a word of the question which other rows do not name (most specific word
    first; each subset once)."""
    idf, default = ev.ctx.idf, ev.ctx.default_idf
    rows = [(row, cand, ev.ctx.text_tokens(row.text)) for row, cand in cells]
    out, seen = [], set()
    for word in sorted(set(ev.q.keywords), key=lambda w: -idf.get(w, default)):
        chosen = [(row, cand) for row, cand, tokens in rows if word in tokens]
        ids = frozenset(row.id for row, _ in chosen)
        if 2 <= len(chosen) < len(cells) and ids not in seen:
            seen.add(ids)
            out.append(chosen)
            if len(out) == SUBSETS:
                break
    return out
