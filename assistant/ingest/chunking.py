"""Cut a normalized document into passages along its administrative structure.

Recognises PHẦN / Phần thứ …, Phụ lục, Điều, Roman-numeral sections (``I.``, ``II-``), numbered
items (``1.``, ``1.1.``), lettered items (``a)``), bullets and tab-separated table rows. Every
chunk is a contiguous span of the document text; sentences are never cut, and a table row always
travels with its table's header row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.ingest.normalize import STRUCTURE_START
from assistant.models import Chunk, Document

CHUNKER_VERSION = "structure-v3"

_PART = re.compile(r"^(PHẦN|Phần|PHỤ\s+LỤC|Phụ\s+lục|CHƯƠNG|Chương)\b")
_ROMAN = re.compile(r"^([IVXLC]+)\s*[.\-–)]\s")
_ARTICLE = re.compile(r"^(Điều|ĐIỀU|Mục|MỤC)\s+[IVXLC\d]+\b")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)(\.\s|\s+(?=[A-ZĐÀ-Ỹ]))")
_LETTERED = re.compile(r"^[a-zđ]\)\s")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[A-ZĐÀ-Ỹ0-9\-+(“\"])")
#: "1." "a." "TP." "Tr." before a split point: a marker or an abbreviation, not a sentence end.
_NOT_A_SENTENCE_END = re.compile(r"(^|\s)(\d+(\.\d+)*|[A-Za-zĐđ]{1,3})\.[\"”’)]*$")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
_YEAR = re.compile(r"(?<![\d/.,])(19[89]\d|20[0-4]\d)(?![\d/])")
_MARKER = re.compile(r"^([IVXLC]+\s*[.\-–)]|\d+(\.\d+)*\.?|[a-zđ]\)|(Điều|Mục)\s+\d+\.?)\s*")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s")
_TABLE_GROUP = re.compile(r"^([IVXLC]+|\d+|[a-zđ]\)?)$")

ROOT_SECTION = ""


@dataclass
class _Line:
    start: int
    end: int
    text: str


def chunk_document(doc: Document, *, max_chars: int = 700) -> list[Chunk]:
    """Split ``doc.text`` into structure-aware chunks (offsets point into ``doc.text``)."""
    builder = _Builder(doc, max_chars)
    lines = _lines(doc.text)
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line.text:
            j = i
            while j < len(lines) and "\t" in lines[j].text:
                j += 1
            builder.table(lines[i:j])
            i = j
            continue
        if _FOOTNOTE.match(line.text):  # a footnote stands alone, under the current section
            builder.flush()
            builder.content(line)
            builder.flush()
            i += 1
            continue
        level = heading_level(line.text)
        if level is not None and _is_heading_only(line.text):
            label = line.text
            i += 1
            if level == 0:  # title lines under PHẦN / PHỤ LỤC belong to its label
                while i < len(lines) and _is_title_line(lines[i].text):
                    label = f"{label} {lines[i].text}"
                    i += 1
            builder.heading(level, label, start=line.start)
            continue
        if level is not None:  # a numbered item that holds its own content
            builder.heading(level, _lead(line.text))
        builder.content(line)
        i += 1
    builder.flush()
    return builder.chunks


def heading_level(text: str) -> int | None:
    """Depth of a structural heading line (0 = part/appendix), or None for body text."""
    if _PART.match(text):
        return 0
    if _ROMAN.match(text) or _ARTICLE.match(text):
        return 1
    m = _NUMBERED.match(text)
    if m:
        return 1 + m.group(1).count(".") + 1
    if _LETTERED.match(text):
        return 6
    return None


def _is_heading_only(text: str) -> bool:
    body = _MARKER.sub("", text, count=1)
    return len(text) <= 160 and not re.search(r"[.;]\s+\S", body) and not body.endswith((".", ";"))


def _is_title_line(text: str) -> bool:
    return (
        len(text) <= 140 and "\t" not in text and not STRUCTURE_START.match(text) and not text.endswith((".", ";", ":"))
    )


def _lead(text: str) -> str:
    """A short label for a numbered item that carries content: its words up to ':'."""
    head = text.split(":", 1)[0]
    return head if len(head) <= 90 else head[:80].rsplit(" ", 1)[0] + "…"


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with offsets; a sentence split over two lines becomes one line."""
    out: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            line = _Line(pos, pos + len(raw), raw)
            prev = out[-1] if out else None
            if prev and _continues(prev.text, raw):
                out[-1] = _Line(prev.start, line.end, text[prev.start : line.end])
            else:
                out.append(line)
        pos += len(raw) + 1
    return out


def _continues(prev: str, nxt: str) -> bool:
    """A line cut mid-sentence (e.g. by a footnote block) and its continuation."""
    if "\t" in prev or "\t" in nxt or _FOOTNOTE.match(prev) or _FOOTNOTE.match(nxt):
        return False
    if heading_level(prev) is not None and len(prev) < 160:
        return False
    if re.search(r"[.;:!?…)\"”*]$", prev) or STRUCTURE_START.match(nxt):
        return False
    return bool(re.match(r"[a-zà-ỹđ0-9]", nxt)) and not _looks_upper(nxt)


def _looks_upper(text: str) -> bool:
    return text.upper() == text


class _Builder:
    def __init__(self, doc: Document, max_chars: int) -> None:
        self.doc = doc
        self.max_chars = max_chars
        self.stack: list[tuple[int, str]] = []
        self.pending: list[_Line] = []
        self.chunks: list[Chunk] = []
        self.heading_start: int | None = None  # first heading line not yet inside a chunk

    # --- structure ---------------------------------------------------------
    def heading(self, level: int, label: str, start: int | None = None) -> None:
        """Open a section; a heading-only line's text joins the span of the next chunk."""
        self.flush()
        if start is not None and self.heading_start is None:
            self.heading_start = start
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, _shorten(label)))

    @property
    def section(self) -> str:
        return " › ".join(label for _, label in self.stack)

    # --- prose -------------------------------------------------------------
    def content(self, line: _Line) -> None:
        for piece in _split_long(line, self.max_chars):
            size = sum(p.end - p.start for p in self.pending)
            if self.pending and size + (piece.end - piece.start) > self.max_chars:
                self.flush()
            self.pending.append(piece)

    def flush(self) -> None:
        if self.pending:
            start = self.pending[0].start
            if self.heading_start is not None:
                start = self.heading_start
                self.heading_start = None
            self._emit(start, self.pending[-1].end, "text")
            self.pending = []

    # --- tables ------------------------------------------------------------
    def table(self, rows: list[_Line]) -> None:
        self.flush()
        self.heading_start = None  # table rows carry their section path instead
        header = _header_of(rows)
        base_depth = len(self.stack)
        last: Chunk | None = None
        for row in rows:
            cells = row.text.split("\t")
            if header is not None and row.text == header:
                continue  # the header, or its repetition after a page break
            first = cells[0].strip()
            filled = [c for c in cells[1:] if c.strip()]
            if not first and last is not None:  # a row broken by a page break
                last = self._extend(last, row.end)
                continue
            if _TABLE_GROUP.match(first) and len(filled) <= 1 and header is not None:
                level = 20 if re.match(r"^[IVXLC]+$", first) else 21
                while len(self.stack) > base_depth and self.stack[-1][0] >= level:
                    self.stack.pop()
                self.stack.append((level, _shorten(f"{first} {' '.join(filled)}".strip())))
                continue
            last = self._emit(row.start, row.end, "table", header=header)
        while len(self.stack) > base_depth:
            self.stack.pop()

    def _extend(self, chunk: Chunk, end: int) -> Chunk:
        new = self._make(chunk.start, end, chunk.kind, chunk.header, chunk.section)
        self.chunks[-1] = new
        return new

    # --- output ------------------------------------------------------------
    def _emit(self, start: int, end: int, kind: str, header: str | None = None) -> Chunk:
        chunk = self._make(start, end, kind, header, self.section)
        self.chunks.append(chunk)
        return chunk

    def _make(self, start: int, end: int, kind: str, header: str | None, section: str) -> Chunk:
        text = self.doc.text[start:end]
        digest = hashlib.sha1(f"{self.doc.id}\0{start}\0{end}\0{text}".encode()).hexdigest()[:16]
        years = sorted({int(y) for y in _YEAR.findall(f"{section}\n{text}")})
        return Chunk(
            id=digest,
            document=self.doc.id,
            title=self.doc.title,
            section=section,
            start=start,
            end=end,
            text=text,
            kind=kind,
            header=header,
            province=self.doc.metadata.province,
            years=years,
        )


def _header_of(rows: list[_Line]) -> str | None:
    first = rows[0].text
    cell = first.split("\t")[0].strip().lower().rstrip(".")
    if cell in {"tt", "stt", "số tt", "số thứ tự"} or not re.search(r"\d", first):
        return first
    return None


def _split_long(line: _Line, max_chars: int) -> list[_Line]:
    """Split a long paragraph at sentence ends (at ';' only for very long sentences)."""
    if line.end - line.start <= max_chars:
        return [line]
    pieces = _split_at(line, _SENTENCE_END)
    out: list[_Line] = []
    for piece in pieces:
        if piece.end - piece.start > 2 * max_chars:
            out.extend(_split_at(piece, _CLAUSE_END))
        else:
            out.append(piece)
    return _pack(out, max_chars)


def _split_at(line: _Line, pattern: re.Pattern[str]) -> list[_Line]:
    out, pos = [], 0
    for m in pattern.finditer(line.text):
        if _NOT_A_SENTENCE_END.search(line.text, 0, m.start()):
            continue
        out.append(_Line(line.start + pos, line.start + m.start(), line.text[pos : m.start()]))
        pos = m.end()
    out.append(_Line(line.start + pos, line.end, line.text[pos:]))
    return [p for p in out if p.text.strip()]


def _pack(pieces: list[_Line], max_chars: int) -> list[_Line]:
    """Greedily merge consecutive sentences up to ``max_chars`` (spans stay contiguous)."""
    out: list[_Line] = []
    for p in pieces:
        if out and p.end - out[-1].start <= max_chars:
            prev = out[-1]
            out[-1] = _Line(prev.start, p.end, "")
        else:
            out.append(p)
    return out


def _shorten(label: str, limit: int = 90) -> str:
    label = " ".join(label.replace("*", "").split())
    return label if len(label) <= limit else label[: limit - 1].rsplit(" ", 1)[0] + "…"
