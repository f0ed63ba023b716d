"""When a request's last byte was read from the connection: a thin WSGI wrapper.

The deadline is judged by when a bid arrived (``core.receipt``). Without a proxy in
front, the nearest the portal can see to that moment is when it reads the body's
last byte from the connection: this wrapper notes it, on the process's monotonic
clock, as the bytes are read, before any of them is parsed, hashed or stored. A
worker that takes a while to get to a request (a busy server) still counts the
waiting against the portal; a proxy that buffers the body and stamps
``X-Request-Start`` closes even that gap (``core.receipt``).
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
            self._environ[ARRIVED] = time.monotonic()
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
            environ[ARRIVED] = time.monotonic()
        return self.application(environ, start_response)
