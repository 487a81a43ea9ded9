from assistant.vietnamese.abbreviations import mine_pairs
from assistant.vietnamese.text import fold
from assistant.vietnamese.tokens import Tokenizer


def test_fold_strips_diacritics():
    assert fold("Chuyển đổi số Đồng Tháp") == "Chuyen doi so Dong Thap"


def test_tokens_match_with_and_without_diacritics():
    tok = Tokenizer()
    doc = set(tok("1.222 trạm thu, phát sóng thông tin di động (BTS)"))
    plain = set(tok("so tram bts"))
    assert {"tram", "bts"} <= doc & plain
    assert "1.222" in doc


def test_abbreviations_expand_both_ways():
    tok = Tokenizer()
    assert {"công", "nghệ", "thông", "tin"} <= set(tok("ứng dụng CNTT"))
    assert "cntt" in tok("ứng dụng công nghệ thông tin")
    assert "tthc" in tok("giải quyết thủ tục hành chính")


def test_mined_pairs_from_document_text():
    text = "nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSPX) và Trung tâm điều hành thông minh (IOCX)"
    pairs = mine_pairs(text)
    assert pairs["IOCX"].endswith("trung tâm điều hành thông minh")
    tok = Tokenizer(pairs)
    assert "iocx" in tok("Trung tâm điều hành thông minh của tỉnh")


def test_bigrams_present():
    assert "tram_bts" in Tokenizer()("trạm BTS")


def test_pyvi_word_segmentation_option():
    tokens = Tokenizer(segmenter="pyvi")("Ứng dụng công nghệ thông tin tại Trà Vinh")
    assert "công_nghệ" in tokens and "cong_nghe" in tokens  # words, and their folded forms
