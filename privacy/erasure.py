"""Erasing an account: what goes at once, what the law keeps and until when.

Everything about the person goes at once: their address, names, profile,
sessions, second factors, sign-in records, drafts, unsent mail and mail bodies,
and bids on calls still open (withdrawn, files and answers deleted). The account
row stays, emptied and unable to sign in, under a pseudonym, because the records
that must be kept point at it: bids received on closed calls are procurement
records (PPADA 2015 s.68), kept with their files and answers until their period
ends; the retention rules then delete those too, and the erasure is complete.
Every page that names a bidder shows the pseudonym from the moment of erasure.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import OpeningKey, Profile
from accounts.sessions import sessions_end_all
from applications.choices import RECEIVED, AuditAction, SubmissionStatus
from applications.models import AuditEvent, Submission
from applications.services.audit import audit_record
from applications.services.audit_erasure import audit_details_erase
from applications.services.purging import draft_delete, submission_contents_purge
from applications.services.withdrawal import submission_withdraw
from core.errors import DeadlinePassed, NotAllowed, Refused
from core.storage import delete_quietly
from notifications.models import OutboxMessage, OutboxState
from privacy.models import ErasureReason, ErasureRequest, ErasureState, InactivityWarning
from privacy.models.data_copies import DataCopy
from reviews.models import Assignment, Panel
from tenders.choices import CallKind
from tenders.models import Clarification

ERASED_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class Kept:
    """A record the law makes us keep after erasure, and until when."""

    submission: Submission
    until: datetime | None  # None: the call is not decided yet

    @property
    def until_in_words(self) -> str:
        if self.until is None:
            return _("kept until %(why)s") % {"why": self.why}
        return _("kept until %(until)s") % {"until": date_format(self.until, "j F Y")}

    @property
    def why(self) -> str:
        if self.submission.call.kind == CallKind.GRANT and not self.submission.is_awarded:
            return _("12 months after the outcome notices")
        return _("six years after the call is awarded or cancelled (PPADA 2015, s.68)")


def _ended_at(call) -> datetime | None:
    return (
        AuditEvent.objects.filter(
            call=call, action__in=[AuditAction.OUTCOMES_SENT, AuditAction.CALL_CANCELLED]
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def kept_records(user, *, now: datetime) -> list[Kept]:
    """The user's bids that are procurement records: received on a call now closed."""
    bids = (
        Submission.objects.filter(applicant=user, purged_at__isnull=True, status__in=RECEIVED)
        .filter(call__closes_at__lte=now)
        .select_related("call")
        .order_by("call__closes_at")
    )
    kept = []
    for bid in bids:
        ended = _ended_at(bid.call)
        if ended is None:
            until = None
        elif bid.call.kind == CallKind.GRANT and not bid.is_awarded and not bid.is_shortlisted:
            until = ended + settings.RETENTION_UNFUNDED_APPLICATIONS
        else:
            until = ended + settings.RETENTION_PROCUREMENT_RECORDS
        kept.append(Kept(bid, until))
    return kept


def _kept_until(kept: list[Kept]) -> datetime | None:
    dates = [k.until for k in kept]
    return None if not dates or None in dates else max(dates)


def _new_pseudonym() -> str:
    while True:
        pseudonym = _("Erased applicant %(code)s") % {"code": secrets.token_hex(3).upper()}
        if not ErasureRequest.objects.filter(pseudonym=pseudonym).exists():
            return pseudonym


def _forget_second_factors(user) -> None:
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()


def _forget_sign_in_records(email: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _forget_mail(email: str, erased_email: str) -> None:
    mail = OutboxMessage.objects.filter(to_email__iexact=email)
    mail.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING]).delete()
    mail.update(to_email=erased_email, body_text="", body_html="", last_error="")


def _bids_go(user, *, now) -> None:
    """Drafts go whole; a bid on a call still open is withdrawn (as the applicant would
    withdraw it: before the deadline by the database's clock, never once opened) and
    emptied; a bid withdrawn earlier is emptied. A bid the deadline caught first stands:
    it is a record, kept."""
    for draft in Submission.objects.filter(applicant=user, status=SubmissionStatus.DRAFT):
        draft_delete(submission=draft)
    submitted = Submission.objects.filter(
        applicant=user, status=SubmissionStatus.SUBMITTED, call__closes_at__gt=now
    ).select_related("call")
    for bid in submitted:
        try:
            submission_withdraw(submission=bid, user=user)
        except (DeadlinePassed, NotAllowed):
            continue
    withdrawn = Submission.objects.filter(
        applicant=user, status=SubmissionStatus.WITHDRAWN, purged_at__isnull=True
    )
    for bid in withdrawn:
        submission_contents_purge(submission=bid)


# What only those who run, open or evaluate calls do: anyone who ever did one of these
# is not (only) an applicant, whatever their roles are now.
ACTS_OF_OFFICE = {
    AuditAction.CALL_OPENED,
    AuditAction.OPENING_CONFIRMED,
    AuditAction.OPENING_DELAYED,
    AuditAction.COMMITTEE_CHANGED,
    AuditAction.CALL_KEYED,
    AuditAction.OPENING_KEY_MADE,
    AuditAction.TERMS_CHANGED,
    AuditAction.CALL_CANCELLED,
    AuditAction.ASSIGNMENT_VIEWED,
    AuditAction.RANKING_VIEWED,
    AuditAction.SCORE_CHANGED,
    AuditAction.OUTCOME_DECIDED,
    AuditAction.COMPLIANCE_DECIDED,
    AuditAction.CONFLICT_DECLARED,
    AuditAction.REVIEW_SUBMITTED,
    AuditAction.SCORING_LOCKED,
    AuditAction.FINANCIAL_OPENED,
    AuditAction.NEGOTIATION_FAILED,
    AuditAction.REPORT_SIGNED,
    AuditAction.OUTCOMES_SENT,
}


def evaluates_or_opens(user) -> bool:
    """Staff, and anyone who reviews, chairs or opens bids, now or ever: their acts are
    the record, and an administrator closes their accounts."""
    return bool(
        user.is_staff
        or user.is_superuser
        or user.groups.exists()
        or user.review_panels.exists()
        or user.opening_committees.exists()
        or Panel.objects.filter(Q(chair=user) | Q(secretary=user)).exists()
        or Assignment.objects.filter(reviewer=user).exists()
        or OpeningKey.objects.filter(user=user).exists()
        or AuditEvent.objects.filter(actor=user, action__in=ACTS_OF_OFFICE).exists()
    )


def erasure_refusal(user) -> str:
    """Why this account cannot erase itself here, or ""."""
    if evaluates_or_opens(user):
        return _(
            "Accounts of staff, reviewers and committee members are closed by an "
            "administrator, so that no opening committee or panel is left without a member "
            "unawares, and what they did stays on the record."
        )
    return ""


def account_erase(*, user, reason: str = ErasureReason.REQUEST, now=None) -> ErasureRequest:
    """Erase ``user``'s personal data now; the request, with what was kept."""
    earlier = ErasureRequest.objects.filter(user=user).first()
    if earlier is not None:  # a double click, or two tabs: erased once
        return earlier
    refusal = erasure_refusal(user)
    if refusal:
        raise Refused(refusal)
    now = now or timezone.now()
    email = user.email
    _bids_go(user, now=now)
    kept = kept_records(user, now=now)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        earlier = ErasureRequest.objects.filter(user=user).first()
        if earlier is not None:  # the other click got the lock first
            return earlier
        pseudonym = _new_pseudonym()
        erased_email = f"erased-{secrets.token_hex(8)}@{ERASED_DOMAIN}"
        user.email = erased_email
        user.first_name, user.last_name, user.language = pseudonym, "", ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "legal_name": pseudonym,
                "registration_number": "",
                "phone": "",
                "website": "",
                "country": "",
                "email_verified_at": None,
            },
        )
        _forget_second_factors(user)
        _forget_sign_in_records(email)
        _forget_mail(email, erased_email)
        InactivityWarning.objects.filter(user=user).delete()
        # Their questions about calls stay the record of the clarification, unnamed.
        Clarification.objects.filter(asked_by=user).update(asked_by=None)
        copies = DataCopy.objects.filter(user=user)
        stored_copies = [name for name in copies.values_list("object_name", flat=True) if name]
        copies.delete()
        audit_details_erase(
            events=AuditEvent.objects.filter(actor=user, submission__isnull=True),
            why="account erased",
        )
        request = ErasureRequest.objects.create(
            user=user,
            pseudonym=pseudonym,
            reason=reason,
            state=ErasureState.KEEPING if kept else ErasureState.DONE,
            requested_at=now,
            kept="\n".join(f"{k.submission.reference}: {k.until_in_words}" for k in kept),
            kept_until=_kept_until(kept),
            completed_at=None if kept else now,
        )
        audit_record(actor=user, action=AuditAction.ACCOUNT_ERASED, detail=reason)
    sessions_end_all(user=user)
    delete_quietly(stored_copies, what="data copy")
    return request


def erasures_complete(*, now) -> int:
    """Erasures whose kept records have all been purged: complete, the account's own
    events' details erased. The count."""
    done = 0
    for request in ErasureRequest.objects.filter(state=ErasureState.KEEPING):
        if kept_records(request.user, now=now):
            continue
        with transaction.atomic():
            audit_details_erase(
                events=AuditEvent.objects.filter(actor=request.user),
                why="account erased, its kept records deleted",
            )
            ErasureRequest.objects.filter(pk=request.pk).update(
                state=ErasureState.DONE, completed_at=now, kept=""
            )
        done += 1
    return done
