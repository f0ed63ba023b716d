"""Without a proxy, a bid is judged by when its last byte arrived, even when the host's
only worker gets to it after the deadline (issue 25, items 2 and 6): the portal's
gunicorn worker reads each connection with the kernel's arrival timestamps
(portal/gunicorn_worker.py, core/arrival.py).

Host a of the proxy test's stack is used directly: one sync worker. A request whose
body comes slowly holds that worker while the bid is sent whole, before the deadline;
the worker reads the bid only after the deadline has passed. With gunicorn's own sync
worker, the bid was refused ("the deadline passed at …; your submission reached us
at …", a second and a half late).
"""

import socket
import time
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from applications.models import Submission
from core.clock import db_now
from tenders.models import CallIndexPage, CallPage
from tests.conftest import wait_for
from tests.factories import make_call, pdf_bytes
from tests.portal import proxy_support
from tests.portal.topology_support import bids_ready, multipart

pytestmark = [pytest.mark.services]

stack, proxy = proxy_support.stack, proxy_support.proxy


def hold_the_worker(port: int, tag: str) -> socket.socket:
    """A sign-in post whose body stops after its first bytes: the worker waits for it."""
    held = socket.create_connection(("127.0.0.1", port), timeout=30)
    held.sendall(
        b"POST /account/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 64\r\n"
        + f"X-Test-Mark: {tag}\r\n\r\n".encode()
        + b"login=someone"
    )
    return held


def test_a_bid_that_waited_for_a_busy_worker_counts_from_its_arrival(proxy, settings):
    host = proxy["hosts"][0]
    storages = dict(settings.STORAGES)
    storages["private"] = {**storages["private"], "OPTIONS": {"location": str(host.private)}}
    settings.STORAGES = storages  # the drafts' files where the host keeps its own
    call = make_call(CallIndexPage.objects.get())
    technical = call.required_documents.get(name="Technical proposal")
    (person,) = bids_ready(call, 1)
    path = reverse("applications:submission", args=[person["draft"].pk])
    token = person["visitor"].form_token(host.port, path)
    body, kind = multipart(
        {
            "csrfmiddlewaretoken": token,
            "action": "submit",
            "offer_amount": "1250000",
            "offer_currency": "KES",
        },
        {
            f"document_{technical.pk}": (
                "proposal.pdf",
                pdf_bytes(size=200 * 1024),
                "application/pdf",
            )
        },
    )
    deadline = db_now() + timedelta(seconds=1.5)
    CallPage.objects.filter(pk=call.pk).update(closes_at=deadline)

    tag = uuid.uuid4().hex
    held = hold_the_worker(host.port, tag)
    wait_for(lambda: host.seen(tag), timeout=10)  # the worker is reading it
    bid = socket.create_connection(("127.0.0.1", host.port), timeout=60)
    cookies = "; ".join(f"{k}={v}" for k, v in person["visitor"].cookies.items())
    bid.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{host.port}\r\nCookie: {cookies}\r\n"
        f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n".encode()
        + body
    )
    time.sleep(0.2)  # the whole bid is with the host's kernel, before the deadline
    assert db_now() < deadline - timedelta(seconds=0.5)
    while db_now() < deadline + timedelta(seconds=0.5):
        time.sleep(0.05)
    held.sendall(b"&password=x" + b"y" * 40)  # the worker is let go, after the deadline
    held.recv(65536)
    held.close()
    answer = b""
    while chunk := bid.recv(65536):
        answer += chunk
    bid.close()

    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 302"), answer[:3000]
    assert "/receipt/" in head
    submitted = Submission.objects.get(pk=person["draft"].pk)
    assert submitted.submitted_at < deadline
