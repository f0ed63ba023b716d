"""The logs name people by id, never by address, name or file name (issue 24).

An applicant goes the whole way, as in the browser: registers, confirms the
address, mistypes the password, signs in, saves a bid with two files and submits
it; the call is opened and a reviewer downloads a file; every mail to them is
refused by the relay with an answer that quotes their address, and then fails in
an HTTP mail API's client. Every log record the logging settings let through with
the root logger at DEBUG is kept, and none may hold their address, a part of their
name, their organisation's name or the name of a file they sent.
"""

import logging
import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications.demo import tiny_pdf
from applications.models import Submission
from notifications.models import OutboxMessage, OutboxState
from notifications.policy import retry_period
from notifications.services import outbox_retry_now, outbox_sweep
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, panel_hand_over
from tests.applications.deadline_support import close_at
from tests.applications.upload_support import post_files
from tests.conftest import FINANCIAL, TECHNICAL
from tests.factories import StaffFactory, UserFactory
from tests.portal.fault_support import free_port
from tests.sealing_support import open_call

EMAIL = "Wanjiru.Kamau.Logtest@example.org"
FIRST_NAME, LAST_NAME = "Wanjirulog", "Kamautest"
LEGAL_NAME = "Nyambura Borehole Logtest Consultants"
PROPOSAL = "Nyeri-logtest-technical-proposal.pdf"
OFFER = "Nyeri-logtest-priced-offer.pdf"
PASSWORD = "a-long-and-unusual-passphrase-42"
NEVER_LOGGED = [EMAIL, FIRST_NAME, LAST_NAME, LEGAL_NAME, PROPOSAL, OFFER]
# aiosmtpd's own logger: the relay here stands for someone else's server.
RELAY_LOGGER = "mail.log"


class EveryRecord(logging.Handler):
    """Each record as a log file would hold it: message, traceback, stack."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str]] = []

    def emit(self, record):
        if record.name.startswith(RELAY_LOGGER):
            return
        parts = [record.getMessage()]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        self.records.append((record.name, "\n".join(parts)))

    def lines(self, logger: str) -> list[str]:
        return [text for name, text in self.records if name.startswith(logger)]


@pytest.fixture
def every_record():
    """The root logger and every logger that does not pass its records up, at DEBUG.
    Loggers that settings.LOGGING holds at a higher level (wagtail, django_tasks) keep
    it: what they leave out is never written in production either."""
    handler = EveryRecord()
    root = logging.getLogger()
    level = root.level
    apart = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    root.setLevel(logging.DEBUG)
    for logger in [root, *apart]:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in [root, *apart]:
            logger.removeHandler(handler)
        root.setLevel(level)


class RefusesEveryone:
    """A relay that refuses every recipient, quoting the address, as Postfix does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.fixture
def refusing_relay(settings):
    port = free_port()
    controller = Controller(RefusesEveryone(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield controller
    finally:
        controller.stop()


class MailAPIRefuses(BaseEmailBackend):
    """An HTTP mail API's client whose error names the recipient."""

    def send_messages(self, email_messages):
        raise RuntimeError(f"400 Bad Request: invalid recipient {email_messages[0].to[0]}")


def sign_in(client, password):
    return client.post(
        reverse("accounts:login"),
        {"sign_in_view-current_step": "auth", "auth-username": EMAIL, "auth-password": password},
    )


def test_an_applicants_address_name_and_files_never_reach_the_logs(
    client, consultancy_call, every_record, refusing_relay, settings
):
    call = consultancy_call
    registered = client.post(
        reverse("accounts:register"),
        {
            "email": EMAIL,
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert registered.status_code == 200
    link = re.search(
        r"https?://testserver(/account/verify/\S+/)", OutboxMessage.objects.get().body_text
    )
    assert client.get(link.group(1)).status_code == 200
    assert client.post(link.group(1)).status_code == 302
    Profile.objects.filter(user__email=EMAIL).update(legal_name=LEGAL_NAME)

    assert sign_in(client, "a mistyped passphrase").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302

    assert client.post(reverse("applications:apply", args=[call.pk])).status_code == 302
    submission = Submission.objects.get(call=call)
    files = [(TECHNICAL, PROPOSAL, tiny_pdf("Methodology")), (FINANCIAL, OFFER, tiny_pdf("Fees"))]
    assert post_files(client, submission, files).status_code == 302
    assert post_files(client, submission, [], action="submit").status_code == 302
    submission.refresh_from_db()
    assert submission.is_submitted

    # The call closes and is opened; a reviewer declares no conflict and downloads.
    call = close_at(call, timezone.now() - timedelta(minutes=5))
    open_call(call, StaffFactory())
    reviewer = UserFactory()
    panel = Panel.objects.create(
        call=call, chair=reviewer, review_deadline=timezone.now() + timedelta(days=5)
    )
    panel.members.set([reviewer])
    panel_hand_over(call=call)
    assignment = Assignment.objects.get(submission=submission)
    conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
    client.force_login(reviewer)
    technical = submission.files.get(envelope="technical")
    download = client.get(reverse("applications:download", args=[technical.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # Every message to them is refused: once, then after their retry period (given up),
    # then once more by staff's "retry now", through an HTTP API's client.
    theirs = OutboxMessage.objects.filter(to_email__iexact=EMAIL)
    assert theirs.count() >= 2  # the confirmation link and the receipt at least
    outbox_sweep()
    assert outbox_sweep(now=timezone.now() + retry_period() + timedelta(hours=2)) == 0
    assert set(theirs.values_list("state", flat=True)) == {OutboxState.FAILED}
    settings.EMAIL_BACKEND = f"{__name__}.MailAPIRefuses"
    outbox_retry_now(message_ids=list(theirs.values_list("pk", flat=True)))
    outbox_sweep()

    # The log was written (so the check below reads something): axes's lines about
    # the two sign-ins, and the outbox's about each failed delivery.
    axes = every_record.lines("axes")
    assert any("login failure" in line for line in axes), axes
    assert any("Successful login" in line for line in axes), axes
    delivery = "\n".join(every_record.lines("notifications.delivery"))
    assert "not sent (attempt 1)" in delivery and "failed after 2 attempts" in delivery
    assert "unexpected mail error" in delivery and "550" in delivery

    leaks = [
        f"{name}: {text}"
        for name, text in every_record.records
        for secret in NEVER_LOGGED
        if secret.lower() in text.lower()
    ]
    assert leaks == []


def test_wagtails_failed_moderation_mail_is_logged_without_the_address(every_record):
    """Wagtail mails moderators round the outbox and logs a failure with the address."""
    try:
        raise ConnectionRefusedError(f"SMTP said no to {EMAIL}")
    except ConnectionRefusedError:
        logging.getLogger("wagtail.admin").exception(
            "Failed to send notification email '%s' to %s", "Page moderation", EMAIL
        )

    [line] = every_record.lines("wagtail.admin")
    assert "Failed to send notification email 'Page moderation' to [address hidden]" in line
    assert "ConnectionRefusedError" in line
    assert EMAIL not in line
