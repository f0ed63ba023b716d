"""The retention policy as rules: what each finds past its period, and what it does.

Each rule answers ``batches(now)``: groups of rows (by call, where there is one)
that its period has passed, and ``apply(batch, now)``: deletes them and says how
many went. ``privacy.retention`` runs them, in order, for the beat task and for
``manage.py retention``; docs/retention.md is this module in words.

A rule finds only what is still there, so running it twice does nothing the
second time, and a run that stopped half-way (a store down, a worker killed) is
finished by the next.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import SignedInSession
from applications.choices import AuditAction, SubmissionStatus
from applications.models import AuditEvent, CallOpening, PartialUpload, Submission, SubmissionFile
from applications.services.purging import draft_delete, files_purge, submission_contents_purge
from applications.services.resumable import partial_uploads_sweep
from notifications.models import OutboxMessage, OutboxState
from privacy.data_copy.services import data_copies_expire
from privacy.erasure import account_erase, erasures_complete, evaluates_or_opens, kept_records
from privacy.inactivity import accounts_warn
from privacy.models import ErasureReason, ErasureRequest, ErasureState
from privacy.models.data_copies import DataCopy, DataCopyState
from tenders.choices import CallKind
from tenders.models import CallPage


@dataclass
class Batch:
    """What one rule would remove on one call (or outside any call)."""

    call_id: int | None
    ids: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


def _calls_ended_before(cutoff: datetime, *, actions) -> models.QuerySet:
    """Originals whose last ``actions`` event (outcome notices, cancellation) is older
    than ``cutoff``: the day a call's outcome became final is on the record."""
    ended = (
        AuditEvent.objects.filter(call=models.OuterRef("pk"), action__in=actions)
        .order_by()
        .values("call")
        .annotate(last=models.Max("at"))
        .values("last")
    )
    return (
        CallPage.objects.originals()
        .annotate(ended_at=models.Subquery(ended))
        .filter(ended_at__lt=cutoff)
    )


def _by_call(rows) -> list[Batch]:
    batches: dict = {}
    for pk, call_id in rows:
        batches.setdefault(call_id, Batch(call_id)).ids.append(pk)
    return list(batches.values())


class Rule:
    code = ""
    label = ""
    reason = ""
    # What the rule does to what it finds, for ``manage.py retention``'s report.
    acts = ("would remove", "removed")

    def batches(self, now) -> list[Batch]:
        raise NotImplementedError

    def apply(self, batch: Batch, now) -> int:
        raise NotImplementedError

    def done(self, batch: Batch) -> int:
        """How much of ``batch`` is gone, after ``apply`` stopped half-way."""
        return 0


class Drafts(Rule):
    code = "drafts"
    label = _("Drafts never submitted")
    reason = _(
        "Deleted 90 days after the call closes: they were never a bid, and nobody "
        "needs them (Data Protection Act 2019, s.39)."
    )

    def batches(self, now):
        rows = Submission.objects.filter(
            status=SubmissionStatus.DRAFT,
            purged_at__isnull=True,
            call__closes_at__lt=now - settings.RETENTION_DRAFTS,
        ).values_list("pk", "call_id")
        return _by_call(rows)

    def apply(self, batch, now):
        for submission in Submission.objects.filter(pk__in=batch.ids, purged_at__isnull=True):
            draft_delete(submission=submission)
        return batch.count

    def done(self, batch):
        left = Submission.objects.filter(pk__in=batch.ids, purged_at__isnull=True).count()
        return batch.count - left


class WithdrawnFiles(Rule):
    code = "withdrawn"
    label = _("Files of withdrawn bids")
    reason = _(
        "Deleted at the opening: a withdrawn bid is never opened, and only the record "
        "that it was withdrawn, with its files' fingerprints, is kept."
    )

    def batches(self, now):
        opened = CallOpening.objects.values("call_id")
        rows = SubmissionFile.objects.filter(
            submission__status=SubmissionStatus.WITHDRAWN,
            submission__call_id__in=opened,
            purged_at__isnull=True,
        ).values_list("pk", "submission__call_id")
        return _by_call(rows)

    def apply(self, batch, now):
        return files_purge(files=SubmissionFile.objects.filter(pk__in=batch.ids))

    def done(self, batch):
        return SubmissionFile.objects.filter(pk__in=batch.ids, purged_at__isnull=False).count()


class UnfundedApplications(Rule):
    code = "unfunded"
    label = _("Grant applications not funded")
    reason = _(
        "Files, answers and who sent them deleted 12 months after the outcome notices; "
        "the register line, the fingerprints and the scores stay (Data Protection Act "
        "2019, s.39)."
    )

    def batches(self, now):
        calls = _calls_ended_before(
            now - settings.RETENTION_UNFUNDED_APPLICATIONS, actions=[AuditAction.OUTCOMES_SENT]
        ).filter(kind=CallKind.GRANT)
        rows = (
            Submission.objects.filter(call__in=calls.values("pk"), purged_at__isnull=True)
            .exclude(status__in=[SubmissionStatus.AWARDED, SubmissionStatus.SHORTLISTED])
            .values_list("pk", "call_id")
        )
        return _by_call(rows)

    def apply(self, batch, now):
        for submission in Submission.objects.filter(pk__in=batch.ids, purged_at__isnull=True):
            submission_contents_purge(submission=submission)
        return batch.count

    def done(self, batch):
        return Submission.objects.filter(pk__in=batch.ids, purged_at__isnull=False).count()


class ProcurementRecords(Rule):
    code = "procurement"
    label = _("Bids of calls awarded or cancelled six years ago")
    reason = _(
        "Procurement records are kept at least six years after the award or "
        "cancellation (PPADA 2015 s.68); then the bids' files, answers and who sent them "
        "are deleted. The registers and the audit trail stay."
    )

    def batches(self, now):
        calls = _calls_ended_before(
            now - settings.RETENTION_PROCUREMENT_RECORDS,
            actions=[AuditAction.OUTCOMES_SENT, AuditAction.CALL_CANCELLED],
        )
        rows = Submission.objects.filter(
            call__in=calls.values("pk"), purged_at__isnull=True
        ).values_list("pk", "call_id")
        return _by_call(rows)

    def apply(self, batch, now):
        return UnfundedApplications.apply(self, batch, now)

    def done(self, batch):
        return UnfundedApplications.done(self, batch)


class MailBodies(Rule):
    code = "mail_bodies"
    label = _("Bodies of mail sent")
    reason = _(
        "Deleted 30 days after delivery, or after the portal gave up sending: they carry "
        "sign-in links. The subject and recipient stay for the Notifications screen."
    )

    def _due(self, now):
        cutoff = now - settings.RETENTION_MAIL_BODIES
        return OutboxMessage.objects.filter(
            models.Q(state=OutboxState.SENT, sent_at__lt=cutoff)
            | models.Q(state=OutboxState.FAILED, failed_at__lt=cutoff)
        ).exclude(body_text="", body_html="")

    def batches(self, now):
        ids = list(self._due(now).values_list("pk", flat=True))
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        return self._due(now).filter(pk__in=batch.ids).update(body_text="", body_html="")


class UnfinishedUploads(Rule):
    code = "unfinished_uploads"
    label = _("Unfinished uploads")
    reason = _("Deleted a day after they were started: a closed tab, a lost phone.")

    def batches(self, now):
        ids = list(
            PartialUpload.objects.filter(started_at__lt=now - timedelta(days=1)).values_list(
                "pk", flat=True
            )
        )
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        return partial_uploads_sweep(now=now)


def unused_accounts(now) -> models.QuerySet:
    """Applicants' accounts nobody signed in to for the period, with nothing left to
    keep: no bid that is still a record (received, withdrawn, or outside a purge). Those
    who evaluate or open bids are not applicants (``erasure.evaluates_or_opens``):
    their acts are the record, and an administrator closes their accounts."""
    User = get_user_model()
    kept = Submission.objects.filter(applicant=models.OuterRef("pk"), purged_at__isnull=True)
    kept = kept.exclude(status=SubmissionStatus.DRAFT)
    candidates = (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=now - settings.RETENTION_INACTIVE_ACCOUNTS)
        .exclude(models.Exists(kept))
    )
    applicants = [user.pk for user in candidates if not evaluates_or_opens(user)]
    return User.objects.filter(pk__in=applicants)


class UnusedAccountsWarned(Rule):
    code = "inactive_warn"
    acts = ("would warn", "warned")
    label = _("Unused accounts: warned")
    reason = _(
        "An account nobody signed in to for three years, with nothing left to keep, is "
        "told by mail that it will be deleted in 30 days unless its owner signs in."
    )

    def batches(self, now):
        ids = list(
            unused_accounts(now)
            .filter(inactivity_warning__isnull=True)
            .values_list("pk", flat=True)
        )
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        return accounts_warn(user_ids=batch.ids, now=now)


class UnusedAccountsDeleted(Rule):
    code = "inactive_delete"
    label = _("Unused accounts: deleted")
    reason = _(
        "Deleted 30 days after the warning if nobody signed in (Data Protection Act 2019, s.39)."
    )

    def batches(self, now):
        ids = list(
            unused_accounts(now)
            .filter(inactivity_warning__warned_at__lt=now - settings.RETENTION_INACTIVE_WARNING)
            .values_list("pk", flat=True)
        )
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        User = get_user_model()
        for user in User.objects.filter(pk__in=batch.ids):
            account_erase(user=user, reason=ErasureReason.INACTIVE, now=now)
        return batch.count


class ErasuresCompleted(Rule):
    code = "erasures"
    label = _("Erased accounts' kept records")
    reason = _(
        "An erased account's records, kept while the law required, are anonymised once "
        "the last of them has been deleted."
    )

    def batches(self, now):
        waiting = ErasureRequest.objects.filter(state=ErasureState.KEEPING).select_related("user")
        ids = [r.pk for r in waiting if not kept_records(r.user, now=now)]
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        return erasures_complete(now=now)


class DataCopies(Rule):
    code = "data_copies"
    label = _("Copies of people's data")
    reason = _("Deleted once their link has run out, a day after they were made.")

    def batches(self, now):
        ids = list(
            DataCopy.objects.filter(state=DataCopyState.READY, expires_at__lte=now).values_list(
                "pk", flat=True
            )
        )
        return [Batch(None, ids)] if ids else []

    def apply(self, batch, now):
        return data_copies_expire(now=now)


class SignInRecords(Rule):
    code = "sign_ins"
    label = _("Records of sign-ins and sessions")
    reason = _(
        "Sign-in attempts (address, IP address, browser) and ended sessions are deleted "
        "after 90 days: long enough to look into an attack on an account."
    )

    def _due(self, now):
        cutoff = now - settings.RETENTION_SIGN_IN_RECORDS
        return [
            AccessAttempt.objects.filter(attempt_time__lt=cutoff),
            AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
            AccessLog.objects.filter(attempt_time__lt=cutoff),
            Session.objects.filter(expire_date__lt=now),
            SignedInSession.objects.filter(last_seen_at__lt=cutoff),
        ]

    def batches(self, now):
        count = sum(rows.count() for rows in self._due(now))
        return [Batch(None, list(range(count)))] if count else []

    def apply(self, batch, now):
        return sum(rows.delete()[0] for rows in self._due(now))


RULES: list[Rule] = [
    UnfinishedUploads(),
    Drafts(),
    WithdrawnFiles(),
    UnfundedApplications(),
    ProcurementRecords(),
    MailBodies(),
    UnusedAccountsWarned(),
    UnusedAccountsDeleted(),
    ErasuresCompleted(),
    DataCopies(),
    SignInRecords(),
]
