"""The proxy in front (deploy/nginx.conf), run for real: nginx from Debian's package in
front of two gunicorn hosts serving the portal against the test database.

It buffers a slow body whole before a gunicorn worker sees it and stamps when it had
arrived; it tells the portal the client's address, which the audit of a failed sign-in
records; it refuses an oversized body itself; it never reaches private storage; it
fails over to the other host for a page, and never sends a bid a second time.
"""

import re
import uuid
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.storage import PrivateFileSystemStorage
from tests.conftest import wait_for
from tests.portal import proxy_support
from tests.portal.proxy_support import (
    DEPLOY,
    Dropper,
    Nginx,
    send,
)

pytestmark = [pytest.mark.services]

SECRET = b"%PDF-1.7 sealed bid of Tumaini Builders, price 4,200,000"


# The shared fixtures, used by name.
stack, proxy = proxy_support.stack, proxy_support.proxy


def mark() -> str:
    return uuid.uuid4().hex


def test_pages_are_served_through_either_host_with_the_forwarded_headers(proxy):
    port, hosts = proxy["nginx"].port, proxy["hosts"]
    tag = mark()

    answers = [
        send(port, "GET", "/", {"X-Test-Mark": tag, "X-Forwarded-Proto": "https"})
        for _ in range(4)
    ]

    assert [answer["status"] for answer in answers] == [200] * 4
    assert b"Zabuni" in answers[0]["body"]
    seen = [hosts[0].seen(tag), hosts[1].seen(tag)]
    assert seen[0] and seen[1], "each host answers its turn"
    headers = seen[0][0]["headers"]
    assert headers["host"] == f"127.0.0.1:{port}"  # with the port the browser used
    assert headers["x-forwarded-for"] == "127.0.0.1"
    # What the client claimed is replaced: the portal trusts "https" from its proxy.
    assert headers["x-forwarded-proto"] == "http"


def sign_in_page(port: int, source: str) -> tuple[str, str]:
    page = send(port, "GET", reverse("accounts:login"), source=source)
    assert page["status"] == 200
    cookie = next(c for c in page["cookies"] if c.startswith("csrftoken="))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"])
    return cookie.split(";", 1)[0], unescape(token.group(1).decode())


def test_the_audit_of_a_failed_sign_in_names_the_client_not_the_proxy(proxy):
    """The client connects from 127.0.0.2; the hosts see every request come from
    nginx at 127.0.0.1, which is their trusted proxy. A forged X-Forwarded-For is kept
    to the left of the real address, where it is not believed."""
    from urllib.parse import urlencode

    from axes.models import AccessAttempt

    from tests.factories import UserFactory

    UserFactory(email="amina@example.org")
    port = proxy["nginx"].port
    cookie, token = sign_in_page(port, source="127.0.0.2")
    form = {
        "csrfmiddlewaretoken": token,
        "sign_in_view-current_step": "auth",
        "auth-username": "amina@example.org",
        "auth-password": "not-her-password",
    }

    answer = send(
        port, "POST", reverse("accounts:login"),
        {
            "Cookie": cookie,
            # What a browser sends with every POST: Django checks it against the Host.
            "Origin": f"http://127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "203.0.113.9",
        },
        pieces=(urlencode(form).encode(),),
        source="127.0.0.2",
    )  # fmt: skip

    assert answer["status"] == 200, answer["body"][:300]  # the form again, not a CSRF 403
    attempt = AccessAttempt.objects.get(username="amina@example.org")
    assert attempt.ip_address == "127.0.0.2"


def nginx_body_limit() -> int:
    """client_max_body_size in deploy/nginx.conf, in bytes."""
    text = (DEPLOY / "nginx.conf").read_text()
    size, unit = re.search(r"^\s*client_max_body_size\s+(\d+)([km]?);", text, re.M).groups()
    return int(size) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


def test_the_largest_request_the_portal_takes_passes_the_proxy(settings):
    assert nginx_body_limit() >= settings.MAX_UPLOAD_REQUEST_MB * 1024 * 1024


def test_a_body_over_the_limit_is_refused_by_nginx_without_reaching_a_host(proxy):
    tag = mark()

    # Only announced: nginx answers from Content-Length, before reading a byte.
    answer = send(
        proxy["nginx"].port, "POST", "/bids/", {"X-Test-Mark": tag},
        content_length=nginx_body_limit() + 1,
    )  # fmt: skip

    assert answer["status"] == 413
    assert b"nginx" in answer["body"]  # nginx's page, not the portal's
    assert proxy["hosts"][0].seen(tag) == proxy["hosts"][1].seen(tag) == []


def test_a_slow_body_reaches_a_host_whole_and_stamped_after_its_last_piece(proxy):
    """Three pieces, with a pause before each of the last two, as a phone on a weak
    signal sends them. Unbuffered, gunicorn would get the headers with the first."""
    tag = mark()
    pieces = (b"a" * 40_000, b"b" * 40_000, b"c" * 40_000)

    answer = send(
        proxy["nginx"].port, "POST", reverse("accounts:login"),
        {"X-Test-Mark": tag, "Content-Type": "application/octet-stream"},
        pieces=pieces, pause=0.6,
    )  # fmt: skip

    assert answer["status"] == 403  # the portal's answer (no CSRF token): it got there
    seen = proxy["hosts"][0].seen(tag) + proxy["hosts"][1].seen(tag)
    assert len(seen) == 1
    request = seen[0]
    assert request["headers"]["content-length"] == str(sum(map(len, pieces)))
    # The host was handed the request only once the last piece had been sent ...
    assert request["at"] >= answer["last_piece_at"]
    # ... and nginx's stamp is from then too ($msec: milliseconds, cut, not rounded).
    stamp = float(request["headers"]["x-request-start"].removeprefix("t="))
    assert stamp >= answer["last_piece_at"] - 0.001


def test_nothing_in_private_storage_is_reachable_through_the_proxy(proxy):
    """A file stored in host a's private folder, next to the media folder nginx
    serves: by its object name, under every prefix, and climbing out of media/."""
    port, folder = proxy["nginx"].port, proxy["folder"]
    stored = PrivateFileSystemStorage(location=str(proxy["hosts"][0].private))
    name = stored.save(f"bids/{uuid.uuid4()}.pdf", ContentFile(SECRET))
    assert (proxy["hosts"][0].private / name).read_bytes() == SECRET
    image = folder / "a" / "var" / "media" / "original_images" / "logo.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG public image")
    image.chmod(0o644)

    public = send(port, "GET", "/media/original_images/logo.png")
    assert (public["status"], public["body"]) == (200, b"\x89PNG public image")

    for path in (
        f"/private/{name}",
        f"/var/private/{name}",
        f"/{name}",
        f"/media/{name}",
        f"/media/../private/{name}",
        f"/media/..%2fprivate/{name}",
        f"/media/%2e%2e/private/{name}",
        f"/media/../../a/var/private/{name}",
        f"/static/../private/{name}",
    ):
        answer = send(port, "GET", path)
        assert SECRET not in answer["body"], path
        assert answer["status"] in (400, 404), (path, answer["status"])


def test_a_page_fails_over_but_a_bid_is_never_sent_to_a_second_host(proxy):
    """The first host takes each request whole and closes without answering. A GET
    goes on to the second; a POST, already delivered once, is answered 502 and never
    delivered again."""
    dropper, spare = Dropper(), proxy["hosts"][0]
    nginx = Nginx(
        proxy["folder"] / "nginx-dropper",
        [
            f"server 127.0.0.1:{dropper.port} max_fails=0;",
            f"server 127.0.0.1:{spare.port} backup;",
        ],
        public=proxy["folder"] / "a" / "var",
    )
    nginx.start()
    try:
        page_tag, bid_tag = mark(), mark()
        page = send(nginx.port, "GET", "/", {"X-Test-Mark": page_tag})
        bid = send(
            nginx.port, "POST", "/bids/", {"X-Test-Mark": bid_tag},
            pieces=(b"bid=tumaini&price=4200000",),
        )  # fmt: skip
    finally:
        nginx.stop()
        dropper.close()

    assert page["status"] == 200
    assert len(spare.seen(page_tag)) == 1
    assert bid["status"] == 502
    assert spare.seen(bid_tag) == []
    assert [line.split()[0] for line in dropper.requests] == [b"GET", b"POST"]


def test_pages_are_still_served_with_one_host_stopped(proxy):
    port, (first, second) = proxy["nginx"].port, proxy["hosts"]
    tag = mark()
    second.stop()
    try:
        answers = [send(port, "GET", "/", {"X-Test-Mark": tag})["status"] for _ in range(4)]
    finally:
        second.start()

    assert answers == [200] * 4
    assert len(first.seen(tag)) == 4
    assert second.seen(tag) == []


def test_the_access_log_keeps_neither_query_strings_nor_one_time_tokens(proxy):
    """docs/retention.md, "Logs": search terms ride in query strings, and the e-mail
    verification and password reset links carry a one-time token."""
    port, log = proxy["nginx"].port, proxy["nginx"].access_log

    send(port, "GET", "/?q=amina+wanjiku+proposal")
    send(port, "GET", "/account/reset/MTIz/ce4x7q-one-time-token/")
    send(port, "GET", "/account/verify/MTIz/ce4x7q-verify-token/")

    # nginx writes a request's line once its answer has gone: wait for the last one.
    wait_for(lambda: "/account/verify/" in log.read_text().splitlines()[-1], timeout=10)
    lines = log.read_text().splitlines()[-3:]
    assert [line.split('"')[1] for line in lines] == [
        "GET / HTTP/1.1",
        "GET /account/reset/-/-/ HTTP/1.1",
        "GET /account/verify/-/-/ HTTP/1.1",
    ]
    assert all("127.0.0.1" in line for line in lines)


# --- Two hosts, one portal: what a request leaves behind is shared -----------------


def sign_in_at(port: int, email: str, password: str) -> dict:
    """Post the sign-in form to the host (or proxy) on ``port``; its answer."""
    from urllib.parse import urlencode

    cookie, token = sign_in_page(port, source="127.0.0.1")
    form = {
        "csrfmiddlewaretoken": token,
        "sign_in_view-current_step": "auth",
        "auth-username": email,
        "auth-password": password,
    }
    return send(
        port, "POST", reverse("accounts:login"),
        {
            "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        pieces=(urlencode(form).encode(),),
    )  # fmt: skip


@pytest.fixture
def person(settings):
    """An applicant whose password the hosts can check (they hash as production does)."""
    from django.conf import global_settings

    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user = UserFactory(email="two.hosts@example.org")
    user.set_password("a long and private passphrase")
    user.save()
    return user


def test_a_sign_in_on_one_host_holds_on_the_other(proxy, person):
    first, second = proxy["hosts"]

    signed_in = sign_in_at(first.port, person.email, "a long and private passphrase")

    assert signed_in["status"] == 302, signed_in["body"][:300]
    session = next(c for c in signed_in["cookies"] if c.startswith("sessionid="))
    page = send(
        second.port, "GET", reverse("accounts:security"), {"Cookie": session.split(";")[0]}
    )
    assert page["status"] == 200 and person.email.encode() in page["body"]


def test_a_lockout_is_counted_across_both_hosts(proxy, person, settings):
    from axes.models import AccessAttempt

    hosts = proxy["hosts"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        answer = sign_in_at(hosts[attempt % 2].port, person.email, f"wrong {attempt}")
        assert answer["status"] in (200, 429)

    assert AccessAttempt.objects.get(username=person.email).failures_since_start >= (
        settings.AXES_FAILURE_LIMIT
    )
    for host in hosts:  # even the right password is paused now, on either host
        paused = sign_in_at(host.port, person.email, "a long and private passphrase")
        assert b"Sign-in paused" in paused["body"]
