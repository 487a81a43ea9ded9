"""Giving memory back to the system after an index build and reload.

A build and the swap to a new snapshot free tens of megabytes at once (the old snapshot, the
build's temporary arrays); glibc keeps most of it in its heaps, so the server's resident memory
climbs by a few megabytes with every upload or deletion (measured in docs/reliability.md: +42 MB
over 20 uploads, all of it returned by ``malloc_trim``). Collecting the old snapshot's reference
cycles and trimming the heaps after each job keeps the resident memory flat.

glibc also gives a thread a heap (an "arena") of its own at its first allocation while there are
fewer than eight per core; a server answering on a pool of threads grows one per thread and refills
them after every trim. Two per process (``MALLOC_ARENA_MAX=2``, a common setting for threaded
Python servers) lowered the serving processes' peak under load by 17–45 MB (5–13 %) in the short
soak, and the rise above the level after the warm-up from 67–76 MB to 40–55 MB
(docs/reliability.md).
"""

from __future__ import annotations

import ctypes
import gc
import os
from functools import cache

ARENAS = "2"
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


@cache
def _glibc(function: str):
    """A function of glibc, or None on another C library (musl, macOS)."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")  # glibc only
        return getattr(ctypes.CDLL(None), function)
    except (OSError, AttributeError, ValueError):
        return None


def limit_heaps() -> None:
    """At most two glibc heaps in this process and the processes it starts (worker and build
    processes read ``MALLOC_ARENA_MAX`` from the environment when they start). An operator's own
    setting — ``MALLOC_ARENA_MAX`` (``0``: glibc's default) or ``glibc.malloc.arena_max`` in
    ``GLIBC_TUNABLES`` — was applied by glibc when this process started and is left alone."""
    if "MALLOC_ARENA_MAX" in os.environ or "glibc.malloc.arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return
    os.environ["MALLOC_ARENA_MAX"] = ARENAS
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, int(ARENAS))


def release_memory() -> None:
    """Free unreachable objects (old snapshots hold reference cycles) and return free heap pages."""
    gc.collect()
    trim = _glibc("malloc_trim")
    if trim is not None:
        trim(0)
