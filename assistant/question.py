"""Question analysis: what is asked (type, calculation), for which year and place, about what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.abbreviations import CURATED, fold

#: Question words and glue that say nothing about the topic (accent-folded).
STOP = frozenset("""
bao nhieu may la gi nao cua va cac nhung trong nam cho biet hay duoc co khong the nhu thi o tai
voi ve den theo tu mot so luong tong hien da se dang ra sao vay a nhe oi ban toi minh ta de
tren duoi bang nay do kia ay thuoc con chi neu tinh hoi
""".split())

PROVINCES = ("trà vinh", "tiền giang", "vĩnh long", "bến tre", "sóc trăng", "cần thơ", "an giang",
             "đồng tháp", "long an", "hậu giang", "bạc liêu", "cà mau", "kiên giang", "hà nội",
             "hồ chí minh", "đà nẵng", "hải phòng", "bình dương", "đồng nai", "quảng ninh")

_CALC = [  # (operation, folded patterns) — the first match wins
    ("percent_change", r"tang (bao nhieu|may) (phan tram|%)|giam (bao nhieu|may) (phan tram|%)|tang truong bao nhieu"),
    ("times", r"gap (may|bao nhieu) lan"),
    ("remainder", r"con thieu|con (phai|can)|de dat (muc tieu|chi tieu)|con lai bao nhieu|chua (giai ngan|thuc hien) bao nhieu"),
    ("percent_of", r"(chiem|bang|dat) (bao nhieu|may) (phan tram|%) (so voi|cua|tren|tong)|ty le giai ngan|bao nhieu phan tram (so voi|cua|tong)"),
    ("difference", r"chenh lech|tang (them )?bao nhieu|giam (di )?bao nhieu|nhieu hon bao nhieu|it hon bao nhieu|hon kem|cach biet|khac nhau bao nhieu"),
    ("sum", r"tong cong|cong lai|tong (so|cong|gia tri|kinh phi|von)? ?(cua )?(ca )?(hai|ba|2|3)|ca hai .* bao nhieu|cong ca"),
]
_KIND = [
    ("date", r"khi nao|ngay nao|ngay bao nhieu|ngay may|thoi gian nao|bao gio|thoi han|nam nao|thang nao|quy nao|thoi diem|ngay thang|hoan thanh truoc|trong thoi gian|thoi gian (thuc hien|hoan thanh)"),
    ("percent", r"ty le|ti le|phan tram|%"),
    ("number", r"bao nhieu|\bmay\b|so luong|tong so|con so"),
    ("list", r"nhung (gi|ai|noi dung|nhiem vu|giai phap|linh vuc|don vi|co quan|he thong|doanh nghiep)|gom (nhung|cac|co)|ke ten|liet ke|cac .* nao|nhung .* nao|bao gom"),
    ("entity", r"don vi nao|co quan nao|\bai\b|la ai|ten (la|goi)|chu tri|phoi hop|tinh nao|huyen nao|doanh nghiep nao|he thong nao|nen tang nao|ung dung nao|nao\b|la gi"),
    ("text", r"tai sao|vi sao|nhu the nao|the nao|nguyen nhan|muc tieu|giai phap|han che|kho khan|ra sao|de lam gi|nham"),
]
_UNIT_AFTER = re.compile(r"(?:bao nhieu|may)\s+(\w+(?:\s\w+)?)")
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
_TOKEN = re.compile(r"\w+")


@dataclass
class QuestionInfo:
    text: str
    folded: str
    kind: str  # number | percent | date | entity | list | text | computed
    operation: str | None = None  # sum | difference | percent_of | percent_change | remainder | times
    years: list[int] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    unit_hint: str | None = None  # "trạm" in "bao nhiêu trạm" (folded)
    keywords: list[str] = field(default_factory=list)  # folded content syllables
    numbers: list[str] = field(default_factory=list)  # digits written in the question


def analyze(question: str) -> QuestionInfo:
    lowered = question.lower()
    expanded = _expand_abbreviations(question)
    folded = " ".join(_TOKEN.findall(fold(expanded.lower()))) + (" %" if "%" in question else "")
    operation = next((op for op, pat in _CALC if re.search(pat, folded)), None)
    kind = "computed" if operation else next((k for k, pat in _KIND if re.search(pat, folded)), "text")
    m = _UNIT_AFTER.search(folded)
    unit_hint = m.group(1).split()[0] if m and kind in ("number", "computed") else None
    years = [int(y) for y in _YEAR.findall(question)]
    provinces = [p for p in PROVINCES if p in lowered or fold(p) in folded]
    numbers = re.findall(r"\d+(?:[.,]\d+)*", question)
    keywords = [t for t in dict.fromkeys(folded.split()) if t not in STOP and not t.isdigit() and len(t) > 1]
    return QuestionInfo(question, folded, kind, operation, years, provinces, unit_hint, keywords, numbers)


def _expand_abbreviations(text: str) -> str:
    words = set(re.findall(r"[\w&]+", text))
    extra = [long for abbr, long in CURATED.items() if abbr in words or abbr.lower() in words]
    return text if not extra else f"{text} {' '.join(extra)}"
