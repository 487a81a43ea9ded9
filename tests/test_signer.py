"""Signature blocks read from invented documents (real layouts, invented people and places)."""

from __future__ import annotations

import pytest

from assistant.ingest.signer import signatures

_DECISION = """Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh chịu trách nhiệm thi hành Quyết định này./.

Nơi nhận:
- Như Điều 3;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN

KT. CHỦ TỊCH

PHÓ CHỦ TỊCH

(Đã ký)

Lâm Thị Bích Vân
"""


def test_a_decision_signed_for_the_chairman_keeps_in_whose_name():
    (found,) = signatures(_DECISION)
    assert found.name == "Lâm Thị Bích Vân" and found.office == "Phó Chủ tịch"
    assert found.on_behalf == ("KT. Chủ tịch", "TM. Ủy ban nhân dân")
    assert found.text == "Phó Chủ tịch Lâm Thị Bích Vân (KT. Chủ tịch, TM. Ủy ban nhân dân)"
    block = _DECISION[found.start : found.end]  # cited from the first title line to the name
    assert block.startswith("TM. ỦY BAN NHÂN DÂN") and block.endswith("Lâm Thị Bích Vân")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lưu: VT.\n\nGIÁM ĐỐC\n\nTô Minh Khang\n", "Giám đốc Tô Minh Khang"),
        ("Q. GIÁM ĐỐC\n\nLê Văn Tư\n", "Q. Giám đốc Lê Văn Tư"),
        ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n(Đã ký)\nTrần Thị Mai\n", "Chánh Văn phòng Trần Thị Mai (TL. Chủ tịch)"),
        # capitals, markup, an authority in abbreviations with its province
        (
            "TM. UBND TỈNH BẠC LIÊU\nCHỦ TỊCH\n\n**NGUYỄN VĂN AN**\n",
            "Chủ tịch Nguyễn Văn An (TM. Ủy ban nhân dân tỉnh Bạc Liêu)",
        ),
        # a name cut by a line break
        ("GIÁM ĐỐC\n\nNguyễn Thị Thu\nHà\n", "Giám đốc Nguyễn Thị Thu Hà"),
    ],
)
def test_signature_layouts(text, expected):
    assert [s.text for s in signatures(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "II. ĐỊA BÀN TRIỂN KHAI\nBạc Liêu\n",  # a heading over a place
        "ỨNG DỤNG DI ĐỘNG\nSmart Bạc Liêu\n",  # a heading over a product's name
        "ỦY BAN NHÂN DÂN\nTỈNH BẠC LIÊU\nHồng Dân\n",  # the issuer's header over a district
        "GIÁM ĐỐC\n\nBạc Liêu\n",  # an office over a province: no person
        "Báo cáo gửi Giám đốc Sở.\nTô Minh Khang phụ trách.\n",  # prose, no block
    ],
)
def test_what_is_no_signature(text):
    assert signatures(text) == []


def test_a_document_of_a_million_lines_is_read_in_bounded_time_and_blocks():
    text = "GIÁM ĐỐC\n\nTô Minh Khang\n" * 20 + "dòng ngắn\n" * 1_000_000
    assert len(signatures(text)) == 3  # at most three blocks per document
