"""Multi-turn conversations: follow-up questions are completed from the previous turns.

A follow-up in Vietnamese leans on the question before it in a few grammatical ways, and these are
what is read here (the words are closed classes of the language, not words of any question):

- it opens with a discourse connective: "còn …", "thế …", "vậy …", "trong đó …", "riêng …", "so với …";
- it refers back with a demonstrative: "dự án đó", "kế hoạch này";
- it sets a new topic before "thì": "cấp xã thì sao?", "năm 2018 thì đứng thứ mấy?";
- or it is short and names nothing of its own (no year, place or figure): "Đã giải quyết bao nhiêu hồ sơ?".

The new topic replaces its sibling in the previous question — a year for a year, "mức 4" for
"mức 3", "cấp xã" for "cấp tỉnh" (the same head word) — and what else the follow-up asks is added
after a dash, so that retrieval and the answerer read the whole question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.analysis import CODE_YEAR, KIND_YEAR
from assistant.answering.analysis import YEAR as _YEAR
from assistant.answering.vocabulary import NOUN_END, STOP
from assistant.models import Answer
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold

#: Discourse connectives a follow-up opens with (accent-folded, longest first).
_OPENERS = ("the con", "vay con", "trong so do", "trong do", "so voi", "the thi", "con", "the", "vay", "rieng")
#: Of those, the ones that only link and can be dropped ("trong đó", "so với", "riêng" carry meaning).
_LINKS = ("the con", "vay con", "the thi", "con", "the", "vay")
#: Demonstratives that point back (with diacritics: folded "do", "nay" are other words too).
_ANAPHORS = frozenset({"đó", "này", "ấy", "kia"})
#: A follow-up this short that names nothing of its own leans on the previous question.
_SHORT = 6
#: A topic set before "thì" is at most this many words.
_TOPIC_WORDS = 5
#: Asking words, dropped from the previous question when only its subject is kept: with diacritics
#: (folded, "vị" of "đơn vị" and "đầu" of "đầu tư" would read as "vì", "đâu"), and the folded
#: forms that stay unambiguous in a question typed without diacritics.
_ASKING = frozenset("bao nhiêu gì ai nào mấy sao đâu vì tại".split())
_ASKING_FOLDED = frozenset("bao nhieu gi nao sao".split())
_WORD = re.compile(r"\w+")
_TAIL = re.compile(r"\s*(thì sao|thi sao|sao)\s*\?*\s*$", re.IGNORECASE)
_PLACES = tuple(fold(p) for p in PROVINCES)


@dataclass(frozen=True)
class Resolved:
    """A question completed from its conversation: what the answerer reads, and what is searched."""

    question: str
    search: str


def resolve_follow_up(question: str, previous: list[str]) -> str:
    """Rewrite a follow-up ("còn năm 2021 thì sao?") into a standalone question."""
    return resolve(question, previous).question


def resolve(question: str, previous: list[str]) -> Resolved:
    """``question`` read against the previous (completed) questions."""
    if not previous:
        return Resolved(question, question)
    last = previous[-1].strip()
    q = question.strip()
    folded = " ".join(_WORD.findall(fold(q.lower())))
    if not _is_follow_up(q, folded):
        return Resolved(question, question)
    if folded in {"tinh nao", "o tinh nao"}:
        return _same(f"{last.rstrip(' ?')} là của tỉnh nào?")
    core = _strip_links(q)
    topic, comment = _topic(core)
    merged = last.rstrip(" ?")
    replaced = False
    for old, new in _replacements(merged, topic, core):
        merged, replaced = merged.replace(old, new, 1), True
    if replaced:  # the same question about another year, level or part
        new_words = [w for w in _content(comment) if w not in set(_content(merged))]
        return _same(f"{merged} — {comment.rstrip(' ?')}?" if new_words else f"{merged}?")
    # Another question about the same thing: searched with what the previous one was about. It is
    # answered as asked when it has asking words of its own ("trong đó bao nhiêu …"), else as the
    # previous question about it ("thế còn dịch vụ công toàn trình?").
    search = f"{q.rstrip(' ?')}? ({_context(last)})"
    asks = any(_asking(w) for w in core.split())
    return Resolved(q if asks else f"{merged} — {core.rstrip(' ?')}?", search)


def _same(text: str) -> Resolved:
    return Resolved(text, text)


def _is_follow_up(q: str, folded: str) -> bool:
    tokens = folded.split()
    if not tokens:
        return False
    if any(folded == o or folded.startswith(o + " ") for o in _OPENERS) or _TAIL.search(q):
        return True
    if _ANAPHORS & set(_WORD.findall(q.lower())):
        return True
    if "thi" in tokens[1 : _TOPIC_WORDS + 1] and " thì " in f" {q.lower()} ":
        return True
    named = _YEAR.search(q) or any(ch.isdigit() for ch in q) or any(p in folded for p in _PLACES)
    return len(tokens) <= _SHORT and not named


def _strip_links(q: str) -> str:
    """The follow-up without its linking connective and its "thì sao?" tail."""
    words = q.split()
    for link in _LINKS:
        n = len(link.split())
        if len(words) > n and " ".join(fold(w.lower()) for w in words[:n]) == link:
            if fold(words[n].lower()).strip("?") != "lai":  # "còn lại": what remains, not a link
                words = words[n:]
            break
    return _TAIL.sub("", " ".join(words)).strip()


def _topic(core: str) -> tuple[str, str]:
    """("cấp xã", "bao nhiêu đơn vị?") from "cấp xã thì bao nhiêu đơn vị?". Without "thì", a core of a
    few words is all topic ("mức 4"); a longer one, or one that asks for a part ("trong đó …"),
    is no topic: it is added to the previous question, not put in its place."""
    words = core.split()
    folded = [fold(w.lower()).strip("?,.") for w in words]
    for i in range(1, min(len(words), _TOPIC_WORDS + 1)):
        if folded[i] == "thi":
            return " ".join(words[:i]), " ".join(words[i + 1 :])
    parts = " ".join(folded)
    if len(words) <= _TOPIC_WORDS and not any(parts.startswith(o) for o in ("trong do", "trong so do", "so voi")):
        return core.strip(" ?"), ""
    return "", core


def _replacements(last: str, topic: str, core: str) -> list[tuple[str, str]]:
    """Spans of ``last`` the follow-up replaces: its year (wherever it is said), and the phrase that
    shares the topic's head word."""
    out: list[tuple[str, str]] = []
    new_years, old_years = _YEAR.findall(core), _period_years(last)
    if new_years and old_years and new_years[0] != old_years[0]:
        out.append((old_years[0], new_years[0]))
    phrase = _YEAR.sub("", topic)
    phrase = re.sub(r"^\s*(năm|nam)\s*", "", phrase).strip(" ,?")
    if not _content(phrase):
        return out
    found = _sibling(last, phrase)
    if found:
        out.append(found)
    return out


def _sibling(last: str, phrase: str) -> tuple[str, str] | None:
    """``(old, new)``: the phrase of ``last`` that starts with the head word of ``phrase`` (or of its
    tail), as long as that part of ``phrase`` but ending before glue words, and what replaces it:
    ("cấp tỉnh", "cấp xã"), ("mức 3", "mức 4") for "DVC mức 4"."""
    mine = _WORD.findall(phrase)
    spans = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(last)]
    folded = [fold(w.lower()) for w, _, _ in spans]
    for i in range(len(mine)):
        head = fold(mine[i].lower())
        if head in STOP:
            continue
        for j, w in enumerate(folded):
            if w != head:
                continue
            end = j
            while end + 1 < len(spans) and end + 1 - j < len(mine) - i and folded[end + 1] not in NOUN_END:
                end += 1
            if end == j and len(mine) - i > 1 and j + 1 < len(spans) and spans[j + 1][0].isdigit():
                end = j + 1
            old = last[spans[j][1] : spans[end][2]]
            new = " ".join(mine[i:])  # from the shared head word on
            return None if fold(old.lower()) == fold(new.lower()) else (old, new)
    return None


def _period_years(text: str) -> list[str]:
    """The years of ``text`` that name a period, not a document ("KH CĐS 2023", "45/2020/NĐ-CP")."""
    folded = fold(text.lower())
    named = [m.span(3) for m in KIND_YEAR.finditer(folded)] + [m.span() for m in CODE_YEAR.finditer(text)]
    return [m.group(1) for m in _YEAR.finditer(text) if not any(a <= m.start() < b for a, b in named)]


def _context(question: str) -> str:
    """What a question is about, without its asking words: "Vì sao chương trình X chậm triển khai?"
    → "chương trình X chậm triển khai"."""
    kept = [w for w in question.split() if not _asking(w)]
    return " ".join(kept).strip(" ?,")


def _asking(word: str) -> bool:
    w = word.lower().strip("?,.:;")
    return w in _ASKING or (w.isascii() and w in _ASKING_FOLDED)


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text.lower())) if w not in STOP and w not in NOUN_END]


def standalone(question: str, history: list[str]) -> str:
    """``question`` completed from the conversation so far (each earlier turn completed in turn)."""
    return resolve_turn(question, history).question


def resolve_turn(question: str, history: list[str]) -> Resolved:
    """``question`` completed from the conversation so far: each earlier turn is completed in turn."""
    resolved: list[str] = []
    for earlier in history:
        resolved.append(resolve(earlier, resolved).question)
    return resolve(question, resolved)


@dataclass
class Conversation:
    """Keeps the questions asked so far and answers each one in context."""

    pipeline: object
    history: list[str] = field(default_factory=list)

    def ask(self, question: str, **options) -> Answer:
        answer = self.pipeline.ask(question, history=list(self.history), **options)
        self.history.append(question)
        return answer
