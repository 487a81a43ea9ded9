"""Text normalization: NFC, white space, and repair of PDF line-wrap damage.

The normalized text is what every chunk and citation offset points into, so it is computed
once per document and stored with the index.
"""

from __future__ import annotations

import re
import unicodedata

#: A line that opens a new structural unit; never glued onto the line before it.
STRUCTURE_START = re.compile(
    r"""^(
        (PHẦN|Phần|PHỤ\s+LỤC|Phụ\s+lục)\b
      | (Điều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC)\s+[IVXLC\d]+\b
      | [IVXLC]+\s*[.\-–)]\s          # I. / II- / III)
      | \d+(\.\d+)*\.\s               # 1. / 1.1.
      | \d\.\d{1,2}\s+[A-ZĐ]           # 1.1 Heading
      | [a-zđ][)\.]\s                 # a) / b.
      | [-+•*–]\s | -(?=\d)           # bullets
      | \(\d+\)\s
    )""",
    re.VERBOSE,
)
_TERMINAL = re.compile(r"([.!?;:…]|\./\.)[\"”’)\]]*$")
_SPACES = re.compile(r"[ \u00a0\u2007\u202f\u200b]+")
#: Words a sentence cannot end on: a line ending with one was cut by the page margin.
_CONNECTORS = frozenset(
    "của và các những về với cho tại trong theo là được có để từ đến trên số ngày năm tháng "
    "Sở Bộ Ban Ủy Cổng Hệ Trung Nghị Quyết Kế Chương Luật Phòng UBND HĐND".split()
)


def normalize_text(raw: str) -> str:
    """NFC, unified line ends, collapsed spaces, and line-wrap repair where the text needs it.

    Paragraphs come out separated by one blank line; table rows (tab-separated) stay one per
    line, consecutive rows of a table without blank lines between them.
    """
    text = unicodedata.normalize("NFC", raw).replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_clean_line(line) for line in text.split("\n")]
    if is_wrap_damaged(lines):
        return "\n\n".join(_join_wrapped(lines))
    return _collapse_blank_lines(lines)


def _clean_line(line: str) -> str:
    indent = len(line) - len(line.lstrip(" \u00a0"))
    body = _SPACES.sub(" ", line).strip(" ")
    body = body.rstrip()
    if "\t" in body:  # a table row: keep its cells, drop trailing empties
        body = "\t".join(cell.strip() for cell in body.split("\t")).rstrip("\t")
    # Keep one leading space as an indentation marker; removed after wrap repair.
    return (" " + body) if indent and body else body


def _collapse_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    blank = False
    for line in lines:
        line = line.strip(" ")
        if not line.strip():
            blank = bool(out)
            continue
        if blank:
            out.append("")
        out.append(line)
        blank = False
    return "\n".join(out)


def is_wrap_damaged(lines: list[str]) -> bool:
    """True when many lines stop mid-sentence and the next non-blank line continues it."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if len(content) < 10:
        return False
    broken = 0
    for a, b in zip(content, content[1:]):
        first, nxt = lines[a].strip(), lines[b].strip()
        if b - a >= 2 and not _TERMINAL.search(first) and nxt[:1].islower():
            broken += 1
    return broken / len(content) > 0.15


def _join_wrapped(lines: list[str]) -> list[str]:
    """Glue the pieces of each broken sentence back together; keep real breaks."""
    content = [line for line in lines if line.strip()]
    if not content:
        return []
    width = sorted(len(line.strip()) for line in content)[int(len(content) * 0.9)]
    groups: list[list[str]] = []  # the pieces of each paragraph, joined once at the end (linear)
    last_piece = ""
    in_header = True  # before the first heading: title lines stand alone
    for line in content:
        indented = line.startswith(" ")
        piece = line.strip()
        if groups and _continues(last_piece, piece, width, indented, in_header):
            groups[-1].append(piece)
        else:
            groups.append([piece])
        if STRUCTURE_START.match(piece):
            in_header = False
        last_piece = piece
    return [" ".join(group) for group in groups]


def _continues(last: str, nxt: str, width: int, indented: bool, in_header: bool) -> bool:
    """Does ``nxt`` continue the sentence whose last physical line was ``last``?

    Vietnamese administrative prose ends its paragraphs with punctuation; a line without it
    is a heading, a title, or a sentence the page margin cut.
    """
    if "\t" in last or "\t" in nxt or STRUCTURE_START.match(nxt) or _TERMINAL.search(last):
        return False
    if nxt[:1].islower() or nxt[:1] in '(“"':
        return True
    if last.rsplit(" ", 1)[-1] in _CONNECTORS:
        return True
    if is_upper(last) or is_upper(nxt):
        return is_upper(last) and is_upper(nxt)  # a heading broken over two lines
    if indented or in_header:
        return False
    if STRUCTURE_START.match(last):  # a short numbered heading stands alone
        return len(last) >= 0.75 * width
    return True


def is_upper(line: str) -> bool:
    """True for a line written in capitals (a heading), Vietnamese letters included."""
    return line.upper() == line and any(ch.isalpha() for ch in line)


def strip_markup(line: str) -> str:
    """A line without Markdown emphasis and heading marks."""
    return line.replace("**", "").strip("#* \t")
