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
from assistant.answering.vocabulary import ASKING, ASKING_FOLDED, COMPARE, NOT_COMPARE, NOUN_END, STOP
from assistant.models import Answer
from assistant.validation import clean_question
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold

#: Discourse connectives a follow-up opens with (accent-folded, longest first).
_OPENERS = ("the con", "vay con", "trong so do", "trong do", "so voi", "the thi", "con", "the", "vay", "rieng")
#: Of those, the ones that only link and can be dropped ("trong đó", "so với", "riêng" carry meaning).
_LINKS = ("the con", "vay con", "the thi", "con", "the", "vay")
#: Demonstratives that point back (with diacritics: folded "do", "nay" are other words too).
_ANAPHORS = frozenset({"đó", "này", "ấy", "kia"})
#: A follow-up this short (its asking words aside) that names nothing of its own leans on the
#: previous question.
_SHORT = 6
#: A topic set before "thì" is at most this many words.
_TOPIC_WORDS = 5
_WORD = re.compile(r"\w+")
#: "so với": what a comparison measures against, and where its clause ends (a stop, "thì", "nhưng",
#: a comma not listing another year) — with diacritics, or folded for a question typed without them.
_SO_VOI = (re.compile(r"\bso với\b"), re.compile(r"\bso voi\b"))
_CLAUSE_END = (
    re.compile(r"[;?!]|,(?!\s*(?:và\s+)?(?:năm\s+)?(?:19|20)\d\d)|\s(?:thì|nhưng)\s"),
    re.compile(r"[;?!]|,(?!\s*(?:va\s+)?(?:nam\s+)?(?:19|20)\d\d)|\s(?:thi|nhung)\s"),
)
_COMPARE = (frozenset(COMPARE), frozenset(fold(w) for w in COMPARE))
_NOT_COMPARE = (frozenset(NOT_COMPARE), frozenset(fold(w) for w in NOT_COMPARE))
#: "… thì sao?" (a bare "sao" ends other questions too: "bản sao", "khách sạn 5 sao").
_TAIL = re.compile(r"\s*(?:\b(?:thì|thế|thi|the)\s+sao|^sao)\s*\?*\s*$", re.IGNORECASE)
_PLACES = re.compile(r"\b(?:" + "|".join(re.escape(fold(p)) for p in PROVINCES) + r")\b")
#: What of the previous question is carried into the search of a follow-up (characters), how much
#: of it is read at all, and the longest question still read as a follow-up (a longer one says
#: what it is about).
_CONTEXT_CHARS = 400
_PREVIOUS_CHARS = 900
_FOLLOW_UP_CHARS = 1000


@dataclass(frozen=True)
class Resolved:
    """A question completed from its conversation: what the answerer reads, and what is searched."""

    question: str
    search: str

    @property
    def context(self) -> str:
        """What the conversation adds for the answerer: the search text when it carries an earlier
        subject, else nothing."""
        return self.search if self.search != self.question else ""


def resolve_follow_up(question: str, previous: list[str]) -> str:
    """Rewrite a follow-up ("còn năm 2021 thì sao?") into a standalone question."""
    return resolve(question, previous).question


def resolve(question: str, previous: list[str]) -> Resolved:
    """``question`` read against the previous (completed) questions."""
    last = _trimmed(previous[-1]) if previous else ""
    q = question.strip()
    folded = " ".join(_WORD.findall(fold(q.lower())))
    if not last or len(q) > _FOLLOW_UP_CHARS or not _is_follow_up(q, folded):
        return Resolved(question, question)
    if folded in {"tinh nao", "o tinh nao"}:
        return _same(f"{last.rstrip(' ?')} là của tỉnh nào?")
    core = _strip_links(q)
    if not core.strip(" ?"):  # "thì sao?" alone: the previous question again
        return _same(last)
    topic, comment = _topic(core)
    merged = last.rstrip(" ?")
    compared = _compared(core)
    spans = _replacements(merged, topic, core, compared)
    for start, end, new in sorted(spans, reverse=True):  # spliced where found, last first
        merged = merged[:start] + new + merged[end:]
    if spans:  # the same question about another year, level or part
        new_words = [w for w in _content(comment) if w not in set(_content(merged))]
        return _same(f"{merged} — {comment.rstrip(' ?')}?" if new_words else f"{merged}?")
    if compared:  # the previous question's figure against another year's: both read
        return _same(f"{merged} — {core.rstrip(' ?')}?")
    # Another question about the same thing: searched with what the previous one was about. It is
    # answered as asked when it has asking words of its own ("trong đó bao nhiêu …"), else as the
    # previous question about it ("thế còn dịch vụ công toàn trình?").
    search = f"{q.rstrip(' ?')}? ({_context(last)[:_CONTEXT_CHARS]})"
    asks = any(_asking(w) for w in core.split())
    return Resolved(q if asks else f"{merged} — {core.rstrip(' ?')}?", search)


def _trimmed(text: str) -> str:
    """A previous question as the pipeline reads a new one (NFC, one space; its first
    ``_PREVIOUS_CHARS`` characters); empty when it holds no letter or digit."""
    text = clean_question(text)[:_PREVIOUS_CHARS]
    return text if any(ch.isalnum() for ch in text) else ""


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
    if _then(q.split()[1 : _TOPIC_WORDS + 1], q.isascii()):
        return True
    own_text = q  # a year compared with ("tăng bao nhiêu so với năm 2024?") names nothing of its own
    for a, b in _compared(q):
        own_text = own_text[:a] + " " * (b - a) + own_text[b:]
    named = any(ch.isdigit() for ch in own_text) or _PLACES.search(folded)
    own = [w for w in own_text.split() if not _asking(w)]  # "bao nhiêu" names nothing
    return len(own) <= _SHORT and not named


def _then(words: list[str], ascii_only: bool) -> int | None:
    """The index of "thì" among ``words`` ("thi" in a question typed without diacritics: with them,
    "thị", "thí" are other words)."""
    for i, w in enumerate(words):
        w = w.lower().strip("?,.")
        if w == "thì" or (ascii_only and w == "thi"):
            return i
    return None


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
    at = _then(words[1 : _TOPIC_WORDS + 1], core.isascii())
    if at is not None:
        return " ".join(words[: at + 1]), " ".join(words[at + 2 :])
    parts = " ".join(fold(w.lower()) for w in words)
    if len(words) <= _TOPIC_WORDS and not any(parts.startswith(o) for o in ("trong do", "trong so do", "so voi")):
        return core.strip(" ?"), ""
    return "", core


def _compared(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a year as the standard it compares with ("tăng bao nhiêu % so với năm
    2022", "so với chỉ tiêu năm 2023 thì còn thiếu …"): the other side of a comparison, not a new
    period. Without a comparison word, "so với năm 2024 thì tỷ lệ này là bao nhiêu?" asks 2024's."""
    folded = text.isascii()
    lower = text.lower()
    if not _compares(_WORD.findall(lower), folded):
        return []
    out: list[tuple[int, int]] = []
    for m in _SO_VOI[folded].finditer(lower):
        end = _CLAUSE_END[folded].search(lower, m.end())
        out += [y.span(1) for y in _YEAR.finditer(lower, m.end(), end.start() if end else len(lower))]
    return out


def _compares(tokens: list[str], folded: bool) -> bool:
    """Whether a comparison word stands among ``tokens`` as a word of its own ("tăng", not "tăng
    cường" or "hạ tầng")."""
    compare, compounds = _COMPARE[folded], _NOT_COMPARE[folded]
    for i, w in enumerate(tokens):
        if w in compare:
            pairs = (" ".join(tokens[i - 1 : i + 1]) if i else "", " ".join(tokens[i : i + 2]))
            if not any(pair in compounds for pair in pairs):
                return True
    return False


def _outside(spans: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in spans)


def _replacements(last: str, topic: str, core: str, compared: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """``(start, end, new)`` spans of ``last`` the follow-up replaces: the year of its period (wherever
    the follow-up says it, unless as the standard of a comparison), and the phrase that shares the
    topic's head word. ``compared``: the years ``core`` compares with (``_compared``)."""
    out: list[tuple[int, int, str]] = []
    was_compared = _compared(last)
    new_years = [m.group(1) for m in _YEAR.finditer(core) if _outside(compared, m.start(1))]
    old_years = [span for span in _period_years(last) if _outside(was_compared, span[0])]
    if new_years and old_years and new_years[0] != last[old_years[0][0] : old_years[0][1]]:
        out.append((*old_years[0], new_years[0]))
    if compared and was_compared:  # another standard for the same comparison
        new = core[compared[0][0] : compared[0][1]]
        if new != last[was_compared[0][0] : was_compared[0][1]]:
            out.append((*was_compared[0], new))
    phrase = _YEAR.sub("", topic)
    phrase = re.sub(r"^\s*(năm|nam)\s*", "", phrase).strip(" ,?")
    found = _sibling(last, phrase) if _content(phrase) else None
    if found and not any(a < found[1] and found[0] < b for a, b, _ in out):
        out.append(found)
    return out


def _sibling(last: str, phrase: str) -> tuple[int, int, str] | None:
    """``(start, end, new)``: the phrase of ``last`` that starts with the head word of ``phrase`` (or
    of its tail), as long as that part of ``phrase`` but ending before glue words, and what replaces
    it: "cấp tỉnh" → "cấp xã", "mức 3" → "mức 4" for "DVC mức 4". An occurrence of the head word
    followed by a glue word is a verb or a preposition ("cấp cho"), not the phrase."""
    mine = _WORD.findall(phrase)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(last)]
    # Words are compared with their diacritics when the follow-up has them ("máy" is not "mấy").
    exact = not phrase.isascii()
    key = (lambda w: w.lower()) if exact else (lambda w: fold(w.lower()))
    keys = [key(last[a:b]) for a, b in spans]
    glue = [fold(k) in NOUN_END for k in keys]
    for i in range(len(mine)):
        head = key(mine[i])
        if fold(head) in NOUN_END or (_asking(head) if exact else head in STOP):
            continue
        wanted = len(mine) - i  # words from the head on
        for j, k in enumerate(keys):
            if k != head:
                continue
            after = last[spans[j + 1][0] : spans[j + 1][1]] if j + 1 < len(spans) else ""
            if wanted > 1 and (not after or glue[j + 1]) and not after.isdigit():
                continue  # "cấp cho": a verb and its preposition, not the phrase
            end = j
            while end + 1 < len(spans) and end + 1 - j < wanted and not glue[end + 1]:
                end += 1
            if mine[-1].isdigit():  # the slot's value is a number: the old one ends at its number
                numbers = [n for n in range(j + 1, min(j + 4, len(spans))) if keys[n].isdigit()]
                end = numbers[0] if numbers else end
            old = last[spans[j][0] : spans[end][1]]
            new = " ".join(mine[i:])  # from the shared head word on
            return None if fold(old.lower()) == fold(new.lower()) else (spans[j][0], spans[end][1], new)
    return None


def _period_years(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a period by its year, not a document ("KH CĐS 2023", "45/2020/NĐ-CP")."""
    folded = fold(text.lower())  # ``text`` is NFC (``_trimmed``): folding keeps every position
    named = [m.span(3) for m in KIND_YEAR.finditer(folded)] + [m.span() for m in CODE_YEAR.finditer(text)]
    return [m.span(1) for m in _YEAR.finditer(text) if not any(a <= m.start() < b for a, b in named)]


def _context(question: str) -> str:
    """What a question is about, without its asking words: "Vì sao chương trình X chậm triển khai?"
    → "chương trình X chậm triển khai"."""
    kept = [w for w in question.split() if not _asking(w)]
    return " ".join(kept).strip(" ?,")


def _asking(word: str) -> bool:
    """An asking word: dropped from the previous question when only its subject is kept."""
    w = word.lower().strip("?,.:;()")
    return w in ASKING or (w.isascii() and w in ASKING_FOLDED)


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text.lower())) if w not in STOP and w not in NOUN_END]


def standalone(question: str, history: list[str]) -> str:
    """``question`` completed from the conversation so far (each earlier turn completed in turn)."""
    return resolve_turn(question, history).question


def resolve_turn(question: str, history: list[str]) -> Resolved:
    """``question`` completed from the conversation so far: each earlier turn is completed in turn,
    and the next one reads what it was searched with (its subject included). Empty turns are skipped."""
    previous: list[str] = []
    for earlier in history:
        if _trimmed(earlier):
            previous.append(resolve(earlier, previous).search)
    return resolve(question, previous)


@dataclass
class Conversation:
    """Keeps the questions asked so far and answers each one in context."""

    pipeline: object
    history: list[str] = field(default_factory=list)

    def ask(self, question: str, **options) -> Answer:
        answer = self.pipeline.ask(question, history=list(self.history), **options)
        self.history.append(question)
        return answer
