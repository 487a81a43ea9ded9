"""Several server processes each listen on a socket of their own (SO_REUSEPORT), so that the kernel
spreads connections between them instead of the idle one taking them all
(assistant/service/listeners.py)."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.service.listeners import REUSE_PORT, OwnSockets, reuse_port_socket
from tests.server import ServerProcess, free_port
from tests.test_crash import indexed_copy

pytestmark = pytest.mark.skipif(not REUSE_PORT, reason="SO_REUSEPORT spreads connections only on Linux")


def test_sockets_of_one_port_group_and_a_worker_binds_its_own():
    port = free_port()
    first = reuse_port_socket("127.0.0.1", port, 16)
    try:
        (second,) = pickle.loads(pickle.dumps(OwnSockets("127.0.0.1", port, 16)))  # as a new worker gets it
        try:
            assert second.fileno() != first.fileno() and second.getsockname() == ("127.0.0.1", port)
            assert second.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        finally:
            second.close()
    finally:
        first.close()
    # A port held by a socket outside the group is an error, not a second listener.
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            reuse_port_socket("127.0.0.1", plain.getsockname()[1])


def _listeners(port: int) -> set[int]:
    """Inodes of the sockets listening on 127.0.0.1:``port``."""
    found = set()
    with open("/proc/net/tcp", encoding="ascii") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], int(fields[9])
            if state == "0A" and local == f"0100007F:{port:04X}":
                found.add(inode)
    return found


def _owner(inode: int) -> int | None:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    return None


@pytest.mark.slow
def test_a_server_of_two_workers_has_two_listeners_and_answers_on_every_connection(tmp_path):
    indexed_copy(tmp_path)
    with ServerProcess(tmp_path, env={"ASSISTANT_WORKERS": "2"}) as server:
        listeners = _listeners(server.port)
        assert len(listeners) == 2  # one per worker, none left in the parent
        owners = {_owner(inode) for inode in listeners}
        assert len(owners) == 2 and server.pid not in owners
        if "arena_max" not in os.environ.get("GLIBC_TUNABLES", ""):  # else left to glibc
            for pid in owners:  # the workers inherit the heap limit `assistant serve` sets
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                assert f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', '2')}".encode() in environ
        clients = [httpx.Client(base_url=server.url, timeout=60) for _ in range(24)]
        try:
            for client in clients:  # 24 kept-alive connections, as a portal's pool holds them
                assert client.get("/api/v1/documents").status_code == 200
        finally:
            for client in clients:
                client.close()
        # A second server on the same port is refused with a clear message (its workers would
        # otherwise join the port's group and take half the connections).
        second = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(server.port)],
            env={**server.env, "ASSISTANT_WORKERS": "2"},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0
        assert "Không mở được cổng" in second.stderr + second.stdout
        assert len(_listeners(server.port)) == 2
