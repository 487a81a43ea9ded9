"""Question analysis: the hard facts a question states (years, numbers, places, documents it names,
what it counts) read with patterns, and what it asks (answer type, operation) from the classifier."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.answering import vocabulary as vocab
from assistant.vietnamese.lexicon import TIME_UNITS
from assistant.vietnamese.number_finder import find_numbers
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold, words

YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
#: A year inside a document number ("137/2017/TT-BTC", "45/2020/NĐ-CP") names no period.
CODE_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20[0-4]\d)/[A-ZĐ]")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)(?!\d)")
#: A province name right after a broadcaster or carrier names that organisation ("VTV Cần Thơ").
_ORG_BEFORE = re.compile(r"\b(?:VTV\d*|VNPT|Viettel|MobiFone|VinaPhone|Đài|Báo|Bưu điện)\s+$", re.IGNORECASE)
#: A document named by its number: "2063/QĐ-UBND", "QĐ 2063", "Kế hoạch số 37", "Nghị quyết 36".
_DOC_NUMBER = re.compile(r"(?<![\d/.,])(\d{1,5})(?:/\d{4})?[/-][A-ZĐa-zđ]")
_KIND_NUMBER = re.compile(r"\b(?:" + "|".join(vocab.DOCUMENT_KINDS) + r")\s+(?:so\s+)?(\d{2,5})\b")
#: A document named by its kind and year: "KH CĐS 2023", "báo cáo KTXH năm 2023".
KIND_YEAR = re.compile(
    r"\b(" + "|".join(vocab.DOCUMENT_KINDS) + r")\b((?:\s[^\W\d]+){0,7}?)\s(?:nam\s)?((?:19|20)\d\d)\b"
)
#: A small whole number standing alone: the level of "mức 3", the 2 of "cấp độ 2".
SMALL = re.compile(r"(?<![\d.,/])(\d{1,2})(?![\d.,/%])")
#: Words and punctuation marks (a run of capitalised words is broken by anything but spaces).
_TOKEN = re.compile(r"\w+|[^\w\s]+")
#: What separates the things a question lists.
_LISTED = re.compile(r",|\+|\s(?:và|lẫn|với|va|lan)\s", re.IGNORECASE)


@dataclass
class Question:
    text: str
    words: list[str]  # folded
    keywords: list[str]  # folded content words, abbreviations expanded
    # a follow-up's earlier subject: keywords its conversation named before and it does not repeat
    earlier: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    written_percent: list[bool] = field(default_factory=list)  # per number: written as a percentage
    number_target: list[bool] = field(default_factory=list)  # per number: its clause says a target
    provinces: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # folded proper names other than provinces: "tieu can"
    doc_numbers: set[str] = field(default_factory=set)
    doc_years: set[int] = field(default_factory=set)  # years that name a document ("KH 2024")
    report_years: set[int] = field(default_factory=set)  # of those, years a report ("báo cáo 2023") covers
    counted: list[str] = field(default_factory=list)  # "bao nhiêu trạm BTS" → ["tram", "bts"]
    # the whole counted phrase: "bao nhiêu cảnh báo lỗ hổng bảo mật" → ["canh", "bao", "lo", "hong", "bao", "mat"]
    counted_phrase: list[str] = field(default_factory=list)
    per: list[str] = field(default_factory=list)  # "bình quân mỗi kỳ sát hạch" → ["ky", "sat", "hach"]
    small: set[int] = field(default_factory=set)  # small whole numbers it names: the 3 of "mức 3"
    enumerated: int = 1  # how many things it lists: "cấp tỉnh, cấp huyện và cấp xã" → 3
    # the things it asks, when it asks several ("bao nhiêu tổ và bao nhiêu thành viên?"): the text
    # of each (``asked_parts``), and each one's keywords (set by ``reading.question_of``)
    part_texts: list[str] = field(default_factory=list)
    parts: list[list[str]] = field(default_factory=list)
    asks_target: bool = False
    asks_points: bool = False  # "bao nhiêu điểm phần trăm": a difference of two percentages
    types: dict[str, float] = field(default_factory=dict)
    operations: dict[str, float] = field(default_factory=dict)
    unanswerable: float = 0.0  # the classifier's probability that such a question has no answer
    # the documents that probability knows (sha256): it learnt what they do not say, nothing of others
    unanswerable_known: frozenset[str] = frozenset()
    vector: np.ndarray | None = None

    @property
    def folded(self) -> str:
        return " ".join(self.words)

    @property
    def kind(self) -> str:
        return max(self.types, key=self.types.get) if self.types else "text"

    @property
    def operation(self) -> str | None:
        """The likeliest operation, when a calculation is the likeliest answer."""
        if self.kind != "computed" or not self.operations:
            return None
        return max(self.operations, key=self.operations.get)

    @property
    def numeric(self) -> float:
        """How likely the answer is a number (stated or computed)."""
        t = self.types
        return t.get("number", 0.0) + t.get("percent", 0.0) + t.get("computed", 0.0)


def analyze(question: str, expanded_words: list[str]) -> Question:
    """The hard facts of ``question``; ``expanded_words`` are its folded words with abbreviations
    expanded (from the build's tokenizer)."""
    folded_words = words(question)
    folded = " ".join(folded_words)
    years = [int(y) for y in YEAR.findall(CODE_YEAR.sub(" ", question))]
    for a, b in _RANGE.findall(question):
        if int(a) < int(b) <= int(a) + 30:
            years += [y for y in range(int(a), int(b) + 1) if y not in years]
    found = [m for m in find_numbers(question) if m.kind in ("quantity", "percent", "ratio", "money")]
    numbers = [m.value for m in found]
    provinces = provinces_named(question)
    doc_numbers = {m.group(1) for m in _DOC_NUMBER.finditer(question)} | {
        m.group(1) for m in _KIND_NUMBER.finditer(folded) if not YEAR.fullmatch(m.group(1))
    }
    named = [(m.group(1), int(m.group(3))) for m in KIND_YEAR.finditer(folded)]
    doc_years = {y for _, y in named}
    report_years = {y for kind, y in named if kind in ("bao cao", "bc")}
    keywords = keywords_of(folded_words + expanded_words)
    return Question(
        text=question,
        words=folded_words,
        keywords=keywords,
        years=sorted(set(years)),
        numbers=numbers,
        written_percent=[m.kind == "percent" for m in found],
        number_target=_targets(question, found),
        provinces=provinces,
        names=proper_names(question, provinces),
        doc_numbers=doc_numbers,
        doc_years=doc_years,
        report_years=report_years,
        counted=counted_noun(question),
        counted_phrase=counted_noun(question, COUNTED_PHRASE),
        per=per_noun(question),
        small={int(x) for x in SMALL.findall(question)},
        enumerated=min(6, 1 + len(_LISTED.findall(question))),
        part_texts=asked_parts(question),
        asks_target=vocab.has_any(folded, vocab.TARGET),
        asks_points=bool(_POINTS.search(fold(question.lower()))),
    )


def keywords_of(folded_words: list[str]) -> list[str]:
    """The content words among ``folded_words``, once each, in order (no glue, digits or letters)."""
    return [w for w in dict.fromkeys(folded_words) if w not in vocab.STOP and not w.isdigit() and len(w) > 1]


#: Percentage points: "điểm phần trăm", "điểm %", "điểm (phần trăm)".
_POINTS = re.compile(r"\bdiem\s*\(?\s*(?:phan\s*tram|%)")
#: What ends the clause a number of the question belongs to (another number ends it too), read on
#: the question as typed, and without accents only in a question typed without any.
_CLAUSE_END = re.compile(r"[,;?!]|\.\s|\s(?:so với|thì|mà|hiện|nhưng)\s")
_CLAUSE_END_UNACCENTED = re.compile(r"[,;?!]|\.\s|\s(?:so voi|thi|hien|nhung)\s")
#: How far before a number its clause is read for a target (words).
TARGET_WORDS = 15


def _targets(question: str, found: list) -> list[bool]:
    """For each number found, whether its clause says a target ("mục tiêu 80%", "kế hoạch đặt mục
    tiêu tỷ lệ … đạt 80%"): the words before it, back to the previous number or the end of the
    previous clause. In "đạt 45% so với mục tiêu 80%" 80 is a target and 45 is not; in "mục tiêu
    95% thì đã đạt 60%" 95 is."""
    lower = question.lower()
    ends = _CLAUSE_END_UNACCENTED if _unaccented(lower) else _CLAUSE_END
    out, previous = [], 0
    for m in found:
        clause = lower[previous : m.start]
        cut = list(ends.finditer(clause))
        clause = clause[cut[-1].end() :] if cut else clause
        out.append(vocab.has_any(" ".join(words(clause)[-TARGET_WORDS:]), vocab.TARGET))
        previous = m.end
    return out


#: What separates the things a question asks: a comma, a colon, a question mark, a sentence's end,
#: "và", "đồng thời" ("còn" goes on asking in "thì còn thiếu bao nhiêu"; "cùng" is "cùng kỳ").
_PART_SEPARATOR = re.compile(r"[,;:?!]|\.\s|\s(?:và|đồng thời|va|dong thoi)\s", re.IGNORECASE)
_PART_WORD = re.compile(r"\w+")
#: The most parts told apart (further ones join the last).
MAX_PARTS = 4
#: "bao" asks with these: "bao nhiêu", "bao giờ", "bao lâu", "bao xa".
_BAO = frozenset({"nhiêu", "giờ", "lâu", "xa", "nhieu", "gio", "lau"})
#: "sao" asks after these ("vì sao", "ra sao", "thì sao") or ending a stretch — not after a number
#: or a noun it belongs to ("4 sao", "bản sao", "sao lưu" ends nothing).
_SAO_AFTER = frozenset({"vì", "tại", "ra", "thì", "thế", "làm", "vi", "tai", "thi", "the", "lam"})
_SAO_NOUN = frozenset({"bản", "ngôi", "giải", "ban", "ngoi", "giai"})
#: "mấy năm gần đây", "mấy tháng qua": a stretch of time, not a question.
_MAY_TIME = (frozenset({"năm", "tháng", "ngày"}), frozenset({"gần", "qua", "nay", "vừa", "trước"}))


def asked_parts(question: str) -> list[str]:
    """The stretches of a question that ask one thing each, when it asks more than one ("Toàn tỉnh
    lập được bao nhiêu tổ | và có bao nhiêu thành viên?"); [] when it asks one. A stretch without
    an asking word belongs to the part it leads into ("Kinh phí chia theo nguồn: vốn đầu tư bao
    nhiêu" is one part)."""
    lower = question.lower()
    accented = not _unaccented(lower)
    parts: list[str] = []
    current, asks, start = "", False, 0
    for m in [*_PART_SEPARATOR.finditer(lower), None]:
        piece = question[start : m.start() if m else len(question)]
        piece_asks = bool(asking_spans(piece, accented))
        if piece_asks and asks:  # a second asking stretch starts a part of its own
            parts.append(current)
            current = ""
        current = f"{current} {piece}" if current else piece
        asks = asks or piece_asks
        start = m.end() if m else len(question)
    parts.append(current)
    parts = [p.strip(" ?.!") for p in parts if p.strip(" ?.!")]
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
    return parts if len(parts) > 1 else []


def asking_spans(text: str, accented: bool | None = None) -> list[tuple[int, int]]:
    """Where ``text`` asks: the spans of its asking words ("bao nhiêu" whole: "nhiều" alone is
    "many"; "AI" in capitals is artificial intelligence). Without diacritics only the folded forms
    that stay unambiguous count ("may" is also "máy")."""
    if accented is None:
        accented = not _unaccented(text.lower())
    found = list(_PART_WORD.finditer(text))
    lower = [m.group().lower() for m in found]
    spans = []
    for i, (m, w) in enumerate(zip(found, lower)):
        previous = lower[i - 1] if i else ""
        following = lower[i + 1 : i + 3]
        if w == "bao":
            if following[:1] and following[0] in _BAO:
                spans.append((m.start(), found[i + 1].end()))
        elif w == "sao":
            last = i == len(found) - 1 and not previous.isdigit() and previous not in _SAO_NOUN
            if previous in _SAO_AFTER or last:
                spans.append(m.span())
        elif w in ("nhiêu", "nhieu", "vì", "tại") or (w == "ai" and m.group().isupper()):
            continue
        elif w == "mấy" and len(following) == 2 and following[0] in _MAY_TIME[0] and following[1] in _MAY_TIME[1]:
            continue
        elif w in vocab.ASKING if accented else w in vocab.ASKING_FOLDED:
            spans.append(m.span())
    return spans


def without_asking(text: str) -> str:
    """``text`` with its asking words taken out: what a part asks about ("ở đâu" names no "đầu")."""
    for start, end in reversed(asking_spans(text)):
        text = f"{text[:start]} {text[end:]}"
    return text


def _unaccented(lower: str) -> bool:
    """Whether a (lower-case) question was typed without any diacritics: then its unaccented words
    may stand for accented ones ("may" for "mấy", "thi" for "thì")."""
    return fold(lower) == lower


def provinces_named(text: str) -> list[str]:
    """The provinces ``text`` names as places (from the data file of every province)."""
    return [p for p in PROVINCES if _names_place(text, p)]


def proper_names(question: str, provinces: list[str]) -> list[str]:
    """The proper names a question uses, folded: runs of capitalised words ("huyện Tiểu Cần",
    "hệ thống Jitsi"). A run that opens the question loses its first word (capitalised anyway).
    Abbreviations in capitals ("CĐS", "BTS") are not names, nor are the provinces (the document's
    province answers for those)."""
    runs: list[tuple[int, list[str]]] = []
    run: list[str] = []
    for i, token in enumerate(_TOKEN.findall(question)):
        if token.isalpha() and len(token) > 1 and token[0].isupper() and token[1:].islower():
            if not run:
                runs.append((i, run))
            run.append(token)
        else:
            run = []
    skip = {" ".join(words(p)) for p in provinces}
    out = []
    for i, r in runs:
        name = " ".join(words(" ".join(r)))
        if name in skip or any(name.endswith(" " + p) for p in skip):
            continue
        if i == 0:  # "Huyện Tiểu Cần …": the capital of the first word says nothing
            name = name.split(" ", 1)[1] if " " in name else ""
        if name:
            out.append(name)
    return list(dict.fromkeys(out))


#: Words of a counted phrase compared with the words after a figure ("cảnh báo lỗ hổng bảo mật").
COUNTED_PHRASE = 6


def counted_noun(question: str, most: int = 3) -> list[str]:
    """The folded words naming what a "bao nhiêu …"/"mấy …" question counts (at most ``most``).
    "máy" (a machine) is not "mấy" (how many): without accents "may" counts only in a question
    typed without any."""
    return _noun_after(
        question,
        r"\b(?:bao\s+nhi[eê]u|mấy)\s+(.+)",
        r"\b(?:may)\s+(.+)",
        lambda w: w in vocab.NOUN_END,
        most,
        ends_accented=lambda w: w in vocab.NOUN_END_ACCENTED,
    )


#: A unit written after a slash: "lượt/người", "đồng / tháng" (a word before it, a word in lower
#: case after it: "681/QĐ-UBND" and "Sở TTTT/UBND" are names, not units).
_PER_SLASH = re.compile(r"(?<=[^\W\d_])\s?/\s?(?=[^\W\d_])")
#: Words around a slash that make it "or": "và/hoặc", "xã/hay phường".
_OR = frozenset({"va", "hoac", "hay"})
#: Units of time: "đồng/tháng", "hồ sơ/ngày" are rates.
_TIME = frozenset(fold(u) for u in TIME_UNITS)
#: "bao nhiêu", "mấy" (without accents only in a question typed without any: "máy" is a machine).
_COUNT_CUE = re.compile(r"\b(?:bao nhiêu|mấy)\b")
_COUNT_CUE_UNACCENTED = re.compile(r"\b(?:bao nhieu|may)\b")
#: How many words before a slash the quantity it divides may stand ("bao nhiêu lượt truy cập/người").
PER_REACH = 4


def per_noun(question: str) -> list[str]:
    """The folded words naming the unit an average or rate is per ("mỗi kỳ sát hạch", "trên một
    dự án", "lượt/người"): the divisor a per-item question asks for (at most three words). The
    words say it first; a slash after a word counts only when none does, and only after a quantity
    (a number that is not a year, or "bao nhiêu"/"mấy") at most ``PER_REACH`` words before it, in a
    question that asks an average or with a unit of time after it ("2 triệu đồng/tháng"); "cán
    bộ/công chức", "và/hoặc", "xã/phường" read "or". "moi" without accents is also "mới" (new): it
    counts only in a question typed without any."""

    def ends(w: str) -> bool:
        return w in vocab.NOUN_END or (w in vocab.STOP and w != "may")  # "mỗi máy chủ"

    found = _noun_after(
        question, r"(?:\bmỗi|\b(?:trên|bình\s+quân|trung\s+bình)\s+một)\s*(\w.+)", r"\bmoi\s+(.+)", ends
    )
    if found:
        return found
    slashes = [m for m in _PER_SLASH.finditer(question) if question[m.end()].islower()]
    if not slashes:
        return []
    lower = question.lower()
    cue = _COUNT_CUE_UNACCENTED if _unaccented(lower) else _COUNT_CUE
    average = vocab.has_any(" ".join(words(question)), vocab.AVERAGE)
    numbers = [n for n in find_numbers(question) if n.kind in ("quantity", "money")]
    for m in slashes:
        after, before = words(question[m.end() :])[:1], list(re.finditer(r"\w+", question[: m.start()]))
        if not after or after[0] in _OR or (before and fold(before[-1].group().lower()) in _OR):
            continue
        reach = before[-PER_REACH - 2].start() if len(before) > PER_REACH + 1 else 0  # "bao nhiêu" is two
        number = any(reach <= n.start and n.end <= m.start() for n in numbers)
        counted = bool(cue.search(lower, reach, m.start()))
        if (average and (number or counted)) or (after[0] in _TIME and number):
            return _noun_after(question[m.end() :], r"^(\w.+)", r"^(\w.+)", ends)
    return []


def _noun_after(
    question: str,
    cue: str,
    cue_unaccented: str,
    ends: Callable[[str], bool],
    most: int = 3,
    ends_accented: Callable[[str], bool] | None = None,
) -> list[str]:
    """Up to ``most`` folded words after the cue (``cue_unaccented`` only in a question typed
    without any diacritics), ending at a number or a word ``ends`` says ends the noun (given folded)
    — or, in a question typed with diacritics, ``ends_accented`` (given as written) when there is one."""
    lower = unicodedata.normalize("NFC", question.lower())
    unaccented = _unaccented(lower)
    m = re.search(cue, lower)
    if m is None and unaccented:
        m = re.search(cue_unaccented, lower)
    if not m:
        return []
    folded = words(m.group(1))
    written = re.findall(r"\w+", m.group(1))
    if ends_accented is None or unaccented or len(written) != len(folded):
        written, stop = folded, ends
    else:
        stop = ends_accented
    out: list[str] = []
    for w, f in list(zip(written, folded))[: max(6, most)]:
        if f.isdigit() or stop(w):
            break
        out.append(f)
    return out[:most]


def _names_place(question: str, province: str) -> bool:
    """Whether the question names ``province`` as a place (whole words; not inside "VTV Cần Thơ").
    Without accents the name is matched only in a question typed without any."""
    lower = question.lower()
    text, name = (lower, fold(province)) if _unaccented(lower) else (lower, province)
    return any(
        not _ORG_BEFORE.search(question[: m.start()]) for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    )
