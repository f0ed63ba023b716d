"""The audit trail's client address: X-Forwarded-For only from a trusted proxy."""

import pytest
from django.test import RequestFactory

from core.client_ip import client_ip


@pytest.fixture
def request_from():
    def build(remote, forwarded=None):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    return build


def test_without_trusted_proxies_the_header_is_ignored(settings, request_from):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_address(
    settings, request_from
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # A client may put anything at the left; only what the proxies appended counts.
    spoofed = "1.2.3.4, 198.51.100.7, 10.0.0.5"
    assert client_ip(request_from("10.0.0.2", spoofed)) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    # A request that did not come through the proxy: its header is not believed.
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
