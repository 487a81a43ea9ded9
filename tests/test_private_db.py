"""SQLite files of the service (assistant/private_db.py): created readable by their owner only, and
opening one never drops the locks another connection of the same process holds."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from assistant.private_db import connect_private


def _mode(path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_a_new_file_and_its_wal_are_owner_only_and_an_open_one_is_narrowed(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "state" / "x.db"
        db = connect_private(path, 1.0)
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES ('bí mật')")
        files = [path, tmp_path / "state" / "x.db-wal", tmp_path / "state" / "x.db-shm"]
        assert [_mode(f) for f in files] == ["0o600"] * 3
        for f in files:
            os.chmod(f, 0o644)
        connect_private(path, 1.0).execute("SELECT * FROM t").fetchall()
        assert [_mode(f) for f in files] == ["0o600"] * 3
    finally:
        os.umask(old)


def test_opening_the_file_again_keeps_the_locks_of_other_connections(tmp_path):
    """SQLite's locks are POSIX locks of the process: closing any descriptor of the file drops them
    all. With its lock on the database file dropped, this process looks gone to another one, which
    then takes the file for itself when it closes (checkpoints and deletes the WAL under the
    connections still open here: "disk I/O error"). A second connection must keep the first's."""
    path = tmp_path / "x.db"
    first = connect_private(path, 1.0)
    first.execute("CREATE TABLE t (v INTEGER)")
    first.execute("INSERT INTO t VALUES (1)")
    connect_private(path, 1.0)  # another thread's first connection, say
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('INSERT INTO t VALUES (2)')\n"
            "db.close()\n",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr
    # The other process did not see itself as the last one: the WAL is still there, and this
    # process's connection goes on reading and writing.
    assert (tmp_path / "x.db-wal").exists()
    first.execute("INSERT INTO t VALUES (3)")
    assert [r[0] for r in first.execute("SELECT v FROM t ORDER BY v")] == [1, 2, 3]
