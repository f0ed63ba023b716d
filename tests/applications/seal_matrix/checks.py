"""Checking one GET cell: what must show, what must stay hidden, how a refusal looks."""

from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent
from tests.applications.seal_matrix.cells import ALLOWED, NO_LEAK, REFUSED, SEALED, expectation
from tests.applications.seal_matrix.columns import (
    AFTER_FINANCIAL,
    ANSWER_PENDING,
    CLIENT_IP,
    LEADS,
    OFFER_SHOWN,
    OPENED_PHASES,
)
from tests.applications.seal_matrix.routes import Route
from tests.applications.seal_matrix.world import World


def response_text_bytes(response) -> bytes:
    # Reading a streamed response to its end closes it, as a WSGI server would.
    # (Closing it again would fire request_finished and close the test's DB connection.)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _must_show(name: str, phase: str, resource: str, w: World) -> list[str]:
    if name == "applications:submission":
        return [w.reference, w.files["technical"].original_name]
    if name == "applications:receipt":
        return [w.reference, w.files["technical"].sha256]
    if name == "zabuni_call_submissions":
        if phase not in OPENED_PHASES:
            return ["2 submissions received"]
        return [
            "2 submissions received",
            w.users["owner"].email,
            w.reference,
            w.files["technical"].original_name,
            w.download_url("technical"),
        ]
    if name == "zabuni_call_audit" and phase in OPENED_PHASES:
        return [w.reference]
    if name == "reviews:financial_register":
        return [w.reference, OFFER_SHOWN, w.files["financial"].sha256]
    if name in ("zabuni_call_register", "reviews:register"):
        return [w.reference, w.files["technical"].original_name, w.files["financial"].sha256]
    if name in ("zabuni_evaluation_ranking", "reviews:report", "reviews:compliance"):
        return [str(w.submission.label)]
    return []


def _must_hide(name: str, phase: str, resource: str, w: World, role: str) -> list[str]:
    pending = [w.files["pending"].original_name, w.download_url("pending"), ANSWER_PENDING]
    sealed_price = [] if phase == AFTER_FINANCIAL else [OFFER_SHOWN]
    if name in ("zabuni_call_register", "reviews:register", "reviews:financial_register"):
        # Financial envelopes by hash only; a replacement never resubmitted, not at all.
        return [*sealed_price, w.files["financial"].original_name, *pending]
    if name in ("zabuni_evaluation_ranking", "reviews:report", "reviews:compliance"):
        return [*sealed_price, *(f.original_name for f in w.files.values()), "/bids/files/"]
    if name in ("zabuni_call_submissions", "zabuni_call_audit"):
        if phase not in OPENED_PHASES:
            return [*w.secrets, "/bids/files/"]
        if phase == AFTER_FINANCIAL:
            return pending
        return [w.files["financial"].original_name, w.download_url("financial"), *pending]
    if name in ("applications:submission", "applications:receipt") and role != "owner":
        if phase == AFTER_FINANCIAL and role in LEADS:
            return pending
        return [OFFER_SHOWN, w.files["financial"].original_name, *pending]
    return []


def refusal_is_proper(response, role: str) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"].split("?")[0]
        allowed = {reverse("accounts:login"), reverse("wagtailadmin_login")}
        if role != "anonymous":
            allowed.add(reverse("wagtailadmin_home"))
        return location in allowed
    return False


def _downloads():
    return AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED)


def check_cell(route: Route, role: str, phase: str, resource: str, url: str, w: World):
    """Request ``url`` as ``role``; return what is wrong with the answer, if anything."""
    expected = expectation(route.name, role, phase, resource)
    user = w.users[role]
    downloads_before = set(_downloads().values_list("pk", flat=True))
    response = w.clients[role].get(url)
    raw = response_text_bytes(response)
    text = raw.decode("utf-8", errors="replace")
    new_downloads = list(_downloads().exclude(pk__in=downloads_before))
    cell = f"[{phase}] {role} GET {url} ({resource}) -> {response.status_code}"
    problems = []
    if response.status_code >= 500:
        return [f"{cell}: server error"]

    if expected == ALLOWED:
        if response.status_code != 200:
            problems.append(f"{cell}: expected 200")
        if route.name == "applications:download":
            if raw != w.content[resource]:
                problems.append(f"{cell}: the file's bytes were not served")
            item = w.files[resource]
            audited = [
                e
                for e in new_downloads
                if e.actor_id == user.pk and e.file_id == item.pk and e.ip_address == CLIENT_IP
            ]
            if len(new_downloads) != 1 or len(audited) != 1:
                problems.append(
                    f"{cell}: expected one audit event (actor, file, IP), got {new_downloads!r}"
                )
        for needle in _must_show(route.name, phase, resource, w):
            if needle not in text:
                problems.append(f"{cell}: does not show {needle!r}")
        for needle in _must_hide(route.name, phase, resource, w, role):
            if needle in text:
                problems.append(f"{cell}: shows {needle!r}, which is sealed")
    elif expected in (REFUSED, NO_LEAK, SEALED):
        if expected == SEALED and response.status_code != 409:
            problems.append(f"{cell}: expected 409, the file sealed to the committee")
        if expected == REFUSED and not refusal_is_proper(response, role):
            where = response.get("Location", "")
            problems.append(f"{cell}: expected 403/404 or a redirect to sign in {where}")
        for needle in w.secrets:
            if needle in text:
                problems.append(f"{cell}: leaks {needle!r}")
        if new_downloads:
            problems.append(f"{cell}: a refused request wrote download events {new_downloads!r}")
    return problems
