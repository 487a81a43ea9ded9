"""Timing helpers: wall and CPU time of a phase, the share other processes took, percentiles."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]); NaN for no values."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summary(ms: list[float]) -> dict:
    """p50/p95/mean and the samples themselves (kept for the plots)."""
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "mean": sum(ms) / len(ms) if ms else float("nan"),
        "n": len(ms),
        "samples": [round(x, 3) for x in ms],
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 / 1024 if sys.platform == "darwin" else kb / 1024


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), NaN where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _busy_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    vals = [int(x) for x in fields]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)  # idle + iowait
    return (sum(vals[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Phase:
    """Wall time, this process's CPU time, and the share of the machine other processes used meanwhile.

    ``other_cpu_share`` is (machine busy time - our CPU time) / (wall time x cores): 0 on a
    quiet machine, 0.5 when another job kept one of two cores busy the whole time.
    """

    def __init__(self) -> None:
        self.wall = self.cpu = self.other_cpu_share = 0.0

    def __enter__(self) -> "Phase":
        self._b0, self._c0, self._t0 = _busy_s(), _own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._t0
        self.cpu = _own_cpu_s() - self._c0
        b1 = _busy_s()
        if b1 is not None and self._b0 is not None and self.wall > 0:
            other = max(0.0, (b1 - self._b0) - self.cpu)
            self.other_cpu_share = min(1.0, other / (self.wall * (os.cpu_count() or 1)))

    def as_dict(self) -> dict:
        return {"seconds": self.wall, "cpu_seconds": self.cpu, "other_cpu_share": self.other_cpu_share}


def idle_share(seconds: float = 1.0) -> float | None:
    """Share of the machine's CPU time that was idle over the next ``seconds``."""

    def sample():
        vals = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
        return sum(vals), vals[3] + vals[4]

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, IndexError, ValueError):
        return None
    return (i1 - i0) / max(1, t1 - t0)


def wait_for_idle(max_wait: float, quiet_s: int = 10, idle: float = 0.9) -> float | None:
    """Wait (at most ``max_wait`` s) for ``quiet_s`` seconds in a row of >= 90 % idle CPU.

    Returns the seconds waited, or None when the machine never went quiet.
    """
    t0, streak = time.monotonic(), 0
    while time.monotonic() - t0 < max_wait:
        share = idle_share()
        if share is None:
            return 0.0
        streak = streak + 1 if share >= idle else 0
        if streak >= quiet_s:
            return time.monotonic() - t0
    return None


def machine() -> dict:
    cpu, ram_gb = "unknown", None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
