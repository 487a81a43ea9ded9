"""Who issued a document: the authority in its header, or the subject of its opening sentence."""

from __future__ import annotations

import re

from assistant.ingest.normalize import is_upper, strip_markup

_AUTHORITY = (
    "Ủy ban nhân dân",
    "Uỷ ban nhân dân",
    "UBND",
    "Hội đồng nhân dân",
    "HĐND",
    "Ban Thường vụ",
    "Ban Chấp hành",
    "Ban",
    "Sở",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Đảng ủy",
    "Văn phòng",
    "Bộ",
    "Cục",
    "Chi cục",
    "Trung tâm",
)
_AUTHORITY_START = re.compile(r"\b(?:" + "|".join(_AUTHORITY) + r")\b")
#: How an authority line in capitals starts ("BAN HÀNH …" in a title is not one).
_AUTHORITY_CAPS = (
    "ỦY BAN ",
    "UỶ BAN ",
    "UBND ",
    "HỘI ĐỒNG NHÂN DÂN",
    "HĐND ",
    "SỞ ",
    "BAN THƯỜNG VỤ",
    "BAN CHẤP HÀNH",
    "BAN CHỈ ĐẠO",
    "TỈNH ỦY",
    "THÀNH ỦY",
    "HUYỆN ỦY",
    "ĐẢNG ỦY",
    "VĂN PHÒNG ",
    "BỘ ",
    "CỤC ",
    "CHI CỤC ",
    "TRUNG TÂM ",
)
#: Words that never occur inside an authority's name ("… của Sở X về việc …").
_FUNCTION_WORDS = frozenset("của về việc số ngày tại theo cho đã được".split())
_ISSUER_CLAUSE = re.compile(
    r"(?P<name>(?:" + "|".join(_AUTHORITY) + r")\b[^,;:()]{0,80}?)\s+"
    r"(?:báo cáo|xây dựng|ban hành|kính trình|trình bày|gửi|đề xuất|tổng kết|đánh giá)\b"
)


def issuer(header: list[str], text: str, province: str | None) -> str | None:
    name = _issuer_from_header(header) or _issuer_from_opening(text)
    if not name:
        return None
    name = name.replace("Uỷ", "Ủy").replace("UBND", "Ủy ban nhân dân").replace("HĐND", "Hội đồng nhân dân")
    if province and re.search(r"(?:nhân dân|Ủy ban|Sở|Tỉnh ủy) tỉnh$", name):
        name = f"{name} {province}"
    return name


def _issuer_from_header(header: list[str]) -> str | None:
    """An authority in capitals in the header; under a parent ("UBND TỈNH …") the lower line wins."""
    plain = [strip_markup(line) for line in header]
    found: str | None = None
    index = 0
    while index < len(plain):
        line = plain[index]
        if not _is_authority(line):
            if found:
                break
            index += 1
            continue
        nxt = plain[index + 1] if index + 1 < len(plain) else ""
        if re.fullmatch(r"(ỦY|UỶ) BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN", line) and re.match(
            r"(TỈNH|THÀNH PHỐ|HUYỆN|THỊ XÃ|QUẬN)\s", nxt
        ):
            line, index = f"{line} {nxt}", index + 1
        found = authority_case(line)
        index += 1
    return found


def _is_authority(line: str) -> bool:
    return is_upper(line) and len(line) <= 90 and f"{line} ".startswith(_AUTHORITY_CAPS)


def _issuer_from_opening(text: str) -> str | None:
    """The subject of the opening sentence: "…, Sở Thông tin và Truyền thông báo cáo … như sau:"."""
    opening = " ".join(text[:6000].split())
    for match in re.finditer(r"\bnhư sau\b", opening):
        clause = re.split(r"[,;:.]\s", opening[: match.start()])[-1]
        found = [
            (m.end("name"), -m.start(), m.group("name").strip())
            for start in _AUTHORITY_START.finditer(clause)
            if (m := _ISSUER_CLAUSE.match(clause, start.start()))
        ]
        found = [f for f in found if not _FUNCTION_WORDS & set(f[2].split())]
        if found:  # the subject stands right before its verb; take the whole of it
            return max(found)[2]
    return None


#: Localities that end an authority's name ("… TỈNH TRÀ VINH"); not "XÃ", which "XÃ HỘI" has.
_UNITS = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "THỊ XÃ", "QUẬN")
_FIXED_CASE = {
    "ỦY BAN NHÂN DÂN": "Ủy ban nhân dân",
    "UỶ BAN NHÂN DÂN": "Ủy ban nhân dân",
    "UBND": "Ủy ban nhân dân",
    "HỘI ĐỒNG NHÂN DÂN": "Hội đồng nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "BAN THƯỜNG VỤ TỈNH ỦY": "Ban Thường vụ Tỉnh ủy",
    "BAN CHẤP HÀNH ĐẢNG BỘ": "Ban Chấp hành Đảng bộ",
    "TỈNH ỦY": "Tỉnh ủy",
    "THÀNH ỦY": "Thành ủy",
    "HUYỆN ỦY": "Huyện ủy",
}


def authority_case(line: str) -> str:
    """Capitals to the usual spelling: "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" → "Sở Thông tin và Truyền thông"."""
    line = " ".join(line.split())
    for key, spelled in _FIXED_CASE.items():
        if line == key or line.startswith(key + " "):
            rest = line[len(key) :].strip()
            return f"{spelled} {_locality_case(rest)}".strip()
    unit = re.search(r"\s(" + "|".join(_UNITS) + r")\s+\S.*$", line)
    body, locality = (line[: unit.start()], line[unit.start() :]) if unit else (line, "")
    pieces = re.split(r"(\s+VÀ\s+|\s+-\s+)", body)
    cased = [p.lower() if p.strip() in ("VÀ", "-") else _sentence_case(p) for p in pieces]
    return f"{''.join(cased)} {_locality_case(locality.strip())}".strip()


def _locality_case(rest: str) -> str:
    for unit in _UNITS:
        if rest.startswith(unit + " "):
            name = rest[len(unit) :].strip()
            return f"{unit.lower()} {' '.join(w.capitalize() for w in name.split())}"
    return rest


def _sentence_case(words: str) -> str:
    """ "SỞ Y TẾ" → "Sở Y tế": the kind of body, then its field capitalized once."""
    parts = [w if w in ("UBND", "HĐND") else w.lower() for w in words.split()]
    if not parts:
        return ""
    head = 2 if parts[0] in ("chi", "văn", "trung") else 1  # "Chi cục", "Văn phòng", "Trung tâm"
    if parts[0] not in ("sở", "ban", "bộ", "cục", "chi", "văn", "trung"):
        head = 0
    return " ".join(p.capitalize() if i in (0, head) and p.islower() else p for i, p in enumerate(parts))
