"""The portal's gunicorn worker: the sync worker, with two things a deadline needs.

**When the bytes arrived.** Without a proxy in front, a bid's time of receipt is when
its last byte arrived (core/arrival.py). A sync worker reads a request only when it
gets to it: in a rush, bodies wait in the kernel while the worker answers others, and
the moment the worker reads the last byte can be many milliseconds after it arrived
(5 to 12 ms on an idle machine in bench/bench_rush.py, enough to refuse bids sent
before the deadline). So:

- the listening socket asks the kernel to timestamp what it receives
  (``SO_TIMESTAMPNS``, inherited by each connection), and each connection is read
  with ``recvmsg``, which hands back, with the bytes, the moment the newest of them
  arrived; core/arrival.py uses it when the body's last byte is read;
- the listening socket's receive buffer is made large (``RECEIVE_BUFFER``, inherited
  by each connection, even one still waiting to be accepted), so that a bid's body
  arrives whole while it waits for a worker. With Linux's default (128 KiB), a 1 MB
  body sent to a busy worker stops at TCP's window, and its last byte arrives only
  once the worker reads: half a second late, in a test where the worker was busy
  for half a second. Linux gives at most twice ``net.core.rmem_max`` (8 MiB on
  Debian): larger bodies (rare: the forms' files, posted whole) still wait for their
  worker; behind nginx, none do.

**Stopping without dropping what is queued.** When a host is stopped (a deploy, a
scale-down: SIGTERM), gunicorn's sync worker finishes the request in hand and exits.
Its listening socket stays open until then, so nginx goes on connecting and sending
requests to it, which wait in the kernel's queue and are reset when it exits. nginx
never sends a POST a second time (deploy/nginx.conf), so in a rush each was a 502 for
someone's bid: 2 of 12 submits in tests/portal/test_topology.py. This worker, once
told to stop, takes every connection already waiting, closes its listening socket
(new connections are refused at once, and nginx sends them to another host, nothing
of theirs having been sent here), then answers the ones it took. Only a connection
that arrives in the microseconds between the last accept and the close is reset.

Used with ``--worker-class portal.gunicorn_worker.PortalWorker`` (Dockerfile).
"""

import errno
import socket
import struct

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

# Linux's number for it; Python names it only on some builds.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("qq")
_ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size)
# Asked of the kernel, which doubles it and caps it at twice net.core.rmem_max.
RECEIVE_BUFFER = 4 * 1024 * 1024


class ArrivalSocket(socket.socket):
    """A connection whose reads note when the newest byte read had arrived: ``arrival``,
    seconds since the epoch on the kernel's clock (``time.time()``'s), or None."""

    arrival: float | None = None

    @classmethod
    def taking(cls, client: socket.socket) -> "ArrivalSocket":
        taken = cls(client.family, client.type, client.proto, fileno=client.detach())
        taken.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        return taken

    def recv(self, size, flags=0):
        data, ancillary, _flags, _address = self.recvmsg(size, _ANCILLARY, flags)
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = _TIMESPEC.unpack(payload[: _TIMESPEC.size])
                self.arrival = seconds + nanoseconds / 1e9
        return data


class _ClosedListener:
    """What answering a request needs of its listener, once that is closed: its name."""

    def __init__(self, name):
        self.name = name

    def getsockname(self):
        return self.name


class PortalWorker(SyncWorker):
    def run(self):
        for listener in self.sockets:
            listener.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        super().run()
        self.drain()

    def accept(self, listener):
        client, addr = listener.accept()
        self._answer(listener, client, addr)

    def _answer(self, listener, client, addr) -> None:
        client = ArrivalSocket.taking(client)
        client.setblocking(1)
        util.close_on_exec(client)
        self.handle(listener, client, addr)

    def drain(self) -> None:
        waiting = []
        for listener in self.sockets:
            listener.setblocking(0)
            closed = _ClosedListener(listener.getsockname())
            while True:
                try:
                    client, addr = listener.accept()
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                        break
                    raise
                waiting.append((closed, client, addr))
            listener.close()
        if waiting:
            self.log.info("Stopping: answering %d request(s) already queued", len(waiting))
        for listener, client, addr in waiting:
            self.notify()
            self._answer(listener, client, addr)
