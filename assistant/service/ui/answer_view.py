"""One answer as HTML: the text with citation markers and a badge on every number, the notices
(abstention, documents that disagree), the calculation, and the sources with the supporting
sentence highlighted. Pure functions of an ``Answer``: every text is escaped."""

from __future__ import annotations

import re

from assistant.models import Answer, Citation, FigureCheck, RetrievedPassage
from assistant.service.ui.markup import esc, excerpt, link, number, view_url

#: status → (icon, badge text, what it means)
STATUS = {
    "verified": ("✓", "Đã kiểm chứng", "Số liệu khớp với đoạn văn được trích dẫn"),
    "computed": ("∑", "Tính toán", "Do máy tính tính từ các số liệu có nguồn"),
    "unverified": ("!", "Chưa kiểm chứng", "Không tìm thấy số này trong nguồn: hãy đối chiếu trước khi dùng"),
}
_MARKER = re.compile(r"\[(\d+)\]")
_OPERATORS = {"*": "×", "/": "÷", "-": "−", "+": "+"}
NEAREST_SHOWN = 3
SOURCES_OPEN = 2


def badge(status: str) -> str:
    icon, text, meaning = STATUS.get(status, STATUS["unverified"])
    return f'<span class="badge b-{esc(status)}" title="{esc(meaning)}">{icon} {esc(text)}</span>'


def _number_at(text: str, figure: str, start: int) -> int:
    """Where ``figure`` stands in ``text`` from ``start`` as a whole number (not inside a longer one)."""
    pattern = rf"(?<![\d.,]){re.escape(figure)}(?!\d|[.,]\d)"
    found = re.compile(pattern).search(text, start)
    return found.start() if found else -1


def answer_text(answer: Answer, turn: str) -> str:
    """The answer with ``[n]`` as links to its sources and every checked number marked by its status."""
    text = answer.answer
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for f in answer.figures:
        at = _number_at(text, f.text, cursor)
        if at < 0:
            at = _number_at(text, f.text, 0)
        if at < 0:
            continue
        spans.append((at, at + len(f.text), _figure(f)))
        cursor = at + len(f.text)
    numbers = {c.number for c in answer.citations}
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n in numbers:
            spans.append((m.start(), m.end(), _cite(turn, n)))
    out, cursor = [], 0
    for start, end, piece in sorted(spans):
        if start < cursor:
            continue  # a number inside a marker, or one matched twice
        out.append(esc(text[cursor:start]) + piece)
        cursor = end
    out.append(esc(text[cursor:]))
    return "".join(out)


def _figure(f: FigureCheck) -> str:
    icon, text, meaning = STATUS.get(f.status, STATUS["unverified"])
    title = f"{text}: {meaning}" + (f" (nguồn [{f.citation}])" if f.citation else "")
    return f'<span class="num n-{esc(f.status)}" title="{esc(title)}">{esc(f.text)}<sup>{icon}</sup></span>'


def _cite(turn: str, n: int) -> str:
    return f'<a class="cite" href="#{turn}-src-{n}" data-src="{turn}-src-{n}" title="Xem nguồn {n}">{n}</a>'


def figures_html(answer: Answer) -> str:
    """Each distinct number of the answer with its badge and source."""
    seen: set[tuple[float, str]] = set()
    items = []
    for f in answer.figures:
        if (round(f.value, 6), f.status) in seen:
            continue
        seen.add((round(f.value, 6), f.status))
        unit = f" {esc(f.unit)}" if f.unit and not f.text.endswith("%") else ""
        source = f' <span class="muted">· nguồn [{f.citation}]</span>' if f.citation else ""
        items.append(f"<li>{badge(f.status)} <b>{esc(f.text)}</b>{unit}{source}</li>")
    if not items:
        return ""
    return f'<div class="checks"><div class="label">Kiểm chứng số liệu</div><ul>{"".join(items)}</ul></div>'


def expression(text: str) -> str:
    """``"45173 / 288374 * 100"`` → ``"45.173 ÷ 288.374 × 100"`` (escaped)."""
    out = []
    for token in re.findall(r"\d+(?:\.\d+)?|[-+*/()]|\S", text):
        if token[0].isdigit():
            out.append(number(float(token), 6))
        else:
            out.append(_OPERATORS.get(token, token))
    return esc(" ".join(out).replace("( ", "(").replace(" )", ")"))


def calculation_html(answer: Answer) -> str:
    calc = answer.calculation
    if calc is None:
        return ""
    operands = "".join(
        f"<li><b>{esc(o.raw or number(o.value))}</b>"
        + (f" — {esc(o.label)}" if o.label else "")
        + (f' <span class="muted">· nguồn [{o.citation}]</span>' if o.citation else "")
        + "</li>"
        for o in calc.operands
    )
    return (
        f'<div class="calc"><div class="label">{badge("computed")} Phép tính của máy tính</div>'
        f"<code>{expression(calc.expression)} = {esc(number(calc.result))}</code>"
        + (f'<div class="muted">Các số đầu vào:</div><ul>{operands}</ul>' if operands else "")
        + "</div>"
    )


def sources_html(answer: Answer, turn: str) -> str:
    """One card per cited sentence (citations of the same sentence share it), the first ones open."""
    groups: dict[tuple[str, int, int], list[Citation]] = {}
    for c in answer.citations:
        groups.setdefault((c.document, c.quote_start, c.quote_end), []).append(c)
    cards = [_source(cs, turn, i < SOURCES_OPEN) for i, cs in enumerate(groups.values())]
    if not cards:
        return ""
    return f'<div class="sources"><div class="label">Nguồn trích dẫn</div>{"".join(cards)}</div>'


def _source(citations: list[Citation], turn: str, open_: bool) -> str:
    c = citations[0]
    passage = excerpt(c.text, c.quote_start - c.start, c.quote_end - c.start)
    section = f'<span class="src-sec">{esc(c.section)}</span>' if c.section else ""
    numbers = "".join(f'<span class="src-n" id="{turn}-src-{x.number}">{x.number}</span>' for x in citations)
    return (
        f'<details class="src"{" open" if open_ else ""}>'
        f'<summary><span class="src-ns">{numbers}</span><span class="src-head">'
        f'<span class="src-title">{esc(c.title)}</span>{section}</span></summary>'
        f'<blockquote class="passage">{passage}</blockquote>'
        f'<div class="src-foot">{link(view_url(c.document, c.quote_start, c.quote_end), "Mở tài liệu tại đoạn này ↗")}'
        "</div></details>"
    )


def abstain_html(answer: Answer) -> str:
    nearest = "".join(_nearest(p) for p in answer.retrieved[:NEAREST_SHOWN])
    more = (
        f'<div class="muted">Các đoạn gần nhất tìm được (để tham khảo, không phải câu trả lời):</div>'
        f'<ul class="nearest">{nearest}</ul>'
        if nearest
        else ""
    )
    return (
        '<div class="notice n-abstain" role="status"><div class="notice-title">'
        "Không tìm thấy câu trả lời trong tài liệu</div>"
        f"<p>{esc(answer.answer)} Trợ lý không đoán khi tài liệu không nêu rõ. "
        "Hãy thử diễn đạt khác, nêu rõ năm hoặc tỉnh, hoặc bỏ bớt bộ lọc.</p>"
        f"{more}</div>"
    )


def _nearest(p: RetrievedPassage) -> str:
    snippet = " ".join(p.text.split())
    if len(snippet) > 260:
        snippet = snippet[:260].rsplit(" ", 1)[0] + " …"
    section = f' <span class="muted">› {esc(p.section)}</span>' if p.section else ""
    return (
        f"<li><b>{esc(p.title)}</b>{section}<div>{esc(snippet)}</div>"
        f"{link(view_url(p.document, p.start, p.end), 'Mở đoạn này ↗')}</li>"
    )


def conflict_html(answer: Answer) -> str:
    cited = "".join(
        f'<li><span class="src-n">{c.number}</span> <b>{esc(c.title)}</b>: “{esc(" ".join(c.quote.split()))}”</li>'
        for c in answer.citations
    )
    return (
        '<div class="notice n-conflict" role="status"><div class="notice-title">'
        "Các tài liệu nêu số liệu khác nhau</div>"
        "<p>Cùng một chỉ tiêu nhưng các nguồn ghi khác nhau. Hãy đối chiếu trước khi sử dụng:</p>"
        f'<ul class="conflicting">{cited}</ul></div>'
    )


def answer_html(answer: Answer, turn: str) -> str:
    """The whole answer card body (without the feedback bar)."""
    if answer.abstained:
        return abstain_html(answer)
    parts = [conflict_html(answer)] if answer.conflict else []
    parts.append(f'<div class="answer-text">{answer_text(answer, turn)}</div>')
    parts.append(figures_html(answer))
    parts.append(calculation_html(answer))
    parts.append(sources_html(answer, turn))
    return "".join(p for p in parts if p)
