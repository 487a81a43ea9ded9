"""The `assistant` command as a user meets it: Vietnamese usage errors, meaningless questions refused
without a traceback, file names and titles printed escaped, readable JSON."""

from __future__ import annotations

import io
import json
import shutil
import sys

import pytest

from assistant.cli import main
from assistant.indexing.builder import build_index
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

REAL = "tra-vinh-ke-hoach-ktxh-tttt-2024.txt"
#: A title holding a right-to-left override: printed raw it would reverse what follows.
RTL_DOC = "ke-hoach-rtl.txt"
RTL_TEXT = (
    "KẾ HOẠCH\nChuyển đổi số tỉnh Bến Tre \u202enăm 2025\n\nI. KẾT QUẢ \u202eĐẠT ĐƯỢC\n\n"
    "1. Toàn tỉnh có 77 điểm phát sóng wifi công cộng.\n"
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "documents").mkdir()
    shutil.copy(DOCUMENTS / REAL, root / "documents" / REAL)
    (root / "documents" / RTL_DOC).write_text(RTL_TEXT, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return root


@pytest.fixture
def env(data_dir, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "hashing")
    return data_dir


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


ENGLISH = ("Usage", "Error", "Invalid", "Missing", "No such", "Try ", "Got unexpected", "Traceback")


@pytest.mark.parametrize(
    "argv, expected",
    [
        (
            ["ask", "Có bao nhiêu trạm BTS?", "--mode", "foo"],
            "'foo' không phải một chế độ trả lời; chọn một trong: default, llm",
        ),
        (["search"], "Thiếu đối số QUERY"),
        (["serch", "trạm"], "Không có lệnh 'serch'. Có phải ý bạn là 'search'"),
        (["search", "trạm", "-k", "abc"], "Giá trị không hợp lệ cho -k: 'abc' không phải một số nguyên"),
        (["search", "trạm", "-k", "500"], "500 lớn hơn giới hạn trên 100"),
        (["search", "trạm", "-k", "0"], "0 nhỏ hơn giới hạn dưới 1"),
        (["search", "trạm", "--jsn"], "Không có tùy chọn --jsn. Có phải ý bạn là: --json?"),
        (["search", "trạm", "-k"], "Tùy chọn -k cần một giá trị"),
        (["index", "--quiet=3"], "Tùy chọn --quiet không nhận giá trị"),
        (["ask", "trạm", "BTS"], "Thừa đối số: BTS"),
        (["search", "trạm", "--year", "năm-ngoái"], "Giá trị không hợp lệ cho --year"),
    ],
)
def test_usage_errors_are_vietnamese(capsys, tmp_path, monkeypatch, argv, expected):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))  # no index: the usage check comes first
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert expected in err, err
    assert err.startswith("Lỗi: ") and not any(word in err for word in ENGLISH), err


def test_mode_is_checked_before_anything_loads(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    code, _, err = run(capsys, "ask", "Có bao nhiêu trạm BTS?", "--mode", "LLM")
    assert code == 2 and "chế độ trả lời" in err and "Chưa có chỉ mục" not in err


MEANINGLESS = ["???", "🙂🙂🙂", "...", "\u200b\u200b", "\u202e\u202c", "\t\n", "!!! ??? …", "\x00\x1b"]


@pytest.mark.parametrize("question", MEANINGLESS)
@pytest.mark.parametrize("command", ["ask", "search"])
def test_meaningless_questions_get_the_empty_question_message(env, capsys, command, question):
    code, out, err = run(capsys, command, question)
    assert code == 2 and out == ""
    assert err.startswith("Lỗi: Câu hỏi đang trống") and "Hãy nhập câu hỏi" in err
    assert "Traceback" not in err


def test_chat_refuses_meaningless_questions_and_goes_on(env, capsys, monkeypatch):
    lines = MEANINGLESS[:4] + ["Toàn tỉnh có bao nhiêu điểm phát sóng wifi công cộng?", "thoát"]
    code, out, err = run(capsys, "chat", stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch)
    assert code == 0
    assert out.count("Lỗi: Câu hỏi đang trống") == 4
    assert "77" in out.split("Lỗi: Câu hỏi đang trống")[-1]  # answered after the refusals


def test_titles_are_printed_escaped(env, capsys):
    for argv in (["search", "điểm phát sóng wifi công cộng", "-k", "3"], ["ask", "Có bao nhiêu điểm phát sóng wifi?"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert "\u202e" not in out and "\\u202e" in out


@pytest.mark.parametrize("command", ["search", "ask"])
def test_json_keeps_vietnamese_readable(env, capsys, command):
    code, out, _ = run(capsys, command, "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?", "--json")
    assert code == 0
    assert "\\u" not in out.replace("\\u202e", "")  # only the unsafe override is escaped
    assert "trạm" in out and "Trà Vinh" in out
    data = json.loads(out)
    rows = data if command == "search" else data["citations"]
    assert rows and all("document" in row for row in rows)


def test_json_escapes_a_right_to_left_override_and_stays_valid(env, capsys):
    code, out, _ = run(capsys, "search", "điểm phát sóng wifi công cộng", "-k", "2", "--json")
    assert code == 0 and "\u202e" not in out and "\\u202e" in out
    assert any("\u202eĐẠT ĐƯỢC" in row["section"] for row in json.loads(out))


def test_index_log_escapes_file_names(tmp_path, capsys, monkeypatch):
    docs = tmp_path / "documents"
    docs.mkdir()
    shutil.copy(DOCUMENTS / REAL, docs / REAL)
    bad = "bao\tcao\u202etxt.exe\n.txt"
    (docs / bad).write_text("Báo cáo năm 2024.", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "hashing")
    code, out, err = run(capsys, "index", "--quiet")
    assert code == 0 and "1 tài liệu" in out
    assert "Bỏ qua bao\\tcao\\u202etxt.exe\\n.txt" in err and "ký tự điều khiển hoặc ký tự ẩn" in err
    assert "\t" not in err and "\u202e" not in err
