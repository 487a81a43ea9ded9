"""The heads a figure elaborates: what a breakdown item is a part of.

Reports break totals down in parentheses and after "trong đó" / a colon:

    "dịch vụ công mức 4 tiếp nhận 159.024 hồ sơ (130.042 trực tiếp, 28.982 trực tuyến
    (tỷ lệ 18,22%))"

The indicator of 18,22% is only "trực tuyến"; the figure also measures the phrases it is
nested in: "trực tuyến" (the item before its parenthesis) and "dịch vụ công mức 4 tiếp nhận
hồ sơ" (the item before the outer parenthesis). :func:`heads` returns those phrases,
innermost first, with the other figures' numbers removed. A breakdown marker ("trong đó",
"gồm", or a colon followed by words) before the figure at the same nesting level adds the
clause before it: "cung cấp 1.947 dịch vụ công trực tuyến, trong đó: 498 dịch vụ công mức 3"
→ "cung cấp dịch vụ công trực tuyến". A colon directly followed by the number is the
figure's label ("cấp huyện: 332") and is part of the item, not a breakdown.
"""

from __future__ import annotations

import re

from assistant.vietnamese.number_finder import NumberMatch

MAX_HEAD_WORDS = 14
_MARKER = re.compile(r"(?:trong đó|bao gồm|gồm có|gồm|cụ thể)\s*:?\s*$", re.IGNORECASE)
_ITEM_STOP = ';:()“”"\t[]'


def heads(text: str, s0: int, m: NumberMatch, figures: list[NumberMatch]) -> list[str]:
    """The head phrases of ``m`` inside the sentence starting at ``s0``, innermost first."""
    out: list[str] = []
    pos = m.start
    for opening in _enclosing(text, s0, pos):
        marker = _marker_head(text, opening + 1, pos, figures)
        if marker:
            out.append(marker)
        out.append(_item_before(text, s0, opening, figures))
        pos = opening
    marker = _marker_head(text, s0, pos, figures)
    if marker:
        out.append(marker)
    return [h for h in dict.fromkeys(out) if h]


def _enclosing(text: str, s0: int, pos: int) -> list[int]:
    """Positions of the unclosed "(" before ``pos`` in the sentence, innermost first."""
    stack: list[int] = []
    for i in range(s0, pos):
        if text[i] == "(":
            stack.append(i)
        elif text[i] == ")" and stack:
            stack.pop()
    return stack[::-1]


def _marker_head(text: str, lo: int, pos: int, figures: list[NumberMatch]) -> str:
    """The clause before the last breakdown marker in [lo, pos) at nesting depth 0."""
    depth = 0
    i = pos
    crossed = False  # a ";" between: only "trong đó:" / "gồm:" head a ";"-separated list
    while i > lo:
        ch = text[i - 1]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
        elif depth == 0:
            if ch == ":" and not _label_colon(text, i, figures, lo):
                return _item_before(text, lo, i - 1, figures)
            crossed = crossed or ch == ";"
            m = _MARKER.search(text, max(lo, i - 12), i)
            if m and (i == pos or not text[i].isalnum()) and not (crossed and ":" not in m.group()):
                return _item_before(text, lo, m.start(), figures)
        i -= 1
    return ""


def _label_colon(text: str, after: int, figures: list[NumberMatch], lo: int = 0) -> bool:
    """A colon directly followed by a figure labels it ("cấp huyện: 332") unless the clause
    before the colon states a total ("cung cấp 1.858 dịch vụ công: 551 dịch vụ …")."""
    j = after
    while j < len(text) and text[j] == " ":
        j += 1
    if not any(f.start == j for f in figures):
        return False
    colon = after - 1
    start = max(lo, *(text.rfind(c, lo, colon) + 1 for c in ";:(,"))
    return not any(start <= f.start < colon for f in figures)


def _item_before(text: str, lo: int, pos: int, figures: list[NumberMatch]) -> str:
    """The list item that ends at ``pos``: back to the previous ; ( or sentence start, through
    a label colon ("dịch vụ công trực tuyến một phần: 551 dịch vụ") and through commas that
    only join nouns ("150 cơ quan, đơn vị"), not past a comma before an item with its own
    number ("Trong năm 2022, hệ thống đã tiếp nhận 288.374 hồ sơ")."""
    while pos > lo and text[pos - 1] in " ,":
        pos -= 1
    i = pos
    while i > lo:
        ch = text[i - 1]
        if ch == ")":  # keep a parenthesis of the item: "487 cơ quan (tính theo cấp văn thư)"
            opening = text.rfind("(", lo, i - 1)
            if opening >= 0:
                i = opening
                continue
        if ch in _ITEM_STOP and not (ch == ":" and _label_colon(text, i, figures, lo)):
            break
        in_number = text[i - 2 : i - 1].isdigit() and text[i : i + 1].isdigit()
        if ch == "," and not in_number and (any(i <= f.start < pos for f in figures) or len(text[i:pos].split()) >= 5):
            break
        if text[i - 3 : i] == " và" and text[i : i + 1] == " " and any(i <= f.start < pos for f in figures):
            break  # "(…) và chỉ 15,66% hồ sơ …": a new item
        i -= 1
    piece = text[i:pos]
    for f in sorted((f for f in figures if i <= f.start and f.end <= pos), key=lambda f: -f.start):
        piece = piece[: f.start - i] + " " + piece[f.end - i :]
    piece = _MARKER.sub("", piece.replace(":", " ").replace("(", " ").replace(")", " "))
    words = re.sub(r"\s+", " ", piece).strip(" ,.;-–+•*").split()
    return " ".join(words[-MAX_HEAD_WORDS:])


def inherited_unit(
    text: str, s0: int, m: NumberMatch, figures: list[NumberMatch], units: dict[int, str | None]
) -> str | None:
    """The unit a bare count takes from its breakdown: "577 cơ quan (cấp tỉnh: 139, …)" → 139
    "cơ quan"; "65.364 hồ sơ được nộp trực tiếp, 87 nộp trực tuyến" → 87 "hồ sơ". ``units``
    maps the start of each earlier figure to its (possibly inherited) unit."""
    if m.unit or m.kind != "quantity":
        return None
    earlier = [f for f in figures if s0 <= f.start and f.end <= m.start and f.kind == "quantity"]
    if not earlier:
        return None
    prev = earlier[-1]
    between = text[prev.end : m.start]
    if "," in between and not re.search(r"[;()]", between):
        return units.get(prev.start)  # a sibling in the same list
    opening = next(iter(_enclosing(text, s0, m.start)), None)
    outside = [f for f in earlier if opening is not None and f.end <= opening]
    if outside:
        head = outside[-1]
        gap = text[head.end : opening]
        if len(gap.split()) <= len((units.get(head.start) or "").split()) + 6 and ";" not in gap:
            return units.get(head.start)  # the head of the parenthesis
    return None


def qualifier_after(text: str, m: NumberMatch, unit: str | None, figures: list[NumberMatch], s1: int) -> str:
    """What follows a figure and qualifies it: a parenthesis without numbers ("487 cơ quan
    (tính theo cấp văn thư)") or the target it is measured against ("đạt 90,65% mục tiêu
    Quyết định số 27/QĐ-UBQGCĐS")."""
    j = m.end
    if unit and text[j : j + len(unit) + 1].strip().lower().startswith(unit.lower()):
        j = text.lower().find(unit.lower(), j) + len(unit)
    rest = text[j:s1]
    paren = re.match(r"\s*\(([^()]{3,80})\)", rest)
    if paren and not any(j <= f.start < j + paren.end() for f in figures):
        return paren.group(1).strip()
    rel = re.match(r"\s*((?:so với|mục tiêu|kế hoạch)[^,;()]{0,80})", rest, re.IGNORECASE)
    return rel.group(1).strip() if rel else ""


_PREDICATE = re.compile(r"^(?:được|đã|có|sử dụng|thực hiện|kết nối|tham gia|triển khai|ứng dụng)$", re.IGNORECASE)


def shared_predicate(indicators: list[str]) -> tuple[int, str] | None:
    """In "83,21% hồ sơ tại cấp tỉnh, 78,05% hồ sơ tại cấp huyện và 78,19% hồ sơ tại cấp xã
    được xử lý trên hệ thống …" the last indicator carries the predicate every item shares:
    returns (words to keep in the last indicator, the shared predicate), or None. The items
    name one kind of thing ("trường THPT, … trường THCS và … các trường tiểu học có …"); the
    predicate starts at the first predicate word the other items do not use."""
    if len(indicators) < 2:
        return None
    words = [i.split() for i in indicators]
    last, others = words[-1], words[:-1]
    head = _head_word(last)
    if head is None or not all(len(o) >= 2 and _head_word(o) == head for o in others):
        return None
    used = {w.lower() for o in others for w in o}
    for keep in range(max(2, min(len(o) for o in others) - 1), len(last)):
        if _PREDICATE.match(last[keep]) and last[keep].lower() not in used:
            return keep, " ".join(last[keep:])
    return None


def _head_word(words: list[str]) -> str | None:
    """The noun an item starts with, past a plural marker: "các trường tiểu học" → "trường"."""
    rest = words[1:] if words and words[0].lower() in ("các", "những") else words
    return rest[0].lower() if rest else None
