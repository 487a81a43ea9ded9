"""Metadata extraction on the real corpus, sidecar overrides, and small synthetic headers."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.ingest.loaders import read_document
from assistant.ingest.metadata import document_metadata, extract_metadata, load_sidecar
from assistant.models import DocumentMetadata

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
CDS = "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt"

#: What each document says about itself, checked by reading the text.
EXPECTED = {
    "tien-giang-bao-cao-10-nam-nghi-quyet-36.txt": DocumentMetadata(
        title="Báo cáo tổng kết 10 năm thực hiện Nghị quyết 36-NQ/TW ngày 01/7/2014 của Bộ Chính trị "
        "về đẩy mạnh ứng dụng, phát triển công nghệ thông tin đáp ứng yêu cầu phát triển bền "
        "vững và hội nhập quốc tế",
        doc_type="Báo cáo",
        number=None,  # the text has no "Số:" line
        issuer="Ban Thường vụ Tỉnh ủy",  # "… Ban Thường vụ Tỉnh ủy báo cáo kết quả như sau:"
        province="Tiền Giang",  # no place-date line: "tỉnh Tiền Giang" in the body
        issued_date=None,  # no date line
        years_reported=list(range(2014, 2025)),  # 10 years since Nghị quyết 36 of 01/7/2014
        years_planned=[],  # "Phần thứ hai … TRONG TÌNH HÌNH MỚI" names no year
    ),
    CDS: DocumentMetadata(
        title="Kế hoạch tỉnh Trà Vinh năm 2023",  # derived: the text has no header
        doc_type="Kế hoạch",  # "Kế hoạch này", "NỘI DUNG KẾ HOẠCH"
        number=None,
        issuer=None,  # not named anywhere in the text
        province="Trà Vinh",
        issued_date=None,
        years_reported=[2022],  # "Phần I ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2022"
        years_planned=[2023],  # Phần II "V. DANH MỤC NHIỆM VỤ, DỰ ÁN NĂM 2023"
    ),
    "tra-vinh-ke-hoach-ktxh-tttt-2021.txt": DocumentMetadata(
        # sic: the document's own title lacks "thông" after "truyền"
        title="Kế hoạch Phát triển kinh tế - xã hội ngành thông tin và truyền năm 2021",
        doc_type="Kế hoạch",
        number="/KH-STTTT-VP",  # the number is left blank
        issuer="Sở Thông tin và Truyền thông",
        province="Trà Vinh",
        issued_date="2020-07-30",
        years_reported=[2020],
        years_planned=[2021],
    ),
    "tra-vinh-ke-hoach-ktxh-tttt-2024.txt": DocumentMetadata(
        title="Kế hoạch Phát triển kinh tế - xã hội ngành thông tin và truyền thông năm 2024",
        doc_type="Kế hoạch",
        number="/KH-STTTT-VP",
        issuer="Sở Thông tin và Truyền thông",
        signer="Giám đốc Nguyễn Văn Này",  # "GIÁM ĐỐC" over the name at the end
        province="Trà Vinh",
        issued_date="2023-06",  # "Trà Vinh, ngày tháng 6 năm 2023": the day is blank
        years_reported=[2023],
        years_planned=[2024],
    ),
    "tra-vinh-qd-2063-ung-dung-cntt-2020.txt": DocumentMetadata(
        title="Quyết định Ban hành Kế hoạch Ứng dụng công nghệ thông tin trong hoạt động của cơ quan "
        "nhà nước tại tỉnh Trà Vinh năm 2020",
        doc_type="Quyết định",  # it issues a Kế hoạch, but it is a Quyết định
        number="2063/QĐ-UBND",
        issuer="Ủy ban nhân dân tỉnh Trà Vinh",
        signer="Phó Chủ tịch Nguyễn Trung Hoàng (KT. Chủ tịch, TM. Ủy ban nhân dân)",
        province="Trà Vinh",
        issued_date="2020-04-21",
        years_reported=[2019],  # "I. KẾT QUẢ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM 2019"
        years_planned=[2020],
    ),
}


def _nfc(raw: str) -> str:
    return unicodedata.normalize("NFC", raw)


def _project_normalizer() -> Callable[[str], str]:
    normalize = pytest.importorskip("assistant.ingest.normalize")
    return normalize.normalize_text


@pytest.fixture(params=["nfc", "normalize_text"])
def normalized(request) -> Callable[[str], str]:
    """Extraction must hold for plain NFC text and for the project's full normalizer."""
    return _nfc if request.param == "nfc" else _project_normalizer()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extract_metadata_on_real_documents(name, normalized):
    text = normalized(read_document(DOCUMENTS / name))
    assert extract_metadata(text, name) == EXPECTED[name]


def test_extraction_normalizes_nfd_itself():
    raw = read_document(DOCUMENTS / CDS)
    assert extract_metadata(raw, CDS) == EXPECTED[CDS]


def test_sidecar_gives_the_headerless_plan_its_title():
    path = DOCUMENTS / CDS
    sidecar = load_sidecar(path)
    assert sidecar == {"title": "Kế hoạch chuyển đổi số tỉnh Trà Vinh năm 2023", "doc_type": "Kế hoạch"}
    meta = document_metadata(_nfc(read_document(path)), CDS, path)
    assert meta == EXPECTED[CDS].model_copy(update=sidecar)
    assert meta.title == "Kế hoạch chuyển đổi số tỉnh Trà Vinh năm 2023"
    assert meta.issuer is None and meta.years_planned == [2023]


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {CDS}))
def test_documents_without_sidecar_keep_extraction(name):
    path = DOCUMENTS / name
    assert load_sidecar(path) == {}
    assert document_metadata(_nfc(read_document(path)), name, path) == EXPECTED[name]


# --- sidecars --------------------------------------------------------------------------


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "ke-hoach.txt"
    shutil.copy(DOCUMENTS / "tra-vinh-ke-hoach-ktxh-tttt-2024.txt", path)
    return path


def _sidecar(doc: Path, text: str) -> Path:
    path = Path(f"{doc}.meta.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def test_sidecar_overrides_only_its_fields(doc):
    _sidecar(doc, "number: 125/KH-STTTT-VP\nissued_date: '2023-06-20'\nyears_planned: [2024, 2025]\n")
    meta = document_metadata(_nfc(read_document(doc)), doc.name, doc)
    expected = EXPECTED["tra-vinh-ke-hoach-ktxh-tttt-2024.txt"]
    assert meta.number == "125/KH-STTTT-VP"
    assert meta.issued_date == "2023-06-20"
    assert meta.years_planned == [2024, 2025]
    assert meta.title == expected.title and meta.issuer == expected.issuer


def test_empty_sidecar_is_no_override(doc):
    _sidecar(doc, "# nothing yet\n")
    assert load_sidecar(doc) == {}


def test_sidecar_unknown_key_lists_valid_keys(doc):
    _sidecar(doc, "tieu_de: Kế hoạch\nnam: 2024\n")
    with pytest.raises(DocumentError) as error:
        load_sidecar(doc)
    text = str(error.value)
    assert "ke-hoach.txt.meta.yaml" in text and "khóa không hợp lệ" in text
    assert "nam, tieu_de" in text
    assert all(key in text for key in DocumentMetadata.model_fields)


def test_sidecar_bad_yaml_names_the_file(doc):
    _sidecar(doc, "title: [chưa đóng ngoặc\nissuer: : :\n")
    with pytest.raises(DocumentError) as error:
        load_sidecar(doc)
    assert "ke-hoach.txt.meta.yaml" in str(error.value) and "YAML" in str(error.value)


def test_sidecar_wrong_value_type(doc):
    _sidecar(doc, "years_planned: năm sau\n")
    with pytest.raises(DocumentError) as error:
        load_sidecar(doc)
    assert "ke-hoach.txt.meta.yaml" in str(error.value) and "years_planned" in str(error.value)


def test_sidecar_must_be_a_mapping(doc):
    _sidecar(doc, "- title\n- issuer\n")
    with pytest.raises(DocumentError) as error:
        load_sidecar(doc)
    assert "ke-hoach.txt.meta.yaml" in str(error.value)


# --- small synthetic headers -----------------------------------------------------------


def test_header_with_parent_and_agency_takes_the_agency():
    text = (
        "UBND TỈNH TRÀ VINH\nSỞ KẾ HOẠCH VÀ ĐẦU TƯ\n\nSố: 1045/SKHĐT-THKTKG\n"
        "V/v đánh giá kết quả thực hiện Kế hoạch năm 2023\n\nTrà Vinh, ngày 06 tháng 6 năm 2023\n\n"
        "Kính gửi: Các sở, ban, ngành tỉnh\n"
    )
    meta = extract_metadata(text, "cong-van.txt")
    assert meta.issuer == "Sở Kế hoạch và Đầu tư"
    assert meta.doc_type == "Công văn"
    assert meta.number == "1045/SKHĐT-THKTKG"
    assert meta.issued_date == "2023-06-06"
    assert meta.province == "Trà Vinh"


def test_mixed_report_and_plan_title():
    text = (
        "BÁO CÁO\n"
        "Tình hình thực hiện nhiệm vụ năm 2023 và kế hoạch năm 2024\n\n"
        "Sở Thông tin và Truyền thông tỉnh Tiền Giang báo cáo như sau:\n"
    )
    meta = extract_metadata(text, "bc.txt")
    assert meta.doc_type == "Báo cáo"
    assert meta.years_reported == [2023] and meta.years_planned == [2024]
    assert meta.issuer == "Sở Thông tin và Truyền thông tỉnh Tiền Giang"
    assert meta.province == "Tiền Giang"


def test_no_header_no_type_falls_back_to_file_name():
    meta = extract_metadata("Một đoạn văn bản không có tiêu đề.\n", "tai-lieu-tham-khao.txt")
    assert meta.title == "Tai lieu tham khao"
    assert meta.doc_type is None and meta.number is None and meta.issued_date is None


def test_agency_header_in_capitals_is_spelled_as_usual():
    text = (
        "UBND TỈNH TRÀ VINH\nSỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI\n\nSố: 88/BC-SLĐTBXH\n\n"
        "Trà Vinh, ngày    tháng    năm 2023\n\nBÁO CÁO\n"
        "Kết quả chuyển đổi số năm 2023\n\nI. KẾT QUẢ THỰC HIỆN NĂM 2023\n\nNội dung.\n"
    )
    meta = extract_metadata(text, "bc.txt")
    assert meta.issuer == "Sở Lao động - Thương binh và Xã hội"
    assert meta.number == "88/BC-SLĐTBXH"
    assert meta.issued_date == "2023"  # day and month left blank
    assert meta.title == "Báo cáo Kết quả chuyển đổi số năm 2023"
    assert meta.years_reported == [2023] and meta.years_planned == []


def test_decision_title_in_capitals_is_not_an_issuer_and_dates_are_not_years():
    text = (
        "Số: 15/QĐ-UBND\n\nCần Thơ, ngày 05 tháng 01 năm 2024\n\nQUYẾT ĐỊNH\n"
        "Sửa đổi Quyết định số 10/QĐ-UBND ngày 20 tháng 3 năm 2020\n\n"
        "BAN HÀNH KÈM THEO\n\nCăn cứ Luật Tổ chức chính quyền địa phương;\n"
    )
    meta = extract_metadata(text, "qd.txt")
    assert meta.doc_type == "Quyết định"
    assert meta.issuer is None
    assert meta.province == "Cần Thơ"  # no "tỉnh X" mention: the place-date line decides
    assert meta.issued_date == "2024-01-05"
    assert meta.years_planned == [] and meta.years_reported == []
