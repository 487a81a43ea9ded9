"""Several server processes, each listening on its own socket, so that the kernel spreads the
connections evenly between them.

``uvicorn.run(workers=N)`` binds one socket in the parent and hands it to every worker: the workers
race to accept, and the one that is idle at that instant takes the connection. Clients that keep
their connection open (portals, load tests, a browser's pool) therefore end up mostly on one worker
while the other idles — measured here: one worker at 80–100 % of a core, the other at 7–25 %, and
the tail latency of the whole server set by the busy one. With ``SO_REUSEPORT`` on Linux each worker
binds a socket of its own to the same address and the kernel assigns each new connection to one of
them by a hash of its addresses.

The workers are uvicorn's own (its supervisor restarts a dead one, forwards signals, health-checks
them); only their socket changes. The socket list uvicorn hands to each worker is made, when the
worker unpickles it, into a socket that worker binds itself: :class:`OwnSockets`.
"""

from __future__ import annotations

import socket
import sys

REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket on ``host:port`` in the port's ``SO_REUSEPORT`` group."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _bound(host: str, port: int, backlog: int) -> list[socket.socket]:
    return [reuse_port_socket(host, port, backlog)]


class OwnSockets(list):
    """Stands for the socket list of a worker: pickled to a new worker process, it becomes a list of
    one socket that process binds itself (never a socket shared with the parent)."""

    def __init__(self, host: str, port: int, backlog: int) -> None:
        super().__init__()
        self.address = (host, port, backlog)

    def __reduce__(self):
        return (_bound, self.address)


def run_workers(config) -> None:
    """Serve ``config`` (a ``uvicorn.Config`` with ``workers`` > 1) with one socket per worker, or
    as uvicorn does where the kernel cannot spread connections (not Linux)."""
    from uvicorn.supervisors import Multiprocess

    if not REUSE_PORT:  # the usual way: one socket shared by the workers
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    # A port in use is an error now, not in every worker — and a plain socket is refused even by a
    # port group of another server of the same user, which a worker's socket would silently join.
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((config.host, config.port))
    Multiprocess(config, sockets=OwnSockets(config.host, config.port, config.backlog)).run()
