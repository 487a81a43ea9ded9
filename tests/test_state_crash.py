"""The SQLite state store (feedback, API keys, jobs) survives a SIGKILL in the middle of writing.

Each trial starts two child processes on the same database — one storing feedback, one creating
API keys, in a loop, as two server workers would — and SIGKILLs both at random moments. A child
prints each row's id only once the store's call has returned (the write is acknowledged). After the
kills the database opens, ``PRAGMA integrity_check`` says ``ok``, every acknowledged row is there
with exactly what was written, every acknowledged key still opens the API, and the next write works.
The same file is used by every trial, so each one also recovers from the last one's kill.

Reproduce: ``STATE_CRASH_SEED=<seed> STATE_CRASH_TRIALS=<n> .venv/bin/python -m pytest tests/test_state_crash.py -s``
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.service.access import KeyRing
from assistant.service.state import StateStore
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

WRITER = r"""
import sys
from assistant.service.access import KeyRing
from assistant.service.state import StateStore
from assistant.settings import Settings

path, kind, trial = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = StateStore(path)
ring = KeyRing(store, Settings(_env_file=None))
print("ready", flush=True)
n = 0
while True:
    n += 1
    if kind == "feedback":
        row = store.add_feedback(f"{trial}-{n}", -1 if n % 2 else 1, f"góp ý {trial}/{n} — sai năm", f"câu hỏi {n}?",
                                 "Trả lời: 1.222 trạm [1].", None)
        print(f"{row} {trial}-{n}", flush=True)
    else:
        token, key_id = ring.create(f"khóa {trial}/{n}", "reader" if n % 2 else "admin", ["so-tttt"])
        print(f"{key_id} {token}", flush=True)
"""


class Writer:
    """A child writing in a loop; ``acked`` holds every line it printed (each an acknowledged write)."""

    def __init__(self, db: Path, kind: str, trial: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), kind, str(trial)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.acked: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.strip() == "ready":
                self.ready.set()
            else:
                self.acked.append(line.rstrip("\n"))

    def kill_after(self, seconds: float) -> None:
        """SIGKILL it ``seconds`` after it is ready; ``problem`` says why if it died on its own."""
        self.problem = "" if self.ready.wait(30) else "never ready"
        time.sleep(seconds)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        if self.process.returncode != -signal.SIGKILL:
            self.problem = f"exit code {self.process.returncode}: {self.process.stderr.read()[-2000:]}"


@pytest.mark.slow
def test_feedback_and_keys_survive_sigkill_mid_write(tmp_path):
    seed = int(os.environ.get("STATE_CRASH_SEED", random.randrange(10**6)))
    trials = int(os.environ.get("STATE_CRASH_TRIALS", "12"))
    print(f"STATE_CRASH_SEED={seed} STATE_CRASH_TRIALS={trials}")
    rng = random.Random(seed)
    db = tmp_path / "state" / "state.db"
    StateStore(db)
    feedback: dict[int, str] = {}  # row id → answer id, acknowledged
    keys: dict[str, str] = {}  # key id → token, acknowledged
    for trial in range(trials):
        writers = [Writer(db, "feedback", trial), Writer(db, "keys", trial)]
        killers = [threading.Thread(target=w.kill_after, args=(rng.uniform(0.02, 0.4),)) for w in writers]
        for k in killers:
            k.start()
        for k in killers:
            k.join(timeout=60)
        assert [w.problem for w in writers] == ["", ""], (seed, trial)  # each was killed, none failed
        for line in writers[0].acked:
            row, answer_id = line.split(" ", 1)
            feedback[int(row)] = answer_id
        for line in writers[1].acked:
            key_id, token = line.split(" ", 1)
            keys[key_id] = token

        with sqlite3.connect(db) as raw:  # a plain connection, as any tool would open it
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",), (seed, trial)
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        store = StateStore(db)
        rows = {r["id"]: r for r in store.feedback()}
        missing = set(feedback) - set(rows)
        assert not missing, (seed, trial, sorted(missing))
        for row_id, answer_id in feedback.items():
            r = rows[row_id]
            trial_n, n = answer_id.split("-")
            assert (r["answer_id"], r["comment"], r["question"]) == (
                answer_id,
                f"góp ý {trial_n}/{n} — sai năm",
                f"câu hỏi {n}?",
            )
        stored = {r["id"]: r for r in store.keys()}
        assert set(keys) <= set(stored), (seed, trial, sorted(set(keys) - set(stored)))
        ring = KeyRing(store, Settings(_env_file=None))
        for key_id, token in rng.sample(sorted(keys.items()), min(20, len(keys))):
            caller = ring.caller(token)  # the acknowledged key opens the API
            assert caller.key_id == key_id and caller.groups == {"so-tttt"}
        assert len(rows) >= len(feedback) and all(r["rating"] in (-1, 1) for r in rows.values())
    # the next write works, and was not lost among the kills
    new = StateStore(db).add_feedback("sau", 1, "tốt", None, None, None)
    assert new > max(feedback) and StateStore(db).feedback()[-1]["answer_id"] == "sau"
    print(f"{trials} trials: {len(feedback)} feedback rows and {len(keys)} keys acknowledged, all present")
    assert len(feedback) >= trials and len(keys) >= trials


def test_a_key_id_drawn_twice_is_drawn_again(tmp_path, monkeypatch):
    """Found by the test above: ids are 32 bits, so among ~100,000 keys two collided and key
    creation failed with ``sqlite3.IntegrityError``."""
    import assistant.service.access as access

    ids = iter(["aaaa0000", "aaaa0000", "bbbb1111"])
    monkeypatch.setattr(access.secrets, "token_hex", lambda n: next(ids))
    ring = KeyRing(StateStore(tmp_path / "state.db"), Settings(_env_file=None))
    first, first_id = ring.create("một", "reader", [])
    second, second_id = ring.create("hai", "admin", [])
    assert (first_id, second_id) == ("aaaa0000", "bbbb1111")
    assert ring.caller(first).role == "reader" and ring.caller(second).role == "admin"
