"""The indicator of a prose figure: the phrase it quantifies.

Indicator rule (prose). The clause around the number is cut at ``; : ( ) “ ”``, tabs,
sentence ends, and at commas once the phrase already has three words (so that lists like
"xã, phường, thị trấn" stay whole). Then:

* counts (a unit that is a noun such as "dịch vụ", "trạm"): the words *after* the number,
  unit included — "1.057 dịch vụ công trực tuyến toàn trình" → "dịch vụ công trực tuyến
  toàn trình";
* percents and measures (%, km, triệu đồng…): the words after the unit when they name a
  subject ("83,21% hồ sơ công việc tại cấp tỉnh"), otherwise the words *before* the
  number ("tỷ lệ hộ gia đình … băng rộng đạt 59,25%"). A phrase before that is about a
  rate ("tỷ lệ …") wins; phrases after that are relative ("so với …", "mục tiêu",
  "theo …") never do;
* with nothing usable in the clause: the label before a colon ("Tổng kinh phí …: 72.524
  triệu đồng"), else the preceding clause without its numbers ("551 dịch vụ công … (chiếm
  tỷ lệ 29,65%)").

Trailing verbs and qualifiers ("đạt", "là", "hơn") and leading connectors are trimmed; at
most 12 words are kept, those nearest the number.
"""

from __future__ import annotations

import re

from assistant.vietnamese.number_finder import NumberMatch
from assistant.vietnamese.numbers import scale_of

MAX_INDICATOR_WORDS = 12
LIST_MARKER = re.compile(r"\s*(?:[-+•*]|[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|\d{1,2}\))\s")
SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_HARD = ';:()“”"\t[]'

_LEAD = (
    "triệu đồng",
    "tỷ đồng",
    "đồng",
    "trong đó",
    "tuy nhiên",
    "đến nay",
    "hiện nay",
    "hiện có",
    "và",
    "với",
    "gồm",
    "có",
    "đã",
    "là",
    "còn",
    "hoặc",
    "cùng",
    "nhưng",
    "đó",
    "thì",
    "thêm",
    "trên",
    "hơn",
    "khoảng",
    "gần",
    "đạt",
    "chiếm",
    "chỉ có",
    "chưa",
    "không",
    "đều",
    "cũng",
)
_TRAIL = (
    "tỷ lệ",
    "tỉ lệ",
    "tổng số",
    "chỉ có",
    "là",
    "có",
    "gồm",
    "với",
    "được",
    "bằng",
    "chiếm",
    "đạt",
    "và",
    "của",
    "cho",
    "tại",
    "ở",
    "hơn",
    "trên",
    "khoảng",
    "gần",
    "từ",
    "đến",
    "lên",
    "còn",
    "chỉ",
    "tối thiểu",
    "tối đa",
    "ít nhất",
    "dưới",
    "tăng",
    "giảm",
    "xấp xỉ",
    "trong",
    "thêm",
    "mới",
    "nâng",
    "đó",
    "qua",
    "sau",
    "chưa",
    "không",
)
_GENERIC = frozenset(("tỷ lệ", "tỉ lệ", "tỷ trọng", "mức", "tổng số", "số lượng", "tổng", "số", "trong đó", ""))
_RELATIVE = ("so với", "so", "theo", "mục tiêu", "kế hoạch", "tổng", "trên tổng", "của", "trong tổng", "trở lên", "/")
_RATE = re.compile(r"\b(?:tỷ|tỉ) (?:lệ|trọng)\b", re.IGNORECASE)
_MEASURES = frozenset(("%", "%/năm", "km", "m", "kV", "MB", "GB", "TB", "Mbps", "Gbps", "ha"))


def find_indicator(
    text: str, s0: int, s1: int, m: NumberMatch, figures: list[NumberMatch], previous: str | None
) -> str:
    """The phrase ``m`` quantifies (see the module docstring); ``previous`` is the indicator
    of the figure before it in the same sentence."""
    prev_end = max((f.end for f in figures if s0 <= f.end <= m.start and f is not m), default=s0)
    next_start = min((f.start for f in figures if m.end <= f.start < s1 and f is not m), default=s1)
    left_at, left = clause_before(text, max(s0, prev_end), m.start)
    end = m.end
    partner = next((f for f in figures if f.start == next_start), None)
    if partner and re.fullmatch(r"\s*(?:-|–|đến)\s*", text[m.end : partner.start]):
        end = partner.end  # "từ 30% - 50% thời gian họp": describe the range once
        next_start = min((f.start for f in figures if end <= f.start < s1), default=s1)
    right = _clause_after(text, end, next_start)
    unit = m.unit or ""
    measure = (
        m.is_percent
        or unit in _MEASURES
        or scale_of(unit) != 1
        or m.kind == "money"
        or unit in ("giờ", "phút", "ngày", "tháng", "năm", "tuần", "lần")
        or "/" in unit
    )
    if measure and unit:
        right = _drop_unit(right, unit)
    if measure and re.match(r"\s*(?:và|hoặc|nhưng|,)", right):
        right = ""  # "200 triệu đồng và năm 2023 …": a new clause, not a subject
    before = clean(_after_last(left, " với "), keep="first")
    after = clean(_cut_tail(right), keep="first")
    label = _label_before(text, max(s0, prev_end), left_at)

    def fallback() -> str:
        return previous or _previous_clause(text, s0, left_at, figures)

    if not measure:  # a count: "1.057 dịch vụ công trực tuyến toàn trình"
        if after and unit and after.lower() != unit.lower():
            return after
        if before and re.search(r"\blà\s*$|tổng số|số lượng|(?:hạng|thứ|vị trí)\s*$", left, re.IGNORECASE):
            return before  # "tổng số hệ thống … là 21/47 hệ thống", "đứng thứ hạng 13/63 tỉnh thành"
        if label:
            return f"{unit} ({trim(label, 'first', MAX_INDICATOR_WORDS - len(unit.split()))})" if unit else label
        return after or before or fallback()
    relative = _starts_with(after, _RELATIVE)
    if before and _RATE.search(before):
        return before  # "tỷ lệ hộ gia đình … đạt 59,25%"
    if after and not relative:
        return after  # "83,21% hồ sơ công việc tại cấp tỉnh"
    return before or label or fallback()


def clause_before(text: str, lo: int, pos: int) -> tuple[int, str]:
    """Words from the clause start to ``pos``; returns (clause start, text)."""
    i = pos
    piece_end = pos
    while i > lo:
        ch = text[i - 1]
        if ch in _HARD:
            break
        if ch == "," and not _in_number(text, i - 1):
            if not (_list_piece_after_comma(text[i:piece_end]) and _ends_list(text[lo : i - 1].split(",")[-1])):
                break
            piece_end = i - 1
        i -= 1
    return i, text[i:pos]


def _in_number(text: str, at: int) -> bool:
    return text[at - 1 : at].isdigit() and text[at + 1 : at + 2].isdigit()


_FUNCTION_WORDS = frozenset(
    (
        "là",
        "đạt",
        "có",
        "và",
        "với",
        "của",
        "được",
        "đã",
        "chiếm",
        "gồm",
        "trên",
        "hơn",
        "khoảng",
        "gần",
        "tại",
        "ở",
        "các",
        "những",
    )
)
# Nouns Vietnamese reports list with commas: "xã, phường, thị trấn", "cán bộ, công chức, …".
_LIST_WORDS = frozenset(
    (
        "xã",
        "phường",
        "thị trấn",
        "huyện",
        "thị xã",
        "thành phố",
        "thành",
        "thị",
        "tỉnh",
        "sở",
        "ban",
        "ngành",
        "cơ quan",
        "đơn vị",
        "cán bộ",
        "công chức",
        "viên chức",
        "đảng viên",
        "tổ chức",
        "cá nhân",
        "doanh nghiệp",
        "hợp tác xã",
        "hộ kinh doanh",
        "người dân",
        "địa phương",
        "đoàn thể",
        "ấp",
        "khóm",
        "trường",
        "bệnh viện",
        "mặt trận",
        "máy chủ",
        "thiết bị",
        "hệ thống",
        "phần mềm",
        "cơ sở dữ liệu",
        "hồ sơ",
        "kết quả",
        "phản ánh",
        "kiến nghị",
        "nền tảng",
        "ứng dụng",
        "văn bản",
        "lệ phí",
        "phí",
    )
)
_CODE = re.compile(r"[\w&]{1,5}")


def _words(piece: str) -> list[str]:
    words = (w.strip(',;:.()“”"') for w in piece.replace("*", " ").split())
    return [w for w in words if w and w.lower() not in _FUNCTION_WORDS]


def _is_code(word: str) -> bool:
    return _CODE.fullmatch(word) is not None and any(c.isdigit() or c.isupper() for c in word)


def _list_piece_before_comma(piece: str) -> bool:
    """ "UBND huyện", "phường", "4G": a short piece ending in a list noun."""
    words = _words(piece)
    return 0 < len(words) <= 4 and (_ends_list(piece) or _is_code(words[-1]))


def _list_piece_after_comma(piece: str) -> bool:
    """ "ngành tỉnh", "4G": a short piece starting with a list noun."""
    words = _words(piece)
    return 0 < len(words) <= 4 and (_starts_list(piece) or _is_code(words[0]))


def _starts_list(piece: str) -> bool:
    words = _words(piece)
    low = [w.lower() for w in words]
    return any(" ".join(low[:n]) in _LIST_WORDS for n in (1, 2, 3)) or (bool(words) and _is_code(words[0]))


def _ends_list(piece: str) -> bool:
    words = _words(piece)
    low = [w.lower() for w in words]
    return any(" ".join(low[-n:]) in _LIST_WORDS for n in (1, 2, 3)) or (bool(words) and _is_code(words[-1]))


def _clause_after(text: str, pos: int, hi: int) -> str:
    i = pos
    piece_start = pos
    while i < hi:
        ch = text[i]
        if ch in _HARD or (ch in ".!?…" and (i + 1 >= len(text) or text[i + 1].isspace())):
            return text[pos:i]
        if ch == "," and not _in_number(text, i):
            nxt = text[i + 1 : hi].split(",")[0]
            if not (
                _list_piece_before_comma(text[piece_start:i])
                and _starts_list(nxt)
                and not re.match(r"\s*(?:các|những|còn)\s", nxt)
            ):
                return text[pos:i]  # "hệ thống, các cơ quan còn lại …" is a new clause
            piece_start = i + 1
        i += 1
    phrase = text[pos:i]  # stopped at the next number: "1.466 TTHC và tích hợp 930 …"
    cut = max(phrase.rfind(" và "), phrase.rfind(","))
    return phrase[:cut] if cut > 0 and len(phrase[cut:].split()) <= 4 else phrase


def _after_last(phrase: str, word: str) -> str:
    """ "… đầu tư với tổng mức đầu tư" → "tổng mức đầu tư" (if that keeps two words)."""
    at = squash(phrase).lower().rfind(word)
    rest = squash(phrase)[at + len(word) :] if at >= 0 else ""
    return rest if len(rest.split()) >= 2 else phrase


_TAIL = re.compile(r"\s(?:so với|so|theo|đạt|chiếm|tương ứng|trong đó|tăng|giảm)\s", re.IGNORECASE)


def _cut_tail(phrase: str) -> str:
    """Drop a trailing comparison: "hồ sơ so với tháng 9/2022" → "hồ sơ"."""
    m = _TAIL.search(" " + phrase + " ")
    return phrase[: max(0, m.start() - 1)] if m and m.start() > 1 else phrase


def _drop_unit(right: str, unit: str) -> str:
    pieces = [re.escape(p) for p in re.split(r"[ /]+", unit) if p]
    pattern = r"\s*" + r"[\s/]*".join(pieces) + r"(?![^\W\d_])"
    return re.sub(pattern, "", right, count=1, flags=re.IGNORECASE)


def clean(phrase: str, keep: str) -> str:
    words = squash(phrase.translate(SUPERSCRIPTS).replace("*", " ")).strip(" ,.;…").split()
    while words and LIST_MARKER.match(words[0] + " "):
        words = words[1:]
    changed = True
    while changed and words:
        changed = False
        for lead in _LEAD:
            n = len(lead.split())
            if " ".join(words[:n]).lower() == lead and len(words) > n:
                words, changed = words[n:], True
                break
        for trail in _TRAIL:
            n = len(trail.split())
            if " ".join(words[-n:]).lower().rstrip(",") == trail:
                words, changed = words[:-n], True
                break
    phrase = " ".join(words).strip(" ,")
    if phrase.lower() in _GENERIC:
        return ""
    return trim(phrase, keep)


def trim(phrase: str, keep: str, limit: int = MAX_INDICATOR_WORDS) -> str:
    words = phrase.split()
    words = words[-limit:] if keep == "last" else words[:limit]
    return " ".join(words).strip(" ,;")


def _starts_with(phrase: str, prefixes: tuple[str, ...]) -> bool:
    low = phrase.lower()
    return any(low == p or low.startswith(p + " ") or (p == "/" and low.startswith("/")) for p in prefixes)


def _label_before(text: str, s0: int, left_at: int) -> str:
    """ "Tổng kinh phí …: 72.524 triệu đồng" → the words before the colon."""
    j = left_at
    while j > s0 and text[j - 1].isspace():
        j -= 1
    if j <= s0 or text[j - 1] != ":":
        return ""
    _, label = clause_before(text, s0, j - 1)
    return clean(label, keep="first")


def _previous_clause(text: str, s0: int, left_at: int, figures: list[NumberMatch]) -> str:
    j = left_at
    while j > s0 and (text[j - 1].isspace() or text[j - 1] in "(,“”)"):
        if text[j - 1] == ")":
            depth, k = 0, j - 1
            while k > s0:
                depth += {")": 1, "(": -1}.get(text[k], 0)
                if depth == 0:
                    break
                k -= 1
            j = k
            continue
        j -= 1
    if j <= s0:
        return ""
    i, clause = clause_before(text, s0, j)
    for f in sorted((f for f in figures if i <= f.start and f.end <= j), key=lambda f: -f.start):
        clause = clause[: f.start - i] + clause[f.end - i :]
    return clean(clause, keep="last")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
