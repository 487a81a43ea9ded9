"""What reading one document may cost, and the checks that hold a hostile file to it.

A .docx is a zip of XML parts. Before python-docx unpacks and parses it, the package is checked
without building anything large: the sizes its parts declare (zipfile never unpacks a part beyond
its declared size; a part that lies fails its CRC check), then a streaming count of paragraphs and
XML elements over every XML part, elements cleared as they are counted.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import DocumentError, shown

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: More parts than any Word file has; a zip of countless tiny entries is refused before it is read.
MAX_DOCX_PARTS = 10_000
_MB = 1_000_000


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one document (defaults are those of :class:`assistant.settings.Settings`)."""

    max_bytes: int = 50_000_000
    docx_max_unpacked_bytes: int = 100_000_000
    docx_max_paragraphs: int = 100_000
    docx_max_xml_elements: int = 1_000_000

    @classmethod
    def from_settings(cls, settings) -> "ReadLimits":
        return cls(
            max_bytes=settings.max_document_bytes,
            docx_max_unpacked_bytes=settings.docx_max_unpacked_bytes,
            docx_max_paragraphs=settings.docx_max_paragraphs,
            docx_max_xml_elements=settings.docx_max_xml_elements,
        )


def check_file_size(path: Path, size: int, limits: ReadLimits) -> None:
    if size > limits.max_bytes:
        raise too_large(path, f"tệp nặng {_mb(size)}, vượt giới hạn {_mb(limits.max_bytes)}", "MAX_DOCUMENT_BYTES")


def check_docx_package(path: Path, limits: ReadLimits) -> None:
    """Refuse a .docx whose parts unpack too large or hold too many paragraphs or elements."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_DOCX_PARTS:
                raise too_large(path, f"tệp nén chứa {len(infos)} phần, quá nhiều cho một tệp Word", None)
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.docx_max_unpacked_bytes:
                raise too_large(
                    path,
                    f"nội dung giải nén nặng {_mb(unpacked)}, vượt giới hạn {_mb(limits.docx_max_unpacked_bytes)} "
                    "(có thể là tệp nén độc hại)",
                    "DOCX_MAX_UNPACKED_BYTES",
                )
            paragraphs = elements = 0
            for info in infos:  # every part, whatever its name: the content types decide what is XML
                paragraphs, elements = _count(archive, info, limits, paragraphs, elements)
                _check_counts(path, paragraphs, elements, limits)
    except DocumentError:
        raise
    except Exception:  # not a zip, a bad CRC …: python-docx reports it as unreadable next
        return


def _count(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits, p: int, e: int) -> tuple[int, int]:
    """Running totals of paragraphs and elements after one part (a part that is not XML adds
    what it held before its first error); stops as soon as a limit is passed."""
    from lxml import etree

    with archive.open(info) as stream:
        events = etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True, huge_tree=False)
        try:
            for _, element in events:
                e += 1
                if element.tag == f"{_W}p":
                    p += 1
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]  # siblings already counted: keep memory flat
                if p > limits.docx_max_paragraphs or e > limits.docx_max_xml_elements:
                    break
        except etree.XMLSyntaxError:
            pass
    return p, e


def _check_counts(path: Path, paragraphs: int, elements: int, limits: ReadLimits) -> None:
    if paragraphs > limits.docx_max_paragraphs:
        raise too_large(
            path, f"tệp Word có hơn {limits.docx_max_paragraphs:,} đoạn văn".replace(",", "."), "DOCX_MAX_PARAGRAPHS"
        )
    if elements > limits.docx_max_xml_elements:
        raise too_large(
            path,
            f"tệp Word có hơn {limits.docx_max_xml_elements:,} phần tử XML".replace(",", "."),
            "DOCX_MAX_XML_ELEMENTS",
        )


def too_large(path: Path, reason: str, setting: str | None) -> DocumentError:
    hint = "Hãy chia tài liệu thành nhiều tệp nhỏ hơn"
    hint += f", hoặc nâng giới hạn bằng biến môi trường ASSISTANT_{setting}." if setting else "."
    return DocumentError(f"Không đọc tệp {shown(path.name)}: {reason}.", hint=hint)


def _mb(size: int) -> str:
    return f"{size / _MB:.1f} MB".replace(".", ",")
