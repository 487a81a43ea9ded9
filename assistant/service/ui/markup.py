"""Small HTML helpers for the UI: every text from a document or a user goes through ``esc``."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from assistant.vietnamese.numbers import format_number

# Gradio's HTML component fills a template: keep "$", "{", "}" and "`" inert as well.
_INERT = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def esc(text: object) -> str:
    """Text as HTML that shows exactly the text (tags, attributes and template marks never act)."""
    return html.escape(str(text), quote=True).translate(_INERT)


def number(value: float, decimals: int = 2) -> str:
    """A value the Vietnamese way, at most ``decimals`` decimals: 1.222; 15,66; 31.888,14."""
    if abs(value - round(value)) < 1e-9:
        return format_number(round(value), 0)
    text = format_number(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def view_url(document: str, start: int, end: int) -> str:
    """The document viewer at a span (opens scrolled to the highlighted place)."""
    return f"/xem/{quote(document, safe='')}?start={start}&end={end}#doan"


def link(url: str, text: str, *, cls: str = "") -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(url)}" target="_blank" rel="noopener"{klass}>{esc(text)}</a>'


def _tidy(text: str) -> str:
    return re.sub(r"\n\s*\n+", "\n", text)


def excerpt(text: str, start: int, end: int, before: int = 240, after: int = 180) -> str:
    """``text`` escaped with ``text[start:end]`` in a ``<mark>``, and only some context around it
    (cut at word boundaries, "…"); blank lines folded. No mark when the span is outside the text."""
    if not 0 <= start < end <= len(text):
        return esc(_tidy(text))
    head, body, tail = text[:start], text[start:end], text[end:]
    if len(head) > before:
        head = "… " + head[-before:].split(" ", 1)[-1]
    if len(tail) > after:
        tail = tail[:after].rsplit(" ", 1)[0] + " …"
    return f"{esc(_tidy(head.lstrip()))}<mark>{esc(body)}</mark>{esc(_tidy(tail.rstrip()))}"


def seconds(milliseconds: float) -> str:
    return f"{number(milliseconds / 1000, 2)} giây"
