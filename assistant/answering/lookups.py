"""Answers read from a fixed form rather than chosen by keywords.

- Who signed a document: Vietnamese administrative documents close with the signer's titles in
  capitals ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH" or "GIÁM ĐỐC") and then the
  signer's name; "Ai ký Quyết định 2063…?" is answered with that name and the titles above it.
- Another name of a thing: "Ứng dụng Trà Vinh số còn có tên gọi khác là gì?" is answered with the
  parentheses that follow the name in a passage ("ứng dụng Trà Vinh số (Smart Trà Vinh)").
- The document a thing was issued under: "Đề án … được ban hành theo QĐ nào?" is answered with the
  reference written next to the name ("Quyết định số 2774/QĐ-UBND ngày 29/11/2021 của UBND tỉnh").
- The date of a document the question names by title ("Luật Công nghệ thông tin … ngày nào?"):
  the date written right after that title ("Căn cứ Luật Công nghệ thông tin ngày 29/6/2006").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from assistant.answering.question import QuestionInfo
from assistant.answering.text import REF, sentences, tokens, window
from assistant.models import Answer, Chunk, Citation, Hit

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

#: "Ai ký …", "người ký …", "… do ai ký", "… ký bởi ai" (folded); not "ký số", "đăng ký", "ký kết".
_ASKS_SIGNER = re.compile(r"\b(?:ai|nguoi)\s+ky\b(?!\s+(?:so|ket))|(?<!dang )\bky\b(?!\s+(?:so|ket))[^?]*\bai\b")
_NAME_WORD = re.compile(r"[A-ZÀ-ỸĐ][a-zà-ỹđ]+")
_MAX_TITLES = 4


class Signature(NamedTuple):
    name: str
    titles: list[str]
    start: int  # offsets of the name in the document
    end: int


def asks_signer(q: QuestionInfo) -> bool:
    return bool(_ASKS_SIGNER.search(q.folded))


def signer_answer(ans: "AnswerContext", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    """The signer named in the signature block of a passage of the asked document."""
    hits = [h for h in top if ans.in_scope(q, h)]
    chunks = [h.chunk for h in hits]
    if hits:  # the block may sit in a passage retrieval did not rank: look through the document
        document = hits[0].chunk.document
        chunks += [c for c in ans.data.chunks if c.document == document and c.kind == "text"]
    for chunk in chunks:
        sig = signature(chunk)
        if sig:
            shown = sig.titles[-1].capitalize()
            rest = ", ".join(_title_case(t) for t in sig.titles[:-1])
            text = f"{sig.name} — {shown}" + (f" ({rest})" if rest else "") + " [1]"
            return Answer(question=q.text, answer=text, citations=[ans.citation(1, chunk, sig.start, sig.end)])
    return None


def signature(chunk: Chunk) -> Signature | None:
    """The first name line of ``chunk`` right below one to four title lines in capitals."""
    lines = [(m.start(), m.group(0).strip()) for m in re.finditer(r"[^\n]+", chunk.text) if m.group(0).strip()]
    for n, (offset, line) in enumerate(lines):
        if not _is_name(line):
            continue
        titles = []
        for _, above in reversed(lines[max(0, n - _MAX_TITLES) : n]):
            if not _is_title(above):
                break
            titles.insert(0, above.strip("* "))
        if titles:
            start = chunk.start + offset + chunk.text[offset:].index(line)
            return Signature(line, titles, start, start + len(line))
    return None


def _is_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(_NAME_WORD.fullmatch(w) for w in words)


def _is_title(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return 4 <= len(line) <= 60 and bool(letters) and all(ch.isupper() for ch in letters)


def _title_case(title: str) -> str:
    """ "KT. CHỦ TỊCH" -> "KT. Chủ tịch": a leading abbreviation stays, the rest reads as a title."""
    head, _, rest = title.partition(" ")
    if head.endswith(".") and rest:
        return f"{head} {rest.capitalize()}"
    return title.capitalize()


#: "X còn có tên gọi khác là gì", "X còn được gọi là gì", "tên viết tắt của X" (folded).
_ASKS_ALIAS = re.compile(
    r"^(?P<before>.*?)\s+(?:con\s+)?(?:co\s+|duoc\s+)?(?:ten\s+goi\s+khac|ten\s+khac|goi\s+la\s+gi"
    r"|ten\s+viet\s+tat)|^ten\s+(?:goi\s+khac|khac|viet\s+tat)\s+cua\s+(?P<after>.+?)\s+la\s+gi"
)

#: "VNFISHBASE là cơ sở dữ liệu gì": a name, then the kind of thing it is (folded).
_ASKS_KIND = re.compile(r"^(?P<name>\w+(?:\s\w+)?)\s+la\s+(?P<category>(?:\w+\s){1,4}?)gi$")


def alias_answer(ans: "AnswerContext", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    """The parentheses right after the thing the question names, in the best-ranked passage."""
    m = _ASKS_ALIAS.search(q.folded)
    kind = _ASKS_KIND.search(q.folded)
    if m:
        name, category = (m.group("before") or m.group("after") or "").split(), []
    elif kind:
        name, category = kind.group("name").split(), kind.group("category").split()
    else:
        return None
    if len(name) < 2 and not (category and name):
        return None
    for hit in top:
        if not ans.in_scope(q, hit):
            continue
        for start, end, text in sentences(hit.chunk):
            for paren in re.finditer(r"\(([^()]{2,80})\)", text):
                before = tokens(text[: paren.start()])
                inside = tokens(paren.group(1))
                if (
                    before[-len(name) :] == name
                    and not set(inside) <= set(name)
                    and " ".join(category) in " ".join(inside)
                ):
                    alias = paren.group(1).strip()
                    citation = ans.citation(1, hit.chunk, start, end)
                    return Answer(question=q.text, answer=f"{alias} — {text.strip()} [1]", citations=[citation])
    return None


# --- document references -------------------------------------------------------------------

#: "… theo QĐ nào", "văn bản nào", "quyết định số mấy", "số hiệu" (folded).
_ASKS_REF = re.compile(
    r"\b(?:qd|quyet dinh|van ban|nghi quyet|nq|thong tu|nghi dinh|chi thi|cong van)"
    r"\s+(?:so\s+)?(?:nao|may|bao nhieu|gi)\b|\bso hieu\b"
)
_DOC_TYPE = (
    r"(?:Quyết định|Kế hoạch|Nghị quyết|Nghị định|Thông tư|Chỉ thị|Công văn|Chương trình|Luật|Văn bản"
    r"|Quy định|Hướng dẫn|Đề án|Báo cáo)"
)
_DAY = r"ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
#: "Quyết định số 2774/QĐ-UBND ngày 29/11/2021 của UBND tỉnh" (up to what the document is about).
_REF_PHRASE = re.compile(
    rf"{_DOC_TYPE}\s+(?:số\s+)?{REF.pattern}(?:\s+{_DAY})?"
    r"(?:\s+của\s+[^,;.:()\n]{1,60}?(?=\s+(?:về|ban hành|phê duyệt|quy định|triển khai|thực hiện|hướng dẫn)\b|[,;.:()\n]|$))?",
    re.IGNORECASE,
)
#: A document named by title and dated: "Luật Công nghệ thông tin ngày 29/6/2006".
_TITLED = re.compile(rf"({_DOC_TYPE}\s+[^\d;,()\n]{{3,80}}?)\s+(?:\(\S+\)\s+)?({_DAY})")


def asks_reference(q: QuestionInfo) -> bool:
    return bool(_ASKS_REF.search(q.folded))


def reference_answer(ans: "AnswerContext", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    """The document reference whose stretch of its clause (up to the neighbouring references) holds
    the most question keywords."""
    best = None
    for rank, hit in enumerate(top):
        if not ans.in_scope(q, hit):
            continue
        for start, end, text in sentences(hit.chunk):
            found = list(_REF_PHRASE.finditer(text))
            for n, m in enumerate(found):
                lo = found[n - 1].end() if n else 0
                hi = found[n + 1].start() if n + 1 < len(found) else len(text)
                segment = text[lo : m.start()] + " " + text[m.end() : hi]
                score = ans.coverage(q, ans.text_tokens(segment)) + 0.3 * hit.score + 0.05 / (rank + 1)
                if best is None or score > best[0]:
                    best = (score, hit, start, end, text, m.group(0))
    if best is None or best[0] - 0.3 * best[1].score < ans.min_coverage:
        return None
    _, hit, start, end, text, ref = best
    weights = {k: ans.idf.get(k, ans.default_idf) for k in q.keywords}
    context = window(text, weights, 390 - len(ref) - 8)
    citation: Citation = ans.citation(1, hit.chunk, start, end)
    return Answer(question=q.text, answer=f"{' '.join(ref.split())} — {context} [1]", citations=[citation])


def titled_dates(q: QuestionInfo, text: str) -> list[str]:
    """Dates in ``text`` that follow a document title every word of which the question holds."""
    asked = set(tokens(q.text))
    out = []
    for m in _TITLED.finditer(text):
        title = tokens(m.group(1))
        if len(title) >= 3 and set(title) <= asked:
            out.append(m.group(2))
    return out
