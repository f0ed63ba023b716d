"""The applicants' side of ``bench_rush.py``: fetch a draft's bid form, build its
final submit (a 1 MB proposal), and send it at a planned moment.

Each submit is sent over a fresh connection by its own thread, with its body built
in memory. All of the body but its last ``TAIL`` bytes goes first; the tail goes
either at once or, for a submit aimed at a moment (``last``), at that moment. The
client's clock is read just before and just after the tail is handed to the kernel:
the body's last byte left between the two.
"""

import http.client
import re
import secrets
import sys
import time

MB = 1024 * 1024
TAIL = 64  # bytes held back, so that the last byte leaves when it is meant to
SPIN = 0.002  # the last seconds before an aimed moment are waited for by spinning


def pdf_bytes(size: int, tag: int) -> bytes:
    head = b"%PDF-1.4\n%" + str(tag).encode() + b"\n"
    tail = b"\ntrailer\n<< >>\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def get(port, path, cookies) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, response.read()
    finally:
        conn.close()


def multipart(fields: dict[str, str], file_field: str, data: bytes) -> tuple[bytes, str]:
    boundary = "rush-" + secrets.token_hex(10)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="proposal.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def bid_form(port, person, technical_field, tag: int) -> tuple:
    """Fetch a draft's bid form and build its final submit: (path, cookies, body, type)."""
    path = f"/bids/{person['submission']}/"
    status, cookies, page = get(port, path, {"sessionid": person["sessionid"]})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        sys.exit(f"could not load the bid form ({status})")
    body, content_type = multipart(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "action": "submit",
            "offer_amount": "1250000",
            "offer_currency": "KES",
        },
        technical_field,
        pdf_bytes(MB, tag),
    )
    return path, cookies, body, content_type


def wait_for(moment: float) -> None:
    """Until ``moment`` (client clock): sleep, then spin the last ``SPIN`` seconds."""
    time.sleep(max(0.0, moment - SPIN - time.time()))
    while time.time() < moment:
        pass


def submit(port, path, cookies, body, content_type, plan: dict, result: dict) -> None:
    """Open a connection at ``plan['start']``, send the request and all of its body
    but the tail, then the tail (at ``plan['last']`` if given); record what happened:
    the status, when the tail began and finished leaving (``last_began``, ``sent``),
    and ``latency``: first byte sent to last byte of the answer, less the time the
    tail was deliberately held back."""
    time.sleep(max(0.0, plan["start"] - time.time()))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
    started = time.time()
    held = 0.0
    last_began = sent = started
    try:
        conn.putrequest("POST", path)
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Referer", f"http://127.0.0.1:{port}{path}")
        conn.endheaders()
        conn.send(body[:-TAIL])
        if plan.get("last") is not None:
            waiting = time.time()
            wait_for(plan["last"])
            held = time.time() - waiting
        last_began = time.time()
        conn.send(body[-TAIL:])
        sent = time.time()
        response = conn.getresponse()
        page = response.read()
        result.update(
            status=response.status,
            location=response.getheader("Location") or "",
            page=page[:200_000].decode("utf-8", "replace") if response.status != 302 else "",
        )
    except (OSError, http.client.HTTPException) as error:
        result.update(status=599, location="", page=f"client: {error!r}")
    done = time.time()
    conn.close()
    result.update(
        path=path,
        started=started,
        last_began=last_began,
        sent=sent,
        done=done,
        latency=done - started - held,
    )


def submit_alone(port, site) -> list[float]:
    """The baseline: the same final submit, one at a time, with nobody else sending and
    the deadline days away. Returns each one's latency."""
    latencies = []
    for n, person in enumerate(site["alone"]):
        result = {}
        form = bid_form(port, person, site["technical_field"], 100_000 + n)
        submit(port, *form, {"start": time.time()}, result)
        if result["status"] != 302 or "/receipt/" not in result["location"]:
            sys.exit(f"a submit alone was not accepted ({result['status']}); no baseline")
        latencies.append(result["latency"])
    return latencies
