"""Hostile files in documents/: each refused with a Vietnamese message naming the file (escaped) and
the reason, within bounded time and memory, leaving the index and the stored files unchanged."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from assistant.errors import DocumentError
from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.ingest.corpus import load_corpus
from assistant.ingest.limits import ReadLimits
from assistant.ingest.loaders import read_document, resolve_document_path
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

MB = 1_000_000


def _docx_parts() -> dict[str, bytes]:
    """The parts of a small real .docx written by python-docx."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Kế hoạch chuyển đổi số năm 2024.")
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_docx(path: Path, body: bytes | None = None, *, body_size: int = 0, filler: bytes = b" ") -> Path:
    """A .docx whose document.xml holds ``body`` (or ``body_size`` bytes of ``filler``) inside <w:body>,
    streamed into the zip a megabyte at a time (the bomb is never in memory)."""
    parts = _docx_parts()
    xml = parts.pop("word/document.xml")
    head, tail = xml.split(b"<w:body>", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("word/document.xml", "w") as stream:  # under 2 GiB: plain 32-bit sizes
            stream.write(head + b"<w:body>")
            if body is not None:
                stream.write(body)
            block = filler * (MB // len(filler))
            for _ in range(body_size // len(block)):
                stream.write(block)
            stream.write(tail)
    return path


def message(path: Path, limits: ReadLimits = ReadLimits()) -> str:
    with pytest.raises(DocumentError) as error:
        read_document(path, limits)
    text = str(error.value)
    assert path.name in text or "\\" in text, text  # names the file (escaped when it must be)
    return text


# --- .docx ---------------------------------------------------------------------------------


def test_docx_zip_bomb_is_refused_from_its_declared_size(tmp_path):
    path = write_docx(tmp_path / "bom-nen.docx", body_size=300 * MB)
    assert path.stat().st_size < 1 * MB  # 300 MB of content packed in well under 1 MB
    text = message(path)
    assert re.search(r"nội dung giải nén nặng 30\d,\d MB, vượt giới hạn 100,0 MB", text), text
    assert "tệp nén độc hại" in text and "ASSISTANT_DOCX_MAX_UNPACKED_BYTES" in text


def test_docx_of_many_tiny_paragraphs_is_refused_after_counting_a_bounded_prefix(tmp_path):
    path = write_docx(tmp_path / "doan-nho.docx", body_size=60 * MB, filler=b"<w:p/>")  # 10 million paragraphs
    limits = ReadLimits(docx_max_unpacked_bytes=200 * MB)
    text = message(path, limits)
    assert "tệp Word có hơn 100.000 đoạn văn" in text and "ASSISTANT_DOCX_MAX_PARAGRAPHS" in text


def test_docx_of_one_paragraph_with_countless_runs_is_refused(tmp_path):
    path = write_docx(tmp_path / "nhieu-run.docx", body_size=30 * MB, filler=b"<w:r><w:t>a</w:t></w:r>")
    text = message(path)
    assert "tệp Word có hơn 1.000.000 phần tử XML" in text


def test_docx_limits_come_from_settings(tmp_path):
    path = write_docx(tmp_path / "vua.docx", body="<w:p><w:r><w:t>Một</w:t></w:r></w:p>".encode() * 50)
    assert "Một" in read_document(path)
    limits = ReadLimits.from_settings(Settings(docx_max_paragraphs=20, _env_file=None))
    assert "hơn 20 đoạn văn" in message(path, limits)


def test_docx_whose_header_lies_about_its_size_is_refused_as_corrupt(tmp_path):
    path = write_docx(tmp_path / "noi-doi.docx", body_size=5 * MB)
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central and local headers
        at = data.find(sig)
        while at != -1:
            if _is_document_xml(data, at, sig):  # declare 1,000 bytes for 5 MB of content
                data[at + offset : at + offset + 4] = (1000).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    assert "tệp Word bị hỏng" in message(path)


def _is_document_xml(data: bytearray, at: int, sig: bytes) -> bool:
    name_len_at, name_at = (at + 28, at + 46) if sig == b"PK\x01\x02" else (at + 26, at + 30)
    length = int.from_bytes(data[name_len_at : name_len_at + 2], "little")
    return bytes(data[name_at : name_at + length]) == b"word/document.xml"


BOUNDED = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
    from assistant.errors import DocumentError
    from assistant.ingest.limits import ReadLimits
    from assistant.ingest.loaders import read_document
    t = time.perf_counter()
    try:
        read_document(sys.argv[1], ReadLimits(docx_max_unpacked_bytes=10**9))
        print("read")
    except DocumentError as exc:
        print("refused", round(time.perf_counter() - t, 1), exc)
    """
)


def test_docx_bombs_stay_within_memory_and_time(tmp_path):
    """In a child capped at 1.5 GB of address space: before the limits a 0.9 MB file took 5.3 GB."""
    for name, filler in (("p.docx", b"<w:p/>"), ("r.docx", b"<w:r><w:t>a</w:t></w:r>")):
        path = write_docx(tmp_path / name, body_size=300 * MB, filler=filler)
        done = subprocess.run(
            [sys.executable, "-c", BOUNDED, str(path)], capture_output=True, text=True, timeout=60, check=True
        )
        assert done.stdout.startswith("refused"), done.stdout + done.stderr
        assert "tệp Word có hơn" in done.stdout and "MemoryError" not in done.stdout, done.stdout
        assert float(done.stdout.split()[1]) < 20  # measured: about 1 s


# --- any file ------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "qua-lon.txt"
    with path.open("wb") as handle:
        handle.truncate(60 * MB)  # sparse: costs no disk
    text = message(path)
    assert "tệp nặng 60,0 MB, vượt giới hạn 50,0 MB" in text and "ASSISTANT_MAX_DOCUMENT_BYTES" in text
    assert "vượt giới hạn 0,0 MB" in message(path, ReadLimits(max_bytes=10))


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("anh.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512), "tệp nhị phân chứ không phải văn bản"),
        ("so-0.md", b"\x00" * 4096, "tệp nhị phân"),
        ("utf16.txt", "Kế hoạch năm 2024".encode("utf-16"), "UTF-16"),
        ("rong.txt", b"", "tệp rỗng"),
        ("trang.docx", b"   \n", "tệp rỗng"),
        ("hong.docx", b"PK\x03\x04" + os.urandom(2048), "tệp Word bị hỏng"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "bị cắt cụt"),
        ("rac.pdf", b"%PDF-1.7\n" + os.urandom(4096) + b"\n%%EOF\n", "Không đọc được tệp rac.pdf"),
        ("gia.pdf", "Không phải PDF".encode(), "tệp không phải PDF"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    assert reason in message(path)


def test_password_protected_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="mat-khau", owner_password="chu", algorithm="RC4-128")
    path = tmp_path / "mat-khau.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert "được bảo vệ bằng mật khẩu" in message(path)


BAD_NAMES = {
    "tab\tten.txt": "tab\\tten.txt",
    "dong\nmoi.txt": "dong\\nmoi.txt",
    "hoa-don\u202etxt.exe.txt": "hoa-don\\u202etxt.exe.txt",
    "an\u200bdanh.txt": "an\\u200bdanh.txt",
    "chuong\x07.txt": "chuong\\u0007.txt",
}


@pytest.mark.parametrize("name", list(BAD_NAMES))
def test_names_with_control_or_invisible_characters_are_refused_escaped(tmp_path, name):
    path = tmp_path / name
    path.write_text("Kế hoạch năm 2024.", encoding="utf-8")
    text = message(path)
    assert f"Bỏ qua tệp {BAD_NAMES[name]}: tên tệp chứa ký tự điều khiển hoặc ký tự ẩn" in text
    assert name not in text


def test_name_that_is_not_utf8_is_skipped_by_its_bytes(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "tot.txt").write_text("Kế hoạch năm 2024 của tỉnh.", encoding="utf-8")
    Path(os.fsdecode(os.fsencode(docs) + b"/b\xe1o-c\xe1o.txt")).write_bytes(b"Bao cao nam 2024.")  # Latin-1 name
    corpus = load_corpus(docs)
    assert [d.id for d in corpus.documents] == ["tot.txt"]
    assert corpus.skipped[0]["file"] == "b\\xe1o-c\\xe1o.txt"
    assert "Bỏ qua tệp b\\xe1o-c\\xe1o.txt" in corpus.skipped[0]["error"]
    json.dumps(corpus.skipped, ensure_ascii=False).encode("utf-8")  # storable in the manifest


@pytest.mark.parametrize(
    "name, shown",
    [
        ("../../etc/passwd", "../../etc/passwd"),
        ("..\\..\\windows\\win.ini", "..\\..\\windows\\win.ini"),
        ("bao-cao\x00.txt", "bao-cao\\u0000.txt"),
        ("bao\u202ecao.txt", "bao\\u202ecao.txt"),
        ("dong\nmoi.txt", "dong\\nmoi.txt"),
    ],
)
def test_user_given_names_that_escape_or_hide_are_refused_escaped(tmp_path, name, shown):
    with pytest.raises(DocumentError) as error:
        resolve_document_path(tmp_path, name)
    text = str(error.value)
    assert text.startswith(f"Đường dẫn không hợp lệ: {shown} (")
    assert "\x00" not in text and "\u202e" not in text and "\n" not in text


# --- the whole build -----------------------------------------------------------------------


def _digests(folder: Path) -> dict[bytes, str]:
    return {os.fsencode(p.name): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_hostile_files_leave_the_index_and_the_stored_files_unchanged(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    for name in ("tra-vinh-ke-hoach-ktxh-tttt-2024.txt", "tra-vinh-qd-2063-ung-dung-cntt-2020.txt"):
        shutil.copy(DOCUMENTS / name, docs / name)
    settings = Settings(data_dir=tmp_path, embedder="hashing", max_document_bytes=5 * MB, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    before = (IndexStore(settings.index_dir).current / "chunks.jsonl").read_bytes()

    write_docx(docs / "bom.docx", body_size=300 * MB)
    write_docx(docs / "doan.docx", body_size=2 * MB, filler=b"<w:p/>")
    (docs / "anh.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(256))
    (docs / "rong.txt").write_bytes(b"")
    (docs / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")
    with (docs / "lon.txt").open("wb") as handle:
        handle.truncate(6 * MB)
    (docs / "ten\u202eag.txt").write_text("Kế hoạch.", encoding="utf-8")
    (docs / "tab\tten.md").write_text("Kế hoạch.", encoding="utf-8")
    stored = _digests(docs)

    logs: list[str] = []
    report = build_index(settings, HashingEmbeddings(), progress=False, log=logs.append)
    assert report.status == "built" and report.documents == 2 and len(report.skipped) == 8
    assert (IndexStore(settings.index_dir).current / "chunks.jsonl").read_bytes() == before
    assert _digests(docs) == stored  # nothing moved, deleted or rewritten
    said = "\n".join(logs)
    for shown in ("bom.docx", "doan.docx", "anh.txt", "rong.txt", "cut.pdf", "lon.txt", "ten\\u202eag.txt"):
        assert f"Bỏ qua {shown}:" in said
    assert "tab\\tten.md" in said and "\u202e" not in said and "\t" not in said
    # unchanged files: the next build has nothing to do
    assert build_index(settings, HashingEmbeddings(), progress=False, log=logs.append).status == "up-to-date"
