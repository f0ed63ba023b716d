"""The retention policy, with the clock moved on: each rule deletes what it should and
keeps what it must, procurement records are never purged before six years, and the
audit trail still verifies after the details of purged bids are erased."""

import pytest
from django.core.management import call_command

from applications.choices import AuditAction, SubmissionStatus
from applications.models import Answer, AuditEvent, Submission, SubmissionFile
from notifications.models import OutboxMessage, OutboxState
from privacy.retention import retention_apply, retention_plan
from reviews.ranking import applicant_name
from tests.factories import UserFactory, private_objects, start_submission
from tests.privacy import retention_support as support
from tests.privacy.retention_support import bid, close, days_on, notices_sent, outcome

pytestmark = pytest.mark.django_db

SIX_YEARS = 6 * 366


def objects_of(submission) -> set[str]:
    return set(
        SubmissionFile.objects.filter(submission=submission).values_list("object_name", flat=True)
    )


def stored(names) -> bool:
    held = set(private_objects())
    return all(any(h.endswith(n.split("/")[-1]) for h in held) for n in names)


def gone(names) -> bool:
    held = set(private_objects())
    return not any(any(h.endswith(n.split("/")[-1]) for h in held) for n in names)


@pytest.fixture
def decided(grant_call, consultancy_call, staff_user):
    """A grant call and a consultancy call, each decided and notified now."""
    refused = bid(grant_call, "refused.grantee@example.org")
    funded = bid(grant_call, "funded.grantee@example.org")
    lost = bid(consultancy_call, "lost.firm@example.org")
    for call in (grant_call, consultancy_call):
        support.opened(call, staff_user)
    outcome(refused, SubmissionStatus.NOT_SUCCESSFUL)
    outcome(funded, SubmissionStatus.AWARDED)
    outcome(lost, SubmissionStatus.NOT_SUCCESSFUL)
    for call in (grant_call, consultancy_call):
        notices_sent(call, staff_user)
    return {"refused": refused, "funded": funded, "lost": lost}


def test_an_unfunded_grant_application_goes_after_twelve_months_and_its_record_stays(decided):
    refused, funded = decided["refused"], decided["funded"]
    files = objects_of(refused)
    fingerprints = sorted(
        SubmissionFile.objects.filter(submission=refused).values_list("sha256", flat=True)
    )
    assert files and stored(files)

    retention_apply(now=days_on(300))  # not yet
    refused.refresh_from_db()
    assert refused.purged_at is None and stored(files)

    retention_apply(now=days_on(366))
    refused.refresh_from_db()
    assert refused.purged_at is not None
    assert gone(files)
    rows = SubmissionFile.objects.filter(submission=refused)
    assert sorted(rows.values_list("sha256", flat=True)) == fingerprints  # the record stays
    assert all(row.purged_at and row.original_name == row.document_name for row in rows)
    answer = Answer.objects.get(submission=refused)
    assert answer.value is None and answer.digest == "d" * 64
    assert refused.reference and refused.status == SubmissionStatus.NOT_SUCCESSFUL
    assert "refused.grantee" not in applicant_name(refused)
    # Funded: kept; its events keep their details.
    funded.refresh_from_db()
    assert funded.purged_at is None and stored(objects_of(funded))
    # The purged bid's audit events have no details left, and the chain still verifies.
    events = AuditEvent.objects.filter(submission=refused)
    assert events.exists() and not events.exclude(file_name="", detail="", ip_address=None)
    assert support.chain_checks()
    purge = AuditEvent.objects.get(action=AuditAction.RETENTION_PURGED, call=refused.call_id)
    assert purge.detail == "unfunded: 1"


def test_a_procurement_record_is_never_purged_before_six_years(decided):
    lost = decided["lost"]
    files = objects_of(lost)

    retention_apply(now=days_on(400))
    retention_apply(now=days_on(SIX_YEARS - 1))
    lost.refresh_from_db()
    assert lost.purged_at is None and stored(files)
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED, call=lost.call_id)

    retention_apply(now=days_on(SIX_YEARS + 1))
    lost.refresh_from_db()
    assert lost.purged_at is not None and gone(files)
    assert support.chain_checks()


def test_a_call_not_yet_decided_keeps_everything_whatever_the_date(consultancy_call, staff_user):
    submission = bid(consultancy_call, "waiting.firm@example.org")
    support.opened(consultancy_call, staff_user)

    retention_apply(now=days_on(20 * 366))

    submission.refresh_from_db()
    assert submission.purged_at is None and stored(objects_of(submission))


def test_drafts_go_ninety_days_after_the_call_closes(grant_call):
    draft = start_submission(grant_call, UserFactory(email="never.sent@example.org"))
    submitted = bid(grant_call, "sent.in.time@example.org")
    close(grant_call)

    retention_apply(now=days_on(89))
    assert Submission.objects.filter(pk=draft.pk).exists()

    retention_apply(now=days_on(91))
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert Submission.objects.filter(pk=submitted.pk, purged_at__isnull=True).exists()


def test_a_withdrawn_bids_files_go_at_the_opening(consultancy_call, staff_user):
    withdrawn = bid(consultancy_call, "changed.mind@example.org")
    outcome(withdrawn, SubmissionStatus.WITHDRAWN)
    files = objects_of(withdrawn)
    close(consultancy_call)

    retention_apply()  # closed, not opened: still there
    assert stored(files)

    support.opened(consultancy_call, staff_user)
    retention_apply()
    assert gone(files)
    assert SubmissionFile.objects.filter(
        submission=withdrawn, purged_at__isnull=False
    ).count() == len(files)


def test_mail_bodies_go_thirty_days_after_delivery_and_the_rest_stays():
    from django.utils import timezone

    sent = OutboxMessage.objects.create(
        dedupe_key="k1",
        to_email="reader@example.org",
        subject="Your bid was received",
        body_text="Sign in: https://portal.example.org/verify/abc",
        body_html="<a href='https://portal.example.org/verify/abc'>x</a>",
        state=OutboxState.SENT,
        sent_at=timezone.now(),
    )
    pending = OutboxMessage.objects.create(
        dedupe_key="k2", to_email="reader@example.org", subject="Pending", body_text="soon"
    )

    retention_apply(now=days_on(29))
    sent.refresh_from_db()
    assert sent.body_text

    retention_apply(now=days_on(31))
    sent.refresh_from_db()
    pending.refresh_from_db()
    assert (sent.body_text, sent.body_html) == ("", "")
    assert (sent.subject, sent.to_email) == ("Your bid was received", "reader@example.org")
    assert pending.body_text == "soon"  # not delivered: still needed


def test_the_dry_run_lists_each_rule_with_its_reason_and_deletes_nothing(decided, capsys):
    files = objects_of(decided["refused"])

    call_command("retention", "--dry-run", "--as-of", days_on(SIX_YEARS + 2).strftime("%Y-%m-%d"))

    out = capsys.readouterr().out
    assert "Grant applications not funded [unfunded]" in out
    assert "Bids of calls awarded or cancelled six years ago [procurement]" in out
    assert "12 months after the outcome notices" in out and "PPADA 2015 s.68" in out
    assert "would remove 1 (call " in out
    assert stored(files)
    assert Submission.objects.filter(purged_at__isnull=False).count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED).exists()


def test_as_of_is_refused_where_debug_is_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only where DEBUG is on"):
        call_command("retention", "--as-of", "2040-01-01")


def test_running_twice_deletes_nothing_more(decided):
    retention_apply(now=days_on(400))
    before = AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED).count()

    outcomes = retention_apply(now=days_on(400))

    assert sum(o.removed for o in outcomes) == 0
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED).count() == before
    assert retention_plan(now=days_on(400)) == []


@pytest.mark.parametrize(
    ("setting", "days", "code"),
    [
        ("RETENTION_PROCUREMENT_RECORDS", 219, "privacy.E002"),  # a typo for 2190
        ("RETENTION_PROCUREMENT_RECORDS", 6 * 365, "privacy.E002"),  # leap days forgotten
        ("RETENTION_DRAFTS", 0, "privacy.E001"),
        ("RETENTION_MAIL_BODIES", -30, "privacy.E001"),
    ],
)
def test_a_period_the_law_does_not_allow_stops_the_portal_starting(settings, setting, days, code):
    from datetime import timedelta

    from privacy.checks import retention_periods_lawful

    assert retention_periods_lawful() == []
    setattr(settings, setting, timedelta(days=days))

    assert code in [error.id for error in retention_periods_lawful()]


def test_a_store_that_fails_half_way_leaves_the_rest_for_the_next_run_on_the_record(
    grant_call, staff_user, monkeypatch
):
    from botocore.exceptions import EndpointConnectionError

    from applications.services import purging

    first = bid(grant_call, "first.refused@example.org")
    second = bid(grant_call, "second.refused@example.org")
    support.opened(grant_call, staff_user)
    for submission in (first, second):
        outcome(submission, SubmissionStatus.NOT_SUCCESSFUL)
    notices_sent(grant_call, staff_user)
    real = purging.private_storage()
    deleted = []

    class FailsOnTheSecond:
        def delete(self, name):
            if deleted:
                raise EndpointConnectionError(endpoint_url="http://s3.invalid")
            real.delete(name)
            deleted.append(name)

    monkeypatch.setattr(purging, "private_storage", FailsOnTheSecond)

    (result,) = [o for o in retention_apply(now=days_on(366)) if o.rule.code == "unfunded"]

    assert result.error == "EndpointConnectionError" and result.removed == 1
    purged = Submission.objects.filter(pk__in=[first.pk, second.pk], purged_at__isnull=False)
    assert purged.count() == 1
    kept = Submission.objects.get(pk__in=[first.pk, second.pk], purged_at__isnull=True)
    assert stored(objects_of(kept))  # not marked over an object still there
    note = AuditEvent.objects.get(action=AuditAction.RETENTION_PURGED, call=grant_call.pk)
    assert note.detail == "unfunded: 1, then stopped (EndpointConnectionError)"

    monkeypatch.undo()
    retention_apply(now=days_on(366))
    kept.refresh_from_db()
    assert kept.purged_at is not None and gone(objects_of(kept))
    assert support.chain_checks()


def test_an_unfinished_upload_goes_after_a_day(grant_call):
    from applications.models import PartialUpload

    draft = start_submission(grant_call, UserFactory(email="slow.phone@example.org"))
    started = PartialUpload.objects.create(
        submission=draft,
        requirement=grant_call.required_documents.first(),
        owner=draft.applicant,
        name="Wanjiru CV.pdf",
        size=5_000_000,
    )

    retention_apply(now=days_on(0.5))
    assert PartialUpload.objects.filter(pk=started.pk).exists()

    retention_apply(now=days_on(1.1))
    assert not PartialUpload.objects.filter(pk=started.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.RETENTION_PURGED, detail="unfinished_uploads: 1"
    ).exists()


def test_sign_in_records_go_after_ninety_days_and_recent_ones_stay(client):
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.sessions.models import Session

    from accounts.models import SignedInSession

    user = UserFactory(email="signs.in@example.org")
    client.force_login(user)  # (a success clears earlier failures: these come after)
    assert SignedInSession.objects.filter(user=user).exists()
    AccessLog.objects.create(username=user.email, ip_address="10.0.0.7", user_agent="Phone")
    AccessAttempt.objects.create(
        username=user.email, ip_address="10.0.0.7", user_agent="Phone", failures_since_start=1
    )

    retention_apply(now=days_on(89))
    assert AccessLog.objects.exists() and AccessAttempt.objects.exists()

    retention_apply(now=days_on(91))
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
    assert not SignedInSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(expire_date__lt=days_on(91)).exists()
