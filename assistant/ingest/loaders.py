"""Reading documents from disk: raw text out of .txt/.md/.docx/.pdf, and safe path handling.

The text returned here is only decoded; NFC and line-wrap repair belong to ``normalize``.
Every failure is a :class:`DocumentError` whose Vietnamese message names the file (escaped for
the terminal, see :func:`assistant.errors.shown`) and says why. Reading is bounded by
:class:`ReadLimits`: file size for every format, unpacked size, paragraphs and XML elements for .docx.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from assistant.errors import DocumentError, shown
from assistant.ingest.limits import ReadLimits, check_docx_package, check_file_size

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
SIDECAR_SUFFIX = ".meta.yaml"

_SUPPORTED_LIST = ", ".join(SUPPORTED_SUFFIXES)
_RESAVE_HINT = "Hãy kiểm tra tệp hoặc lưu lại dưới dạng .docx/.pdf/.txt."


def read_document(path: Path, limits: ReadLimits = ReadLimits()) -> str:
    """Return the text of one document, decoded but otherwise untouched."""
    path = Path(path)
    check_document_name(path.name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _unsupported(path)
    if not path.is_file():
        raise DocumentError(
            f"Không tìm thấy tệp {shown(path.name)}.", hint="Hãy kiểm tra tên tệp trong thư mục documents/."
        )
    try:
        check_file_size(path, path.stat().st_size, limits)
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)  # a file that grew since stat() is still bounded
    except OSError as exc:
        raise _unreadable(path, f"không mở được tệp ({exc.strerror or exc})") from exc
    check_file_size(path, len(data), limits)
    if not data.strip():
        raise _unreadable(path, "tệp rỗng")
    if suffix in (".txt", ".md"):
        text = _decode_text(path, data)
    elif suffix == ".docx":
        check_docx_package(path, limits)
        text = _read_docx(path)
    else:
        text = _read_pdf(path, data)
    if not text.strip():
        raise _unreadable(path, "tệp không có nội dung văn bản")
    return text


#: Never in a document's name: controls (tab, newline, NUL …), invisible format characters
#: (bidi overrides, zero-width), line separators, and undecodable bytes.
_BAD_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def check_document_name(name: str) -> None:
    """Refuse a file name that would print misleadingly (a tab, a newline, a right-to-left override …)."""
    bad = sorted({ch for ch in name if unicodedata.category(ch) in _BAD_NAME_CATEGORIES})
    if bad:
        raise DocumentError(
            f"Bỏ qua tệp {shown(name)}: tên tệp chứa ký tự điều khiển hoặc ký tự ẩn ({shown(''.join(bad))}).",
            hint="Hãy đổi tên tệp, chỉ dùng chữ, chữ số, dấu cách, dấu gạch ngang và dấu chấm.",
        )


def resolve_document_path(documents_dir: Path, name: str, *, must_exist: bool = True) -> Path:
    """Turn a user-given document name into a path that is surely inside ``documents_dir``."""
    shown_name = shown(name) if isinstance(name, str) else shown(repr(name))
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        raise _bad_path(shown_name, "tên tệp trống hoặc có ký tự không hợp lệ")
    if any(unicodedata.category(ch) in _BAD_NAME_CATEGORIES for ch in name):
        raise _bad_path(shown_name, "tên tệp chứa ký tự điều khiển hoặc ký tự ẩn")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith(("/", "\\")):
        raise _bad_path(shown_name, "không dùng đường dẫn tuyệt đối")
    parts = windows.parts  # splits on both "/" and "\\"
    if any(part == ".." for part in parts):
        raise _bad_path(shown_name, "không dùng '..'")
    if any(part.startswith(".") or part.startswith("~$") for part in parts):
        raise _bad_path(shown_name, "không dùng tệp ẩn hoặc tệp tạm")
    if name.lower().endswith(SIDECAR_SUFFIX) or windows.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise _bad_path(shown_name, f"chỉ hỗ trợ các định dạng {_SUPPORTED_LIST}")
    root = Path(documents_dir).resolve()
    candidate = (root.joinpath(*parts)).resolve()
    if not candidate.is_relative_to(root) or candidate == root:
        raise _bad_path(shown_name, "tệp nằm ngoài thư mục documents/")
    if must_exist and not candidate.is_file():
        raise DocumentError(
            f"Không tìm thấy tệp {shown_name} trong thư mục documents/.",
            hint="Hãy kiểm tra lại tên tệp (kể cả phần đuôi như .txt, .docx, .pdf).",
        )
    return candidate


def iter_document_paths(documents_dir: Path) -> list[Path]:
    """Supported documents directly inside ``documents_dir``, sorted by file name."""
    root = Path(documents_dir)
    if not root.is_dir():
        raise DocumentError(
            f"Không tìm thấy thư mục tài liệu {root}.",
            hint="Hãy tạo thư mục documents/ và đặt các tệp tài liệu vào đó.",
        )
    resolved_root = root.resolve()
    found = []
    for path in root.iterdir():
        name = path.name
        if name.startswith((".", "~$")) or name.lower().endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or not path.is_file():
            continue
        if not path.resolve().is_relative_to(resolved_root):  # a symlink leading outside
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.name)


# --- formats ---------------------------------------------------------------------------


def _decode_text(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(
            f"Tệp {shown(path.name)} được mã hóa UTF-16, không phải UTF-8.",
            hint="Hãy mở tệp và lưu lại với mã hóa UTF-8 (Notepad: Lưu thành… → Mã hóa: UTF-8).",
        )
    if b"\x00" in data[:65536]:
        raise _unreadable(path, "tệp nhị phân chứ không phải văn bản (có thể là tệp khác bị đổi đuôi)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"Tệp {shown(path.name)} không được mã hóa UTF-8 (byte lỗi ở vị trí {exc.start}).",
            hint="Hãy mở tệp và lưu lại với mã hóa UTF-8 (ví dụ trong Notepad: Lưu thành… → "
            "Mã hóa: UTF-8), hoặc chuyển bằng lệnh: iconv -f CP1258 -t UTF-8 tệp_cũ > tệp_mới.",
        ) from exc


def _read_docx(path: Path) -> str:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                text = Paragraph(child, document).text.strip()
                if text:
                    blocks.append(text)
            elif tag == "tbl":
                rows = _table_rows(Table(child, document))
                if rows:
                    blocks.append("\n".join(rows))
    except Exception as exc:  # bad zip, missing parts, broken XML: all mean "unreadable"
        raise _unreadable(path, f"tệp Word bị hỏng hoặc không phải .docx ({type(exc).__name__})") from exc
    return "\n\n".join(blocks)


def _table_rows(table) -> list[str]:
    """One line per row: cell texts joined by tabs, a merged cell written once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a horizontally merged cell repeats
                continue
            seen.append(cell._tc)
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _read_pdf(path: Path, data: bytes) -> str:
    from pypdf import PdfReader

    if not data.lstrip().startswith(b"%PDF-"):
        raise _unreadable(path, "tệp không phải PDF")
    if b"%%EOF" not in data[-2048:]:
        raise _unreadable(path, "tệp PDF bị cắt cụt hoặc hỏng (thiếu phần kết thúc)")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise DocumentError(
                f"Không đọc được tệp {shown(path.name)}: tệp PDF được bảo vệ bằng mật khẩu.",
                hint="Hãy bỏ mật khẩu rồi lưu lại tệp PDF, hoặc lưu dưới dạng .docx/.txt.",
            )
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:
        raise _unreadable(path, f"tệp PDF bị hỏng ({type(exc).__name__})") from exc
    if not any(pages):
        raise DocumentError(
            f"Không lấy được chữ từ tệp {shown(path.name)}: có thể đây là bản scan (ảnh chụp).",
            hint="Cần nhận dạng chữ (OCR) trước, rồi lưu kết quả dưới dạng .docx/.txt hoặc PDF có lớp chữ.",
        )
    return "\n\n".join(page for page in pages if page)


def _opens_without_password(reader) -> bool:
    """An encrypted PDF that only has an owner password opens with the empty user password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher (AES without the cryptography package) or a broken one
        return False


# --- messages --------------------------------------------------------------------------


def _unreadable(path: Path, reason: str) -> DocumentError:
    return DocumentError(f"Không đọc được tệp {shown(path.name)}: {reason}.", hint=_RESAVE_HINT)


def _unsupported(path: Path) -> DocumentError:
    return DocumentError(
        f"Không hỗ trợ định dạng '{shown(path.suffix) or '(không có đuôi)'}' của tệp {shown(path.name)}.",
        hint=f"Các định dạng được hỗ trợ: {_SUPPORTED_LIST}. Hãy lưu lại tệp dưới một trong các định dạng này.",
    )


def _bad_path(name: str, reason: str) -> DocumentError:
    return DocumentError(f"Đường dẫn không hợp lệ: {name} ({reason}); chỉ dùng tên tệp trong thư mục documents/.")
