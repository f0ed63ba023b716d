"""The address a request came from, as recorded in the audit trail.

Behind a reverse proxy every request arrives from the proxy, so REMOTE_ADDR alone
names the proxy. ``TRUSTED_PROXIES`` lists the proxies (addresses or networks)
whose ``X-Forwarded-For`` is believed: the client is the right-most address in
that header that is not itself a trusted proxy. Without the setting, the header
is ignored, since anyone can send it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def is_trusted_proxy(address: str) -> bool:
    """``address`` is one of ``TRUSTED_PROXIES``: its forwarded headers are believed."""
    return bool(address) and _trusted(address)


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for address in reversed([a.strip() for a in forwarded.split(",") if a.strip()]):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return remote  # a garbled header: keep what the socket saw
        if not _trusted(address):
            return address
    return remote
