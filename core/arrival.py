"""When a request's last byte arrived: a thin WSGI wrapper.

The deadline is judged by when a bid arrived (``core.receipt``). Without a proxy in
front, this wrapper notes, on the process's monotonic clock, the moment the body's
last byte arrived, as the bytes are read, before any of them is parsed, hashed or
stored:

- under gunicorn with the portal's worker (portal/gunicorn_worker.py), the kernel's
  own timestamp of the packet that brought it, so a worker that gets to a request
  late (a rush, a busy machine) does not count its waiting against the bid;
- otherwise (runserver, another server), the moment the last byte was read.

Behind a proxy that buffers the body, the proxy's ``X-Request-Start`` is used instead
(``core.receipt``).
"""

import time

ARRIVED = "zabuni.body_read_at"


class StampingInput:
    """``wsgi.input`` that notes in ``environ`` when its last byte was read."""

    def __init__(self, stream, environ, length: int):
        self._stream = stream
        self._environ = environ
        self._left = length

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if (self._left <= 0 or not data) and ARRIVED not in self._environ:
            self._environ[ARRIVED] = arrived_now(self._environ)
        return data

    def read(self, *args):
        return self._count(self._stream.read(*args))

    def readline(self, *args):
        return self._count(self._stream.readline(*args))

    def readlines(self, *args):
        lines = self._stream.readlines(*args)
        for line in lines:
            self._count(line)
        return lines

    def __iter__(self):
        for chunk in self._stream:
            yield self._count(chunk)
        self._count(b"")


class ArrivalStamping:
    """WSGI middleware: every request's body is read through ``StampingInput``; a
    request without one arrived with its headers."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0 and environ.get("wsgi.input") is not None:
            environ["wsgi.input"] = StampingInput(environ["wsgi.input"], environ, length)
        else:
            environ[ARRIVED] = arrived_now(environ)
        return self.application(environ, start_response)


def arrived_now(environ) -> float:
    """On the monotonic clock: when the newest byte read from the connection arrived,
    if the server's socket knows (``arrival``, the kernel's time), else now."""
    now = time.monotonic()
    arrival = getattr(environ.get("gunicorn.socket"), "arrival", None)
    if arrival is None:
        return now
    # The kernel's clock is time.time()'s; a stamp "from the future" is taken as now.
    return now - max(0.0, time.time() - arrival)
