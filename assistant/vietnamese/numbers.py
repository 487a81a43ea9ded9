"""Vietnamese numbers: parse, format and find them in running text.

Conventions (Vietnamese): ``.`` groups thousands, ``,`` marks decimals — ``31.888,142``,
``59,25%``, ``1.222``. Rules chosen here:

* **Dot ambiguity.** A dot followed by exactly three digits is a thousands separator
  (``1.222`` = 1222, ``1.222.333`` = 1222333). Any other dot (``1.5``, ``2.0``, ``1.1.``)
  is not Vietnamese grouping: :func:`parse_number` reads it as an English decimal point
  when that is unambiguous (``59.25``), but :func:`find_numbers` treats such tokens in
  documents as identifiers (section, version, "Điều 1.5") and does not report them.
* **Scales and units.** ``value`` is always the number *as written*; the words after it
  form ``unit`` including any scale word, and ``scale`` records the multiplier:
  ``322 tỷ đồng`` → value 322, unit "tỷ đồng", scale 1e9; ``hơn 2 triệu người dân`` →
  value 2, unit "triệu người dân", scale 1e6. ``NumberMatch.absolute`` is value × scale.
  This keeps ``raw``/``value`` citable and makes "72.524 triệu đồng" and a table cell
  "72.524" under a "(triệu đồng)" header the same figure.
* **Kinds.** ``quantity``, ``percent`` (``59,25%``), ``ratio`` (``27/63``: value 27,
  total 63), ``money`` (unit in đồng/USD), ``year`` (bare 1900–2100) and ``date``
  (``21/4/2020``, ``10/10``, ``9/2022``, ``Quý II/2020``, ``ngày 20``). Document numbers
  (``2063/QĐ-UBND``, ``36-NQ/TW``, ``Quyết định số 2392``), section/list markers, versions,
  standards (``9001:2015``), codes (``4G``, ``T63``, ``IPv6``) and URLs are not reported.

Text passed to :func:`find_numbers` must already be NFC-normalized; offsets index into it.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["format_number", "format_percent", "parse_number", "scale_of"]

# --- parse / format ------------------------------------------------------------------------

VN_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_VN_DECIMAL = re.compile(r"\d+,\d+")
_INTEGER = re.compile(r"\d+")
_EN_DECIMAL = re.compile(r"\d+\.(?:\d{1,2}|\d{4,})")
_MINUS = "-−–"
_PRECISION = 400  # enough digits for any finite float at any number of decimals we allow


def parse_number(text: str) -> float | None:
    """Parse one Vietnamese-formatted number; ``None`` when it is not one unambiguously.

    Accepts an optional sign, surrounding spaces and a trailing ``%``. ``"1.222"`` is 1222
    (dot + exactly 3 digits groups thousands); ``"59.25"`` is 59.25 (a dot that cannot be
    grouping); ``"1,222.5"`` and ``"1,2,3"`` are rejected, and so is a number too long to be
    finite (more than 308 digits): the result is always a finite float or ``None``.
    """
    s = text.strip().replace("\u00a0", "").replace("\u202f", "")
    if s.endswith("%"):
        s = s[:-1].rstrip()
    sign = 1.0
    if s and s[0] in "+" + _MINUS:
        sign = -1.0 if s[0] in _MINUS else 1.0
        s = s[1:].lstrip()
    if not s.isascii():
        return None
    if VN_GROUPED.fullmatch(s):
        value = float(s.replace(".", "").replace(",", "."))
    elif _VN_DECIMAL.fullmatch(s):
        value = float(s.replace(",", "."))
    elif _INTEGER.fullmatch(s) or _EN_DECIMAL.fullmatch(s):
        value = float(s)
    else:
        return None
    return sign * value if math.isfinite(value) else None  # 400 digits are no figure


def format_number(value: float, decimals: int | None = None) -> str:
    """Write ``value`` the Vietnamese way: ``1.222``, ``59,25``, ``31.888,142``, ``-5``.

    With ``decimals`` (0–20) the result has exactly that many decimals (half-up rounding on
    the decimal as written: 2.675 → "2,68"); without, up to 6 decimals are kept and trailing
    zeros dropped. Non-finite values raise ``ValueError``.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot format non-finite number {value!r}")
    places = 6 if decimals is None else min(max(0, int(decimals)), 20)
    q = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=_PRECISION)
    )
    text = f"{abs(q):f}"
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups) + ("," + frac if frac else "")
    is_zero = q == 0
    return ("-" if q < 0 and not is_zero else "") + out


def format_percent(value: float, decimals: int | None = None) -> str:
    """``59.25`` → ``"59,25%"``."""
    return format_number(value, decimals) + "%"


_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}


def scale_of(unit: str | None) -> float:
    """Multiplier a unit's leading scale word implies: ``"tỷ đồng"`` → 1e9, ``"trạm"`` → 1."""
    if not unit:
        return 1.0
    first = unit.split()[0].lower()
    return _SCALES.get(first, 1.0)
