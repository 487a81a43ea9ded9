"""What a planning document says about itself: type, number, issuer, province, date, years, title.

Extraction reads the header (first ~40 non-empty lines), the opening sentence and the
``Phần`` / Roman-numeral headings of normalized text. It never guesses beyond the text; a
``<file>.meta.yaml`` sidecar next to the document overrides any field.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.errors import DocumentError, shown
from assistant.ingest.issuer import issuer
from assistant.ingest.normalize import is_upper, strip_markup
from assistant.ingest.signer import signatures
from assistant.models import DocumentMetadata

HEADER_LINES = 40
SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_MAX_BYTES = 100_000

DOC_TYPES = (
    "Kế hoạch",
    "Báo cáo",
    "Quyết định",
    "Công văn",
    "Chương trình",
    "Nghị quyết",
    "Tờ trình",
    "Thông báo",
    "Chỉ thị",
    "Đề án",
    "Hướng dẫn",
    "Quy định",
    "Quy chế",
    "Kết luận",
    "Thông tư",
    "Nghị định",
    "Luật",
)
#: Types whose years are, by default, years being planned (the rest report on the past).
_PLAN_TYPES = {"Kế hoạch", "Chương trình", "Quyết định", "Đề án", "Nghị quyết", "Chỉ thị"}
#: Abbreviation in a document number ("2063/QĐ-UBND") → type.
_NUMBER_TYPES = {
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "BC": "Báo cáo",
    "NQ": "Nghị quyết",
    "CTr": "Chương trình",
    "CT": "Chỉ thị",
    "TTr": "Tờ trình",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "KL": "Kết luận",
    "ĐA": "Đề án",
    "TT": "Thông tư",
    "NĐ": "Nghị định",
}

_TYPE_LINE = re.compile(r"^(" + "|".join(t.upper() for t in DOC_TYPES) + r")(?:\s+(?:HÀNH ĐỘNG|TÓM TẮT|LIÊN TỊCH))?$")
_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(\d*\s*/\s*[^\s,;]+)")
_PLACE_DATE = re.compile(r"([^\n,]{2,60}),\s*ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})")
_PROVINCE_MENTION = re.compile(r"\btỉnh ([^|]{1,40})")
_PHAN = re.compile(r"^(?:PHẦN|Phần)\s+(?:thứ\s+\w+|[IVX]+|\d+)\b[.:]?\s*(.*)$")
_ROMAN = re.compile(r"^([IVX]+)\s*[.\-–]\s+(.+)$")
_EVAL_WORDS = re.compile(r"đánh giá|tổng kết|sơ kết|kết quả|tình hình|bối cảnh thực hiện|đạt được", re.IGNORECASE)
_PLAN_WORDS = re.compile(
    r"kế hoạch|phương hướng|nhiệm vụ|định hướng|dự kiến|mục tiêu|tiếp tục|"
    r"giải pháp|nội dung",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
#: "tổng kết 10 năm thực hiện Nghị quyết 36-NQ/TW ngày 01/7/2014" → 2014 … 2024.
_SPAN_SINCE = re.compile(
    r"\b(\d{1,2})\s+năm\s+(?:thực hiện|triển khai)\b.*?"
    r"(?:ngày\s+\d{1,2}/\d{1,2}/|năm\s+)((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
#: Dates inside a title or heading are not the years it is about.
_DATE_EXPR = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\b\d{1,2}/\d{1,2}/\d{4}\b", re.IGNORECASE)
_BODY_START = re.compile(r"^(Thực hiện|Căn cứ|Qua |Kính gửi|Theo |\(Kèm theo|Số\s*:)")


#: What is read from a document's text changes with this (an index built before is rebuilt). 2: the signer.
METADATA_VERSION = 2


def extract_metadata(text: str, doc_id: str) -> DocumentMetadata:
    """Read the metadata of one document from its normalized (NFC) text."""
    text = unicodedata.normalize("NFC", text)
    lines = [line.strip() for line in text.splitlines()]
    header = [line for line in lines if line][:HEADER_LINES]
    number = _number(header)
    type_index, doc_type = _type_line(lines)
    doc_type = (
        doc_type or _type_from_number(number) or _type_from_subject_line(header) or _type_from_self_reference(text)
    )
    subtitle = _subtitle(lines, type_index) if type_index is not None else ""
    place, issued = _place_date(header)
    province = _province(text, place)
    reported, planned = _years(lines, subtitle, doc_type)
    title = f"{doc_type} {subtitle}" if doc_type and subtitle else subtitle
    return DocumentMetadata(
        title=title or _fallback_title(doc_id, doc_type, province, reported, planned),
        doc_type=doc_type,
        number=number,
        issuer=issuer(header, text, province),
        signer=next((s.text for s in signatures(text, most=1)), None),
        province=province,
        issued_date=issued,
        years_reported=reported,
        years_planned=planned,
    )


def load_sidecar(path: Path) -> dict:
    """Validated fields of ``<path>.meta.yaml`` if it exists, else ``{}``."""
    sidecar = Path(f"{path}{SIDECAR_SUFFIX}")
    if not sidecar.is_file():
        return {}
    if sidecar.stat().st_size > SIDECAR_MAX_BYTES:
        raise DocumentError(
            f"Tệp mô tả {shown(sidecar.name)} nặng hơn {SIDECAR_MAX_BYTES // 1000} kB, quá lớn cho vài trường mô tả.",
            hint="Một tệp .meta.yaml chỉ cần vài dòng 'khóa: giá trị'.",
        )
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise DocumentError(
            f"Tệp mô tả {shown(sidecar.name)} không đúng cú pháp YAML hoặc không đọc được.",
            hint="Hãy sửa tệp theo dạng 'khóa: giá trị' (UTF-8), mỗi dòng một trường.",
        ) from exc
    if data is None:
        return {}
    valid = list(DocumentMetadata.model_fields)
    if not isinstance(data, dict):
        raise DocumentError(
            f"Tệp mô tả {shown(sidecar.name)} phải là một bảng 'khóa: giá trị'.",
            hint=f"Các khóa hợp lệ: {', '.join(valid)}.",
        )
    unknown = sorted(str(key) for key in data if key not in valid)
    if unknown:
        raise DocumentError(
            f"Tệp mô tả {shown(sidecar.name)} có khóa không hợp lệ: {', '.join(unknown)}.",
            hint=f"Các khóa hợp lệ: {', '.join(valid)}.",
        )
    try:
        checked = DocumentMetadata.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]}))
        raise DocumentError(
            f"Tệp mô tả {shown(sidecar.name)} có giá trị sai kiểu ở trường: {fields}.",
            hint="Năm là số nguyên (ví dụ [2023]), ngày theo dạng 2020-04-21, các trường khác là chuỗi.",
        ) from exc
    return checked.model_dump(include=set(data))


def document_metadata(text: str, doc_id: str, path: Path) -> DocumentMetadata:
    """Extracted metadata with every field the sidecar gives overridden by it."""
    return extract_metadata(text, doc_id).model_copy(update=load_sidecar(path))


# --- header fields ---------------------------------------------------------------------


def _type_line(lines: list[str]) -> tuple[int | None, str | None]:
    seen = 0
    for index, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        match = _TYPE_LINE.match(strip_markup(line))
        if match:
            word = match.group(1)
            return index, next(t for t in DOC_TYPES if t.upper() == word)
    return None, None


def _subtitle(lines: list[str], type_index: int) -> str:
    """The title line(s) under the type line: a bold block, contiguous lines, or wrapped pieces."""
    following = [(i, line) for i, line in enumerate(lines) if i > type_index and line][:8]
    if not following or _stops_title(following[0][1]):
        return ""
    bold = following[0][1].startswith("**")
    parts = [following[0][1]]
    previous = following[0][0]
    for index, line in following[1:]:
        if bold and parts[-1].endswith("**"):
            break
        contiguous = index == previous + 1
        if not bold and (_stops_title(line) or not (contiguous or line[:1].islower())):
            break
        if len(parts) >= 6:
            break
        parts.append(line)
        previous = index
    return " ".join(" ".join(strip_markup(p) for p in parts).split())


def _stops_title(line: str) -> bool:
    plain = strip_markup(line)
    return bool(_BODY_START.match(plain) or _PHAN.match(plain) or _ROMAN.match(plain) or is_upper(plain))


def _number(header: list[str]) -> str | None:
    for line in header:
        match = _NUMBER_LINE.match(strip_markup(line))
        if match:
            return re.sub(r"\s+", "", match.group(1))
    return None


def _type_from_number(number: str | None) -> str | None:
    if not number:
        return None
    code = number.split("/", 1)[1].split("-", 1)[0]
    return _NUMBER_TYPES.get(code)


def _type_from_subject_line(header: list[str]) -> str | None:
    """An official letter has a "V/v …" (về việc) line under its number."""
    return "Công văn" if any(re.match(r"V/v\b", strip_markup(line)) for line in header) else None


def _type_from_self_reference(text: str) -> str | None:
    """A headerless text still calls itself: "… thực hiện Kế hoạch này"."""
    counts = Counter(re.findall(r"\b(" + "|".join(DOC_TYPES) + r") này\b", text))
    return counts.most_common(1)[0][0] if counts else None


def _place_date(header: list[str]) -> tuple[str | None, str | None]:
    for line in header:
        match = _PLACE_DATE.search(strip_markup(line))
        if not match:
            continue
        place = _capitalized_tail(match.group(1))
        day, month, year = match.group(2), match.group(3), int(match.group(4))
        return place, _iso_date(year, month, day)
    return None, None


def _iso_date(year: int, month: str | None, day: str | None) -> str:
    try:
        if month and day:
            return date(year, int(month), int(day)).isoformat()
        if month:
            return date(year, int(month), 1).isoformat()[:7]
    except ValueError:
        return str(year)
    return str(year)


def _capitalized_tail(phrase: str) -> str | None:
    """The trailing run of Capitalized words: "Số: /KH-STTTT-VP Trà Vinh" → "Trà Vinh"."""
    words: list[str] = []
    for word in reversed(phrase.split()):
        if word[:1].isupper() and word[1:].islower() and word.isalpha():
            words.insert(0, word)
        else:
            break
    return " ".join(words) or None


def _province(text: str, place: str | None) -> str | None:
    flat = " ".join(re.sub(r"\s*\t\s*", " | ", text).split())  # wrapped lines joined, cells kept apart
    mentions = Counter(_clean_name(m) for m in _PROVINCE_MENTION.findall(flat))
    mentions.pop("", None)
    if place and (place in mentions or not mentions):
        return place
    return mentions.most_common(1)[0][0] if mentions else None


def _clean_name(raw: str) -> str:
    """The Capitalized words of a "tỉnh X" mention: "Tiền Giang¹, phiên bản" → "Tiền Giang"."""
    words: list[str] = []
    for token in raw.split()[:4]:
        word = token.rstrip(".,;:)”\"'¹²³⁴⁵⁶⁷⁸⁹⁰")
        if word == "-" and words:
            words.append(word)
        elif word.isalpha() and word[:1].isupper() and (len(word) == 1 or not word.isupper()):
            words.append(word)
        else:
            break
        if word != token:  # punctuation ends the name
            break
    while words and words[-1] == "-":
        words.pop()
    if words and words[0] in _NOT_PLACE:
        return ""
    return " ".join(words)


#: "UBND tỉnh Sở …", "tỉnh Ban Chỉ đạo …": capitals after "tỉnh" that are not a place.
_NOT_PLACE = frozenset(
    "Sở Ban Bộ Ủy Uỷ UBND HĐND Chủ Văn Hội Trung Cục Đoàn Công Cổng Hệ "
    "Quyết Kế Nghị Chương Phó Giám Thường Tỉnh".split()
)


# --- years -----------------------------------------------------------------------------


def _years(lines: list[str], subtitle: str, doc_type: str | None) -> tuple[list[int], list[int]]:
    """Years reported on and years planned, from the title and the section headings."""
    default = "plan" if doc_type in _PLAN_TYPES else "report"
    buckets: dict[str, set[int]] = {"report": set(), "plan": set()}
    title = f"{doc_type or ''} {subtitle}".strip()
    _classify(title, default, buckets)
    since = _SPAN_SINCE.search(subtitle)
    if since and 2 <= int(since.group(1)) <= 30:
        start = int(since.group(2))
        buckets[_phrase_kind(subtitle, default)].update(range(start, start + int(since.group(1)) + 1))
    part_kind = default  # a section heading without its own words takes its part's kind
    for kind, heading in _headings(lines):
        if kind == "part":
            part_kind = _phrase_kind(heading, default)
        _classify(heading, part_kind, buckets)
    return sorted(buckets["report"]), sorted(buckets["plan"])


def _headings(lines: list[str]) -> list[tuple[str, str]]:
    """("part" | "section", heading text) with headings broken over several lines joined."""
    found: list[tuple[str, str]] = []
    content = [strip_markup(line) for line in lines if line.strip()]
    for index, line in enumerate(content):
        part, roman = _PHAN.match(line), _ROMAN.match(line)
        if part:
            kind, rest = "part", part.group(1).strip()
        elif roman:
            kind, rest = "section", roman.group(2).strip()
        else:
            continue
        # A normalizer may glue "(Chi tiết như Phụ lục …)" onto a heading: keep the capitals.
        words = [_upper_prefix(rest)]
        if kind == "section" and len(words[0].split()) < 2:
            continue
        if words[0] == rest:  # the heading may go on over the next lines
            for nxt in content[index + 1 : index + 4]:
                if not is_upper(nxt) or _PHAN.match(nxt) or _ROMAN.match(nxt) or "\t" in nxt:
                    break
                words.append(nxt)
        found.append((kind, " ".join(" ".join(words).split())))
    return found


def _upper_prefix(text: str) -> str:
    """The leading words written in capitals: "DỰ ÁN NĂM 2023 (Chi tiết …)" → "DỰ ÁN NĂM 2023"."""
    words: list[str] = []
    for word in text.split():
        if any(ch.islower() for ch in word):
            break
        words.append(word)
    return " ".join(words)


def _phrase_kind(phrase: str, default: str) -> str:
    if _EVAL_WORDS.search(phrase):
        return "report"
    if _PLAN_WORDS.search(phrase):
        return "plan"
    return default


def _classify(phrase: str, default: str, buckets: dict[str, set[int]]) -> None:
    """Years of each clause go to the kind its words name, or the kind of the clause before."""
    kind = default
    phrase = _DATE_EXPR.sub(" ", phrase)
    for clause in re.split(r"[;,]\s*|\s+và\s+", phrase, flags=re.IGNORECASE):
        kind = _phrase_kind(clause, kind)
        for year in _YEAR.findall(clause):
            buckets[kind].add(int(year))
        for start, end in _YEAR_RANGE.findall(clause):
            if 0 < int(end) - int(start) <= 15 and re.search(r"giai đoạn", clause, re.IGNORECASE):
                buckets[kind].update(range(int(start), int(end) + 1))


# --- fallbacks -------------------------------------------------------------------------


def _fallback_title(
    doc_id: str, doc_type: str | None, province: str | None, reported: list[int], planned: list[int]
) -> str:
    """A readable title for a document without a title line."""
    years = planned if doc_type in _PLAN_TYPES and planned else reported or planned
    if doc_type:
        parts = [doc_type]
        if province:
            parts.append(f"tỉnh {province}")
        if years:
            parts.append(f"năm {years[0]}" if len(years) == 1 else f"giai đoạn {years[0]} - {years[-1]}")
        return " ".join(parts)
    stem = Path(doc_id).name
    for suffix in (".txt", ".md", ".docx", ".pdf"):
        stem = stem.removesuffix(suffix)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else doc_id
