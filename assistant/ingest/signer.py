"""Who signed a document: its signature block, read from the lines of its text.

An administrative document (Nghị định 30/2020/NĐ-CP, appendix I) ends with the authority it is signed
for, the signer's office in capitals, and the name on a line of its own::

    TM. ỦY BAN NHÂN DÂN
    KT. CHỦ TỊCH
    PHÓ CHỦ TỊCH
    (Đã ký)
    Nguyễn Trung Hoàng

"TM." (on behalf of a collective body), "KT." (signing for the head), "TL." / "TUQ." (by the head's
order or authorisation) and "Q." (acting) are kept: they say in whose name the signer signs. A block
counts only when its office line names an office (a heading in capitals over a title-case line, such
as "II. ĐỊA BÀN TRIỂN KHAI" over "Trà Vinh", is no signature), and a name that is a province is no
person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.issuer import authority_case
from assistant.ingest.normalize import is_upper, strip_markup
from assistant.vietnamese.places import PROVINCES
from assistant.vietnamese.text import fold

#: Offices that sign (folded, without "phó"): the office line must start with one.
OFFICES = tuple(
    fold(o)
    for o in (
        "giám đốc",
        "tổng giám đốc",
        "chủ tịch",
        "bí thư",
        "trưởng ban",
        "trưởng phòng",
        "chánh văn phòng",
        "chánh thanh tra",
        "chánh án",
        "chủ nhiệm",
        "bộ trưởng",
        "thứ trưởng",
        "cục trưởng",
        "vụ trưởng",
        "viện trưởng",
        "hiệu trưởng",
        "thủ trưởng",
        "trưởng đoàn",
        "tổng cục trưởng",
        "chi cục trưởng",
        "giám đốc sở",
    )
)
#: How a line says in whose name the signer signs.
PREFIX = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\.?\s+", re.IGNORECASE)
#: Lines between the office and the name that say it was signed.
_SIGNED = re.compile(
    r"^\(?\s*(?:đã\s+ký|ký\s+tên|ký,?\s+ghi\s+rõ\s+họ\s+tên|ký\s+và\s+đóng\s+dấu)\b.*$",
    re.IGNORECASE,
)
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
#: A word of a name: a capital and lower-case letters ("Nguyễn"), or all capitals ("NGUYỄN").
_NAME_WORD = re.compile(rf"[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{2,}}")
#: Title lines read above a name, at most; lines looked through between them (blank, "(Đã ký)").
TITLE_LINES = 4
GAP_LINES = 6
#: Signature blocks kept per document (a decision and its appendices may repeat one).
MOST = 3
_PROVINCES = frozenset(fold(p) for p in PROVINCES)


@dataclass(frozen=True)
class Signature:
    """One signature block: the signer, the office, in whose name, and where it is written."""

    name: str  # "Nguyễn Trung Hoàng"
    office: str  # "Phó Chủ tịch"
    on_behalf: tuple[str, ...]  # ("KT. Chủ tịch", "TM. Ủy ban nhân dân"), nearest first
    start: int  # [start, end) in the document text: the first title line to the end of the name
    end: int

    @property
    def text(self) -> str:
        """ "Phó Chủ tịch Nguyễn Trung Hoàng (KT. Chủ tịch, TM. Ủy ban nhân dân)"."""
        behalf = f" ({', '.join(self.on_behalf)})" if self.on_behalf else ""
        return f"{self.office} {self.name}{behalf}"


def signatures(text: str, most: int = MOST) -> list[Signature]:
    """The signature blocks of a document's text, in order (at most ``most``)."""
    lines = _lines(text)
    out: list[Signature] = []
    for i, (_, _, line) in enumerate(lines):
        if len(out) >= most:
            break
        if not _is_name(line):
            continue
        found = _block(lines, i)
        if found is not None:
            out.append(found)
    return out


def _lines(text: str) -> list[tuple[int, int, str]]:
    """Each line as (start, end, text without markup and outer blanks)."""
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append((pos, pos + len(raw), " ".join(strip_markup(raw).split())))
        pos += len(raw) + 1
    return out


def _is_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    if is_upper(line) and (PREFIX.match(line) or _is_office(line)):
        return False
    return fold(line.lower()) not in _PROVINCES


def _is_office(line: str) -> bool:
    folded = fold(PREFIX.sub("", line).lower())
    folded = folded[4:] if folded.startswith("pho ") else folded
    return any(folded == o or folded.startswith(o + " ") for o in OFFICES)


def _is_title(line: str) -> bool:
    return is_upper(line) and len(line.split()) <= 8 and not re.search(r"[\d:;,]", line)


def _block(lines: list[tuple[int, int, str]], i: int) -> Signature | None:
    """The signature block whose name is line ``i``, or None when no office stands above it."""
    name_start, name_end, name = lines[i]
    # a name cut by a line break ("Nguyễn Thị Thu" / "Hà"): the next line, one word, joins it
    if i + 1 < len(lines) and len(name.split()) < 5 and _NAME_WORD.fullmatch(lines[i + 1][2] or "-"):
        name, name_end = f"{name} {lines[i + 1][2]}", lines[i + 1][1]
    titles: list[tuple[int, str]] = []
    j, gap = i - 1, 0
    while j >= 0 and len(titles) < TITLE_LINES:
        line = lines[j][2]
        if not line or (not titles and _SIGNED.match(line)):
            gap += 1
            if gap > GAP_LINES:
                break
        elif _is_title(line):
            titles.append((lines[j][0], line))
        else:
            break
        j -= 1
    if not titles or not _is_office(titles[0][1]):
        return None
    # "Q. GIÁM ĐỐC" right over the name: the office is "Q. Giám đốc" (acting director)
    office = _behalf_case(titles[0][1])
    behalf = tuple(_behalf_case(line) for _, line in titles[1:])
    if is_upper(name):
        name = " ".join(w.capitalize() for w in name.split())
    return Signature(name, office, behalf, titles[-1][0], name_end)


def _office_case(line: str) -> str:
    """ "PHÓ CHỦ TỊCH" → "Phó Chủ tịch", "CHÁNH VĂN PHÒNG" → "Chánh Văn phòng"."""
    words = line.lower().split()
    first = 1 if words[:1] == ["phó"] and len(words) > 1 else 0
    out = [w.capitalize() if k in (0, first) else w for k, w in enumerate(words)]
    if len(out) > first + 2 and out[first] in ("Chánh", "Tổng", "Chi"):
        out[first + 1] = out[first + 1].capitalize()
    return " ".join(out)


def _behalf_case(line: str) -> str:
    """ "TM. ỦY BAN NHÂN DÂN" → "TM. Ủy ban nhân dân", "KT. CHỦ TỊCH" → "KT. Chủ tịch"."""
    m = PREFIX.match(line)
    prefix = m.group(1).upper().replace("/", "") + ". " if m else ""
    rest = line[m.end() :] if m else line
    body = _office_case(rest) if _is_office(rest) else authority_case(rest)
    return f"{prefix}{body}"
