"""The Vietnamese words the answerer reads, in one place (accent-folded, lower case).

These are language data, general to planning documents — question words, the words of targets,
money, percentages, organisations and causes — not words of any particular question. The training
report counts how many questions each list fires on (``assistant train``).
"""

from __future__ import annotations

from assistant.vietnamese.text import fold

#: Question words and glue that say nothing about the topic.
STOP = frozenset(
    """
bao nhieu may la gi nao cua va cac nhung trong nam cho biet hay duoc co khong the nhu thi o tai
voi ve den theo tu mot so luong tong hien da se dang ra sao vay a nhe oi ban toi minh ta de
tren duoi bang nay do kia ay thuoc con chi neu tinh hoi
""".split()
)
#: "bao nhiêu X", "mấy X": X is what is counted.
COUNT_CUES = ("bao nhieu", "may")
#: Words that end the counted noun after a count cue.
NOUN_END = frozenset(
    "la duoc da dang se tren nam cua tai o theo trong khi so va cho co den tu voi thuoc nao gi ca".split()
)
#: The same words as written with their accents: in a question typed with diacritics, "tài", "cơ",
#: "đảng" and "số" do not end the noun as "tại", "có", "đang" and "so (với)" do.
NOUN_END_ACCENTED = frozenset(
    "là được đã đang sẽ trên năm của tại ở theo trong khi so và cho có đến từ với thuộc nào gì cả".split()
)
#: What a target says: planned, aimed at, at least.
TARGET = ("muc tieu", "chi tieu", "phan dau", "dat ra", "toi thieu", "it nhat", "tro len", "ke hoach dat", "du kien")
#: What asks for a whole rather than a part.
TOTAL = ("tong", "tong so", "tong cong", "tat ca", "toan bo", "toan tinh", "ca tinh", "chung", "gop", "cong lai")
#: What a result says: achieved, carried out.
RESULT = ("ket qua", "da dat", "dat duoc", "thuc hien duoc", "da trien khai", "hoan thanh", "uoc dat", "thuc te")
#: Section headings of the planning part of a document.
PLAN_SECTION = ("nhiem vu", "giai phap", "phuong huong", "muc tieu", "ke hoach nam", "du kien", "to chuc thuc hien")
#: Section headings of the reporting part.
REPORT_SECTION = ("ket qua", "danh gia", "tinh hinh", "thuc hien", "boi canh", "ton tai", "han che")
#: Money.
MONEY = (
    "dong",
    "trieu",
    "ty",
    "kinh phi",
    "von",
    "ngan sach",
    "du toan",
    "giai ngan",
    "dau tu",
    "chi phi",
    "doanh thu",
)
#: Nouns that ask an amount of money, not a count of things: "bao nhiêu tiền", "bao nhiêu kinh phí"
#: are answered by any sum of money, whatever its clause calls it.
MONEY_NOUNS = ("tien", "kinh phi", "von", "chi phi", "ngan sach", "du toan")
#: A share or rate.
PERCENT = ("ty le", "ti le", "phan tram", "%", "ty trong", "chiem")
#: Kinds of documents a question may name.
DOCUMENT_KINDS = (
    "ke hoach",
    "kh",
    "quyet dinh",
    "qd",
    "bao cao",
    "bc",
    "nghi quyet",
    "nq",
    "cong van",
    "thong tu",
    "chi thi",
    "nghi dinh",
    "chuong trinh",
    "de an",
)
#: Words that open the name of an organisation.
ORGANISATION = (
    "so",
    "ban",
    "ubnd",
    "uy ban",
    "trung tam",
    "cong ty",
    "tap doan",
    "vien",
    "truong",
    "benh vien",
    "buu dien",
    "vnpt",
    "viettel",
    "mobifone",
    "hoi dong",
    "cuc",
    "bo",
    "tinh uy",
    "van phong",
)
#: Words that give a reason or a purpose.
CAUSE = ("do", "vi", "nguyen nhan", "boi", "nham", "de", "do do", "vi vay", "tuy nhien", "han che", "kho khan")
#: Words that announce a list.
LIST = ("gom", "bao gom", "nhu", "cu the", "cac", "nhung")
#: What asks an average ("mỗi" is left out: without accents it is also "mới", new).
AVERAGE = ("binh quan", "trung binh", "dinh muc")
#: Syllables of a comparison: more, less, short of, times, reaching — kept with their diacritics
#: (folded, "tang" is also "tầng" of "hạ tầng", "hon" also "hòn").
COMPARE = ("tăng", "giảm", "thiếu", "hụt", "chênh", "hơn", "kém", "gấp", "vượt", "đạt", "bằng")
#: Words that hold one of those syllables and compare nothing.
NOT_COMPARE = (
    "tăng cường",
    "giảm nghèo",
    "giảm thiểu",
    "hơn nữa",
    "bằng cách",
    "đạt chuẩn",
    "gấp rút",
    "hạ tầng",
    "giám sát",
)

#: Asking words, with diacritics (folded, "vị" of "đơn vị" and "đầu" of "đầu tư" would read as
#: "vì", "đâu"), and the folded forms that stay unambiguous in a question typed without diacritics.
ASKING = frozenset("bao nhiêu gì ai nào mấy sao đâu vì tại".split())
ASKING_FOLDED = frozenset("bao nhieu gi nao sao".split())

VOCABULARIES = {
    "target": TARGET,
    "result": RESULT,
    "total": TOTAL,
    "plan_section": PLAN_SECTION,
    "report_section": REPORT_SECTION,
    "money": MONEY,
    "percent": PERCENT,
    "document_kinds": DOCUMENT_KINDS,
    "organisation": ORGANISATION,
    "cause": CAUSE,
    "list": LIST,
    "average": AVERAGE,
    "compare": tuple(fold(w) for w in COMPARE),  # counted on folded questions (over-counts "tầng")
}


def has_any(folded_text: str, phrases: tuple[str, ...]) -> bool:
    """Whether the folded text holds one of the phrases as whole words."""
    padded = f" {folded_text} "
    return any(f" {p} " in padded for p in phrases)
