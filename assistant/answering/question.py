"""Question analysis: what is asked (type, calculation), for which year and place, about what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.vietnamese.abbreviations import CURATED
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold

#: Question words and glue that say nothing about the topic (accent-folded).
STOP = frozenset(
    """
bao nhieu may la gi nao cua va cac nhung trong nam cho biet hay duoc co khong the nhu thi o tai
voi ve den theo tu mot so luong tong hien da se dang ra sao vay a nhe oi ban toi minh ta de
tren duoi bang nay do kia ay thuoc con chi neu tinh hoi
""".split()
)


_CALC = [  # (operation, folded patterns) — the first match wins
    ("estimate", r"\buoc (tinh|khoang|luong)\b.*\bty le\b|\bty le\b.*\buoc (tinh|khoang|luong)\b"),
    ("average", r"\b(binh quan|trung binh)\b.*\bmoi\b"),
    ("percent_change", r"(tang|giam) (bao nhieu|may) (phan tram|%)|tang truong bao nhieu"),
    ("times", r"gap (may|bao nhieu) lan"),
    ("remainder", r"con thieu|de dat (muc tieu|chi tieu)|con (phai|can) bao nhieu"),
    (
        "percent_of",
        r"chiem (ty le|ti le|bao nhieu|may)|(bao nhieu|may) (phan tram|%) (so voi )?(tong|cua tong|tren tong)"
        r"|ty le giai ngan|tinh ty le|ty le .* tren tong|(phan tram|%) tong so",
    ),
    (
        "difference",
        r"chenh lech|tang (them |rong )?bao nhieu|giam (di )?bao nhieu|nhieu hon bao nhieu|it hon bao nhieu"
        r"|hon kem|khac nhau bao nhieu|\bchua\b|khong (duoc|tinh)|con bao nhieu|con lai|tang rong|truoc khi",
    ),
    (
        "sum",
        r"tong cong .* va |cong (ca|lai|tat ca)|tinh ca .*chuyen sang|\btong\b.*\bva\b|ca (truc tuyen|hai|ba) va|\btong\b.* cua (\d+|hai|ba|cac)",
    ),
]
_KIND = [
    (
        "date",
        r"khi nao|ngay nao|ngay bao nhieu|ngay may|thoi gian nao|bao gio|thoi han|nam nao|thang nao|quy nao|thoi diem|ngay thang|hoan thanh truoc|trong thoi gian|thoi gian (thuc hien|hoan thanh)",
    ),
    ("percent", r"ty le|ti le|phan tram|%"),
    ("number", r"bao nhieu|\bmay\b|so luong|tong so|con so|^so "),
    (
        "list",
        r"nhung (gi|ai|noi dung|nhiem vu|giai phap|linh vuc|don vi|co quan|he thong|doanh nghiep)|gom (nhung|cac|co)|ke ten|liet ke|cac .* nao|nhung .* nao|bao gom",
    ),
    (
        "entity",
        r"don vi nao|co quan nao|\bai\b|la ai|ten (la|goi)|chu tri|phoi hop|tinh nao|huyen nao|doanh nghiep nao|he thong nao|nen tang nao|ung dung nao|nao\b|la gi",
    ),
    (
        "text",
        r"tai sao|vi sao|nhu the nao|the nao|nguyen nhan|muc tieu|giai phap|han che|kho khan|ra sao|de lam gi|nham",
    ),
]
_UNIT_AFTER = re.compile(r"(?:bao nhieu|may)\s+(\w+(?:\s\w+)?)")
YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
#: A year inside a document number ("137/2017/TT-BTC", "45/2020/NĐ-CP") names no period.
_CODE_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20[0-4]\d)/[A-ZĐ]")
#: Words that only their accents tell apart from a question word once folded: "máy" (machine)
#: is not "mấy" (how many), "Sở" (department) is not "số" (number).
_ACCENT_ONLY = re.compile(r"\b(máy|sở)\b")
#: A province name right after a broadcaster or carrier names that organisation ("VTV Cần Thơ",
#: "VNPT Vĩnh Long"), not a place asked about.
_ORG_BEFORE = re.compile(r"\b(?:VTV\d*|VNPT|Viettel|MobiFone|VinaPhone|Đài|Báo|Bưu điện)\s+$", re.IGNORECASE)
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
    measured: list[str] = field(default_factory=list)  # words after "bao nhiêu": what is counted
    asks_target: bool = False  # "mục tiêu năm 2023 …", "chỉ tiêu …"
    against_target: bool = False  # "đạt bao nhiêu % so với mục tiêu"


def analyze(question: str) -> QuestionInfo:
    expanded = _expand_abbreviations(question)
    folded = " ".join(_TOKEN.findall(fold(expanded.lower()))) + (" %" if "%" in question else "")
    # Patterns read the question as written (no expansions: "TN&MT" must not add a "và"),
    # with accent-only homographs kept apart and "%" in place.
    plain = _pattern_text(question)
    pattern = _pattern_text(question.replace("%", " phần trăm "))
    operation = next((op for op, pat in _CALC if re.search(pat, pattern)), None)
    if operation == "percent_change" and len(set(YEAR.findall(question))) < 2 and "so voi" not in pattern:
        operation = None  # "giảm bao nhiêu % phí" asks for a stated rate, not a change between years
    if operation is None and re.search(r"\w\s*\+\s*\w", question):  # "cáp đồng (treo + ngầm)"
        operation = "percent_of" if re.search(r"\bty le\b|phan tram", pattern) else "sum"
    if re.search(r"\b(tai sao|vi sao|nguyen nhan)\b", pattern):
        operation = None  # "vì sao mục tiêu 50% … chưa đạt?" asks for a reason
    if operation and not re.search(
        r"bao nhieu|\bmay\b|ty le|ti le|phan tram|hay tinh|uoc tinh|tinh toan|\btong\b", pattern
    ):
        operation = None  # "vì sao … chưa …" asks for an explanation, not arithmetic
    kind = "computed" if operation else next((k for k, pat in _KIND if re.search(pat, pattern)), "text")
    m = _UNIT_AFTER.search(plain)
    unit_hint = m.group(1).split()[0] if m and kind in ("number", "computed") else None
    years = [int(y) for y in YEAR.findall(_CODE_YEAR.sub(" ", question))]
    provinces = [p for p in PROVINCES if _names_place(question, p)]
    numbers = re.findall(r"\d+(?:[.,]\d+)*", question)
    keywords = [t for t in dict.fromkeys(folded.split()) if t not in STOP and not t.isdigit() and len(t) > 1]
    m2 = re.search(r"(?:bao nhieu|\bmay\b)\s+((?:\w+\s?){1,8})", plain)
    measured = []
    if m2:
        for w in m2.group(1).split():
            if w in ("la", "duoc", "da", "tren", "nam", "cua", "tai", "o", "theo", "trong", "khi", "so", "va"):
                break
            measured.append(w)
    asks_target = bool(re.search(r"muc tieu|chi tieu|dat ra|phan dau|toi thieu", pattern))
    against_target = bool(re.search(r"so voi (muc tieu|ke hoach|chi tieu)|(dat|bang) bao nhieu phan tram", pattern))
    if against_target and operation == "percent_of":
        operation, kind = None, "percent"  # the document states the share of the target
    return QuestionInfo(
        question,
        folded,
        kind,
        operation,
        years,
        provinces,
        unit_hint,
        keywords,
        numbers,
        measured,
        asks_target and not against_target,
        against_target,
    )


def _pattern_text(question: str) -> str:
    lowered = _ACCENT_ONLY.sub(lambda m: fold(m.group(1)) + "_", question.lower())
    return " ".join(_TOKEN.findall(fold(lowered)))


def _names_place(question: str, province: str) -> bool:
    """Whether the question names ``province`` as a place (not inside "VTV Cần Thơ")."""
    for m in re.finditer(re.escape(province), question.lower()):
        if not _ORG_BEFORE.search(question[: m.start()]):
            return True
    folded = fold(question)  # a question typed without accents
    return any(
        not _ORG_BEFORE.search(folded[: m.start()])
        for m in re.finditer(re.escape(fold(province)), folded, re.IGNORECASE)
    )


def _expand_abbreviations(text: str) -> str:
    words = set(re.findall(r"[\w&]+", text))
    extra = [long for abbr, long in CURATED.items() if abbr in words or abbr.lower() in words]
    return text if not extra else f"{text} {' '.join(extra)}"
