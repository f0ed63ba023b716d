"""The portal's gunicorn worker reads each connection with the kernel's time of
arrival (portal/gunicorn_worker.py), and core/arrival.py counts a body from it."""

import io
import socket
import threading
import time

from core.arrival import ARRIVED, ArrivalStamping
from portal.gunicorn_worker import RECEIVE_BUFFER, SO_TIMESTAMPNS, ArrivalSocket


def listening() -> socket.socket:
    """A listening socket set up as the worker sets up gunicorn's."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_body_sent_to_a_worker_still_busy_is_read_with_the_moment_it_arrived():
    server = listening()
    body = b"%PDF" + b"x" * (1024 * 1024)
    sent = {}

    def applicant():
        with socket.create_connection(server.getsockname()) as out:
            out.sendall(body)
            sent["at"] = time.time()
            time.sleep(2)

    threading.Thread(target=applicant, daemon=True).start()
    time.sleep(0.5)  # the worker is busy elsewhere
    accepted, _ = server.accept()
    connection = ArrivalSocket.taking(accepted)
    received = b""
    while len(received) < len(body):
        received += connection.recv(256 * 1024)
    read_at = time.time()
    connection.close()
    server.close()

    assert received == body
    # The whole megabyte waited in the kernel: its last byte arrived as it was sent,
    # half a second before the worker read it.
    assert abs(connection.arrival - sent["at"]) < 0.1
    assert read_at - connection.arrival > 0.4


def test_the_wsgi_wrapper_counts_from_the_sockets_arrival():
    class Arrived:
        arrival = time.time() - 2.0

    seen = {}

    def app(environ, start_response):
        environ["wsgi.input"].read()
        seen["arrived"] = environ[ARRIVED]
        return []

    environ = {
        "CONTENT_LENGTH": "5",
        "wsgi.input": io.BytesIO(b"12345"),
        "gunicorn.socket": Arrived(),
    }
    ArrivalStamping(app)(environ, lambda *a: None)
    assert 1.9 < time.monotonic() - seen["arrived"] < 2.5
