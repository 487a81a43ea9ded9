"""Places a question may name: Vietnam's provinces and centrally-run cities, from a data file."""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "provinces.txt"

#: Lower case with diacritics, e.g. "trà vinh", "hồ chí minh".
PROVINCES: tuple[str, ...] = tuple(
    line.strip() for line in _DATA.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
)
