"""Cut a normalized document into passages along its administrative structure.

Recognises PHẦN / Phần thứ …, Phụ lục, Điều, Roman-numeral sections (``I.``, ``II-``), numbered
items (``1.``, ``1.1.``), lettered items (``a)``), bullets and tab-separated table rows. Every
chunk is a contiguous span of the document text; sentences are never cut, and a table row always
travels with its table's header row.

Bounds, whatever the input: the work is linear in the size of the text, and every chunk spans at
most ``span_limit(max_chars)`` = 3 × ``max_chars`` characters (2,100 with the default 700). Prose
aims at ``max_chars``; a single sentence up to 2 × ``max_chars`` is kept whole, a longer one is cut
at ';', then between words, and a word longer than ``max_chars`` is cut where it must; heading lines
before a chunk join it only while the whole span stays within the limit. A table row longer than the
limit is cut between words, and a row broken by a page break is glued to the row before it only
while the two stay within the limit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.ingest.normalize import STRUCTURE_START
from assistant.models import Chunk, Document

CHUNKER_VERSION = "structure-v4"  # v4: linear, every chunk within span_limit

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
#: Characters a closed line may end with (a sentence, clause or quotation ends there).
_CLOSING = frozenset('.;:!?…)"”*')


def span_limit(max_chars: int) -> int:
    """The most characters any chunk spans: 3 × ``max_chars``."""
    return 3 * max_chars


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
            parts = [line.text]
            i += 1
            if level == 0:  # title lines under PHẦN / PHỤ LỤC belong to its label
                while i < len(lines) and _is_title_line(lines[i].text):
                    parts.append(lines[i].text)
                    i += 1
            builder.heading(level, " ".join(parts), start=line.start)
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
    """Non-blank lines with offsets; a sentence split over two lines becomes one line.

    Linear in the text: a joined line is tracked by its offsets and sliced once at the end.
    """
    spans: list[_Joined] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            end = pos + len(raw)
            prev = spans[-1] if spans else None
            if prev and prev.continued_by(text, raw):
                prev.extend(text, end)
            else:
                spans.append(_Joined(pos, end, "\t" in raw))
        pos += len(raw) + 1
    return [_Line(j.start, j.end, text[j.start : j.end]) for j in spans]


class _Joined:
    """A line being built from physical lines, with what ``_continues`` asks of it kept up to date."""

    __slots__ = ("start", "end", "first_end", "has_tab", "footnote")

    def __init__(self, start: int, end: int, has_tab: bool) -> None:
        self.start, self.end, self.first_end, self.has_tab = start, end, end, has_tab
        self.footnote: bool | None = None  # of the joined text; fixed once a second line joins

    def extend(self, text: str, end: int) -> None:
        if self.footnote is None:  # the pattern reaches at most one character past the first line
            self.footnote = bool(_FOOTNOTE.match(text[self.start : self.first_end + 1]))
        self.has_tab = self.has_tab or "\t" in text[self.end : end]
        self.end = end

    def continued_by(self, text: str, nxt: str) -> bool:
        """``_continues(text[start:end], nxt)``, without slicing a long joined line."""
        if self.footnote is None:  # a single physical line: short enough to look at whole
            return _continues(text[self.start : self.end], nxt)
        if self.has_tab or "\t" in nxt or self.footnote or _FOOTNOTE.match(nxt):
            return False
        if self.end - self.start < 160 and heading_level(text[self.start : self.end]) is not None:
            return False
        if text[self.end - 1] in _CLOSING or STRUCTURE_START.match(nxt):
            return False
        return bool(re.match(r"[a-zà-ỹđ0-9]", nxt)) and not _looks_upper(nxt)


def _continues(prev: str, nxt: str) -> bool:
    """A line cut mid-sentence (e.g. by a footnote block) and its continuation."""
    if "\t" in prev or "\t" in nxt or _FOOTNOTE.match(prev) or _FOOTNOTE.match(nxt):
        return False
    if len(prev) < 160 and heading_level(prev) is not None:
        return False
    if prev[-1:] in _CLOSING or STRUCTURE_START.match(nxt):
        return False
    return bool(re.match(r"[a-zà-ỹđ0-9]", nxt)) and not _looks_upper(nxt)


def _looks_upper(text: str) -> bool:
    return text.upper() == text


class _Builder:
    def __init__(self, doc: Document, max_chars: int) -> None:
        self.doc = doc
        self.max_chars = max_chars
        self.limit = span_limit(max_chars)
        self.stack: list[tuple[int, str]] = []
        self.pending: list[_Line] = []
        self.pending_size = 0  # characters of the pending pieces (the gaps between them not counted)
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
            size = piece.end - piece.start
            if self.pending and (
                self.pending_size + size > self.max_chars or piece.end - self._span_start() > self.limit
            ):
                self.flush()
            if self.heading_start is not None and piece.end - self.heading_start > self.limit:
                self.heading_start = None  # headings that long stay in the section path only
            self.pending.append(piece)
            self.pending_size += size

    def _span_start(self) -> int:
        return self.heading_start if self.heading_start is not None else self.pending[0].start

    def flush(self) -> None:
        if self.pending:
            start = self._span_start()
            self.heading_start = None
            self._emit(start, self.pending[-1].end, "text")
            self.pending = []
            self.pending_size = 0

    # --- tables ------------------------------------------------------------
    def table(self, rows: list[_Line]) -> None:
        self.flush()
        self.heading_start = None  # table rows carry their section path instead
        header = _header_of(rows)
        base_depth = len(self.stack)
        last: list | None = None  # [start, end, section] of the row chunk still open to a continuation
        for row in rows:
            cells = row.text.split("\t")
            if header is not None and row.text == header:
                continue  # the header, or its repetition after a page break
            first = cells[0].strip()
            filled = [c for c in cells[1:] if c.strip()]
            if not first and last is not None and row.end - last[0] <= self.limit:
                last[1] = row.end  # a row broken by a page break
                continue
            if _TABLE_GROUP.match(first) and len(filled) <= 1 and header is not None:
                level = 20 if re.match(r"^[IVXLC]+$", first) else 21
                while len(self.stack) > base_depth and self.stack[-1][0] >= level:
                    self.stack.pop()
                self.stack.append((level, _shorten(f"{first} {' '.join(filled)}".strip())))
                continue
            for piece in _split_words(row, self.limit) if row.end - row.start > self.limit else [row]:
                self._close_row(last, header)
                last = [piece.start, piece.end, self.section]
        self._close_row(last, header)
        while len(self.stack) > base_depth:
            self.stack.pop()

    def _close_row(self, row: list | None, header: str | None) -> None:
        if row is not None:
            self.chunks.append(self._make(row[0], row[1], "table", header, row[2]))

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
    """Split a long paragraph at sentence ends (at ';' only for very long sentences).

    Every piece returned spans at most 2 × ``max_chars``: a clause still longer is cut between
    words into pieces of at most ``max_chars``.
    """
    if line.end - line.start <= max_chars:
        return [line]
    pieces = _split_at(line, _SENTENCE_END)
    out: list[_Line] = []
    for piece in pieces:
        if piece.end - piece.start > 2 * max_chars:
            for clause in _split_at(piece, _CLAUSE_END):
                if clause.end - clause.start > 2 * max_chars:
                    out.extend(_split_words(clause, max_chars))
                else:
                    out.append(clause)
        else:
            out.append(piece)
    return _pack(out, max_chars)


def _split_at(line: _Line, pattern: re.Pattern[str]) -> list[_Line]:
    out, pos = [], 0
    for m in pattern.finditer(line.text):
        # The exception pattern ends at m.start() and holds no white space after its first
        # character, so it is searched from the white space before the last word only.
        word = m.start()
        while word > 0 and not line.text[word - 1].isspace():
            word -= 1
        if _NOT_A_SENTENCE_END.search(line.text, max(word - 1, 0), m.start()):
            continue
        out.append(_Line(line.start + pos, line.start + m.start(), line.text[pos : m.start()]))
        pos = m.end()
    out.append(_Line(line.start + pos, line.end, line.text[pos:]))
    return [p for p in out if p.text.strip()]


def _split_words(line: _Line, max_chars: int) -> list[_Line]:
    """Cut a span between words into pieces of at most ``max_chars`` (a longer word is cut)."""
    out: list[_Line] = []
    text, base = line.text, line.start
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        end = min(pos + max_chars, n)
        if end < n and not text[end].isspace():
            cut = end
            while cut > pos and not text[cut - 1].isspace():
                cut -= 1
            if cut > pos:
                end = cut
        piece = text[pos:end].rstrip()
        out.append(_Line(base + pos, base + pos + len(piece), piece))
        pos = end
    return out


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
