"""What the retrieved passages say about a question: the shared measurements every candidate's
features are made of (coverage of the question's words, years, places, named documents)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from assistant.answering import vocabulary as vocab
from assistant.answering.analysis import YEAR, Question
from assistant.answering.context import AnswerContext
from assistant.models import Document, Hit
from assistant.vietnamese.text import fold, words

_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)(?!\d)")


def text_years(text: str) -> set[int]:
    """The years a text names, with "2017 - 2020" standing for every year between."""
    years = {int(y) for y in YEAR.findall(text)}
    for a, b in _RANGE.findall(text):
        if int(a) < int(b) <= int(a) + 30:
            years |= set(range(int(a), int(b) + 1))
    return years


def _modifier(word: str) -> bool:
    """A word that can tell siblings apart: not glue, not a question word, not a year or long number."""
    if word.isdigit():
        return len(word) <= 2
    return len(word) > 1 and word not in vocab.STOP and word not in vocab.NOUN_END


def section_role(section: str) -> str | None:
    """The part a passage stands in, "plan", "report" or None: the outermost heading of ``section`` (levels joined by " › ") that
    names a plan or a report decides, and within it the word that comes first — "TỔ CHỨC THỰC HIỆN"
    and "Tổng kinh phí dự kiến thực hiện" are plans, "Kết quả thực hiện mục tiêu, nhiệm vụ" a report,
    and a programme named "mục tiêu quốc gia" inside a report part stays a report."""
    for level in section.split(" › "):
        text = f" {' '.join(words(level))} "
        found = [(text.find(f" {w} "), role) for role, vocabulary in _ROLES for w in vocabulary]
        found = [(at, role) for at, role in found if at >= 0]
        if found:
            return min(found, key=lambda x: (x[0], x[1] != "plan"))[1]
    return None


_ROLES = (("plan", vocab.PLAN_SECTION), ("report", vocab.REPORT_SECTION))


@dataclass
class Passage:
    """One retrieved passage seen from the question."""

    hit: Hit
    rank: int  # 0-based
    document: Document
    ev: "Evidence"

    @property
    def chunk(self):
        return self.hit.chunk

    @cached_property
    def section_tokens(self) -> set[str]:
        return self.ev.ctx.text_tokens(f"{self.chunk.title} {self.chunk.section}")

    @cached_property
    def names_missing(self) -> float:
        """The share of the question's proper names ("huyện Tiểu Cần") this passage, its title and
        section never write."""
        names = self.ev.q.names
        if not names:
            return 0.0
        text = f" {' '.join(words(f'{self.chunk.title} {self.chunk.section} {self.chunk.text}'))} "
        return sum(f" {name} " not in text for name in names) / len(names)

    @cached_property
    def doc_years(self) -> set[int]:
        m = self.document.metadata
        return set(m.years_reported) | set(m.years_planned) | set(self.chunk.years)

    @cached_property
    def section_years(self) -> set[int]:
        return text_years(self.chunk.section)

    def period(self, figure_year: int | None, clause_years: set[int]) -> int | None:
        """The year a figure of this passage is about: its own, else the one year its clause or
        section names, else its document's year (reported in a report part, planned in a plan part)."""
        if figure_year:
            return figure_year
        for years in (clause_years, self.section_years):
            if len(years) == 1:
                return next(iter(years))
        meta = self.document.metadata
        pool = meta.years_planned if self.planned else meta.years_reported
        return pool[-1] if len(pool) == 1 else None

    @cached_property
    def plan_section(self) -> float:
        return float(vocab.has_any(" ".join(words(self.chunk.section)), vocab.PLAN_SECTION))

    @cached_property
    def report_section(self) -> float:
        return float(vocab.has_any(" ".join(words(self.chunk.section)), vocab.REPORT_SECTION))

    @cached_property
    def planned(self) -> float:
        """Whether the passage stands in a planning part (objectives, tasks) rather than a report
        of results (see ``section_role``)."""
        return float(section_role(self.chunk.section) == "plan")

    @cached_property
    def place(self) -> tuple[float, float]:
        """(names the question's province, names another one)."""
        q, province = self.ev.q, self.document.metadata.province
        if not q.provinces or not province:
            return 0.0, 0.0
        asked = {fold(p) for p in q.provinces}
        ours = fold(province.lower())
        return (1.0, 0.0) if ours in asked else (0.0, 1.0)

    @cached_property
    def named(self) -> tuple[float, float]:
        """(this document is the one the question names, the question names another one)."""
        return self.ev.named_documents(self.document)


class Evidence:
    """The question and its top passages, with cached measurements."""

    def __init__(self, ctx: AnswerContext, q: Question, hits: list[Hit]) -> None:
        self.ctx = ctx
        self.q = q
        self.passages = [Passage(h, i, ctx.data.documents[h.chunk.document], self) for i, h in enumerate(hits)]
        scores = [h.score for h in hits] or [1.0]
        self._top = max(scores) or 1.0
        self.asked_tokens = set(q.keywords) | set(q.words)
        idf, default = ctx.idf, ctx.default_idf
        self._keyword_weights = [(k, idf.get(k, default)) for k in q.keywords]
        self._keyword_total = sum(w for _, w in self._keyword_weights)
        self._earlier_weights = [(k, idf.get(k, default)) for k in q.earlier]
        self._earlier_total = sum(w for _, w in self._earlier_weights)
        # a part that names nothing of its own ("tổng số là bao nhiêu") measures nothing
        self._part_weights = [[(k, idf.get(k, default)) for k in part] for part in q.parts if part]
        self._named_cache: dict[str, tuple[float, float]] = {}

    def relative_score(self, hit: Hit) -> float:
        return hit.score / self._top if self._top > 0 else 0.0

    def coverage(self, tokens: set[str] | frozenset[str]) -> float:
        """The idf-weighted share of the question's keywords found in ``tokens`` (the weights are
        looked up once per question)."""
        if not self._keyword_total:
            return 0.0
        return sum(w for k, w in self._keyword_weights if k in tokens) / self._keyword_total

    def earlier_coverage(self, tokens: set[str] | frozenset[str]) -> float:
        """The idf-weighted share of a follow-up's earlier subject (``Question.earlier``) in ``tokens``."""
        if not self._earlier_total:
            return 0.0
        return sum(w for k, w in self._earlier_weights if k in tokens) / self._earlier_total

    def parts_held(self, tokens: set[str] | frozenset[str], coverage: float | None = None) -> tuple[float, float]:
        """For a question that asks several things: (the least idf-weighted share of one part's
        keywords found in ``tokens``, the share of parts of which at least half is found). For a
        question that asks one thing (or names something in only one part), its coverage and
        whether that reaches a half (``coverage``, when the caller has it already)."""
        if len(self._part_weights) < 2:
            c = self.coverage(tokens) if coverage is None else coverage
            return c, float(c >= 0.5)
        shares = [sum(w for k, w in part if k in tokens) / sum(w for _, w in part) for part in self._part_weights]
        return min(shares), sum(s >= 0.5 for s in shares) / len(shares)

    @cached_property
    def unknown_keywords(self) -> float:
        """The idf-weighted share of the question's keywords the visible corpus never uses."""
        if not self._keyword_total:
            return 0.0
        idf = self.ctx.idf
        return sum(w for k, w in self._keyword_weights if k not in idf) / self._keyword_total

    def precision(self, text_tokens: set[str]) -> float:
        """The idf-weighted share of a phrase's content words that the question uses."""
        content = [w for w in text_tokens if w not in vocab.STOP and not w.isdigit() and len(w) > 1]
        if not content:
            return 0.0
        idf = self.ctx.idf
        default = self.ctx.default_idf
        total = math.fsum(idf.get(w, default) for w in content)
        return math.fsum(idf.get(w, default) for w in content if w in self.asked_tokens) / total if total else 0.0

    def bigrams_of(self, t: list[str]) -> float:
        """The share of the question's adjacent keyword pairs found adjacent in ``t`` (a text's
        folded words)."""
        pairs = self._pairs
        if not pairs:
            return 0.0
        return len(pairs & set(zip(t, t[1:]))) / len(pairs)

    def siblings_of(self, t: list[str]) -> float:
        """The share of the question's word pairs ("cấp xã", "mức 4", "Cầu Kè") that ``t`` (a text's
        folded words) names with another second word ("cấp huyện", "mức 3", "Cầu Ngang") and never
        with the asked one, whose second word it does not use at all: the text is about a sibling of
        what is asked."""
        pairs = self._modifier_pairs
        if not pairs:
            return 0.0
        present = set(t)
        seconds: dict[str, set[str]] = {}
        for a, b in zip(t, t[1:]):
            seconds.setdefault(a, set()).add(b)
        asked = set(self.q.words)
        conflicts = 0
        for a, b in pairs:
            others = seconds.get(a)
            if others and b not in present and any(_modifier(c) and c not in asked for c in others):
                conflicts += 1
        return conflicts / len(pairs)

    @cached_property
    def _modifier_pairs(self) -> set[tuple[str, str]]:
        """Adjacent question words, both carrying content (a level's number counts; a year does not)."""
        w = self.q.words
        return {(a, b) for a, b in zip(w, w[1:]) if _modifier(a) and _modifier(b)}

    @cached_property
    def _pairs(self) -> set[tuple[str, str]]:
        q = [w for w in self.q.words if w not in vocab.STOP]
        return set(zip(q, q[1:]))

    def years(self, text_years_: set[int]) -> tuple[float, float]:
        """(the text names a year the question asks, it names years but none asked)."""
        asked = set(self.q.years) - self.q.doc_years if self.q.years else set()
        if not asked or not text_years_:
            return 0.0, 0.0
        return (1.0, 0.0) if asked & text_years_ else (0.0, 1.0)

    def named_documents(self, document: Document) -> tuple[float, float]:
        cached = self._named_cache.get(document.id)
        if cached is not None:
            return cached
        q = self.q
        result = (0.0, 0.0)
        if q.doc_numbers or q.doc_years:
            meta = document.metadata
            number = (meta.number or "").split("/")[0].strip()
            title_years = {int(y) for y in YEAR.findall(meta.title)} | set(meta.years_planned)
            plans = q.doc_years - q.report_years  # "KH CĐS 2023" names the plan of 2023
            ours = (
                (number and number in q.doc_numbers)
                or bool(plans & title_years)
                or bool(q.report_years & set(meta.years_reported))
            )
            result = (1.0, 0.0) if ours else (0.0, 1.0)
        self._named_cache[document.id] = result
        return result
