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

from accounts.models import Profile
from accounts.sessions import sessions_end_all
from applications.choices import RECEIVED, AuditAction, SubmissionStatus
from applications.models import AuditEvent, Submission, SubmissionFile
from applications.services.audit import audit_record
from applications.services.audit_erasure import audit_details_erase
from applications.services.purging import draft_delete, files_purge, submission_contents_purge
from core.errors import Refused
from core.storage import delete_quietly
from notifications.models import OutboxMessage, OutboxState
from privacy.models import ErasureReason, ErasureRequest, ErasureState, InactivityWarning
from privacy.models.data_copies import DataCopy
from reviews.models import Assignment, Panel
from tenders.choices import CallKind

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
    """Drafts go whole; a bid on a call still open is withdrawn and emptied; a withdrawn
    bid's files go."""
    for draft in Submission.objects.filter(applicant=user, status=SubmissionStatus.DRAFT):
        draft_delete(submission=draft)
    open_bids = Submission.objects.filter(
        applicant=user, call__closes_at__gt=now, purged_at__isnull=True
    ).exclude(status=SubmissionStatus.DRAFT)
    for bid in open_bids:
        with transaction.atomic():
            bid = Submission.objects.select_for_update().get(pk=bid.pk)
            if bid.status == SubmissionStatus.SUBMITTED:
                bid.move_to(SubmissionStatus.WITHDRAWN)
                bid.withdrawn_at = now
                bid.save(update_fields=["status", "withdrawn_at", "updated_at"])
                audit_record(actor=None, action=AuditAction.WITHDRAWN, submission=bid)
        submission_contents_purge(submission=bid)
    withdrawn = SubmissionFile.objects.filter(
        submission__applicant=user, submission__status=SubmissionStatus.WITHDRAWN
    )
    files_purge(files=withdrawn)


def evaluates_or_opens(user) -> bool:
    """Staff, and anyone who reviews, chairs or opens bids: their acts are the record."""
    return bool(
        user.is_staff
        or user.is_superuser
        or user.groups.exists()
        or user.review_panels.exists()
        or user.opening_committees.exists()
        or Panel.objects.filter(Q(chair=user) | Q(secretary=user)).exists()
        or Assignment.objects.filter(reviewer=user).exists()
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
        copies = DataCopy.objects.filter(user=user)
        stored_copies = [name for name in copies.values_list("object_name", flat=True) if name]
        copies.delete()
        audit_details_erase(events=AuditEvent.objects.filter(actor=user, submission__isnull=True))
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
            audit_details_erase(events=AuditEvent.objects.filter(actor=request.user))
            ErasureRequest.objects.filter(pk=request.pk).update(
                state=ErasureState.DONE, completed_at=now, kept=""
            )
        done += 1
    return done
