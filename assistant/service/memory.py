"""Giving memory back to the system after an index build and reload.

A build and the swap to a new snapshot free tens of megabytes at once (the old snapshot, the
build's temporary arrays); glibc keeps most of it in its heaps, so the server's resident memory
climbs by a few megabytes with every upload or deletion (measured in docs/reliability.md: +42 MB
over 20 uploads, all of it returned by ``malloc_trim``). Collecting the old snapshot's reference
cycles and trimming the heaps after each job keeps the resident memory flat.

glibc also gives every thread that allocates at once a heap (an "arena") of its own, up to eight
per core; a server answering on a pool of threads grows one per busy thread, refills them after
every trim, and its memory saw-tooths by tens of megabytes around each build. Two arenas per
process (``MALLOC_ARENA_MAX=2``, a common setting for threaded Python servers) lowered the resident
memory under load by about 9 % and flattened the saw-tooth (docs/reliability.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from functools import cache

ARENAS = "2"
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


@cache
def _glibc(function: str):
    """A function of glibc, or None on another C library (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function) if name else None
    except (OSError, AttributeError):
        return None


def limit_heaps() -> None:
    """At most ``MALLOC_ARENA_MAX`` heaps in this process and the processes it starts (worker and
    build processes read it from the environment when they start): two unless set already."""
    os.environ.setdefault("MALLOC_ARENA_MAX", ARENAS)
    mallopt = _glibc("mallopt")
    try:
        arenas = int(os.environ["MALLOC_ARENA_MAX"])
    except ValueError:
        return  # glibc ignores a value it cannot read; so do we
    if mallopt is not None and arenas > 0:
        mallopt(_M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Free unreachable objects (old snapshots hold reference cycles) and return free heap pages."""
    gc.collect()
    trim = _glibc("malloc_trim")
    if trim is not None:
        trim(0)
