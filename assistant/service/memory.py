"""Giving memory back to the system after an index build and reload.

A build and the swap to a new snapshot free tens of megabytes at once (the old snapshot, the
build's temporary arrays); glibc keeps most of it in its heaps, so the server's resident memory
climbs by a few megabytes with every upload or deletion (measured in docs/reliability.md: +42 MB
over 20 uploads, all of it returned by ``malloc_trim``). Collecting the old snapshot's reference
cycles and trimming the heaps after each job keeps the resident memory flat.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None on another C library (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Free unreachable objects (old snapshots hold reference cycles) and return free heap pages."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
