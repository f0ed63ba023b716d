"""Bidders hear of what a call announces: addenda and published answers."""

from django.db.models.signals import m2m_changed, post_save

from accounts.models import OpeningKey
from applications.choices import AuditAction
from applications.models import OpeningCommittee
from applications.permissions import shortlisted_applicants
from applications.services.audit import audit_record
from applications.services.call_keys import call_key_publish_refusal
from applications.services.committee_changes import on_members_changed, on_opening_key_saved
from applications.services.key_opening import shares_erase
from applications.services.notices import (
    notify_stakeholders,
    on_addendum_recorded,
    on_clarification_published,
    on_second_stage_published,
)
from tenders.publishing import register_publish_check
from tenders.signals import (
    addendum_recorded,
    call_cancelled,
    clarification_published,
    second_stage_published,
)
from tenders.stages import register_shortlist


def audit_terms_change(sender, call, addendum, **kwargs) -> None:
    """Every published change to a call's deadline or terms joins the audit trail."""
    parts = []
    if addendum.new_closes_at != addendum.previous_closes_at:
        parts.append(
            f"deadline {addendum.previous_closes_at:%Y-%m-%d %H:%M:%S} UTC -> "
            f"{addendum.new_closes_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    if addendum.terms_changed:
        parts.append("terms changed")
    audit_record(
        actor=None,
        action=AuditAction.TERMS_CHANGED,
        call=call,
        detail=f"Addendum {addendum.number}: " + "; ".join(parts or ["published"]),
    )


def on_call_cancelled(sender, call, cancellation, **kwargs) -> None:
    audit_record(
        actor=None,
        action=AuditAction.CALL_CANCELLED,
        call=call,
        detail=f"Cancelled: {cancellation.reason}"[:2000],
    )
    # The seal holds for good: shares given towards an opening that will never come go.
    shares_erase(call)
    notify_stakeholders(
        call=call,
        template="applications/emails/call_cancelled",
        context={"cancellation": cancellation},
        event_key=f"cancelled:{call.pk}",
    )


def connect():
    post_save.connect(
        on_opening_key_saved, sender=OpeningKey, dispatch_uid="zabuni-opening-key-made"
    )
    m2m_changed.connect(
        on_members_changed,
        sender=OpeningCommittee.members.through,
        dispatch_uid="zabuni-committee-changes",
    )
    register_shortlist(shortlisted_applicants)
    register_publish_check(call_key_publish_refusal)
    second_stage_published.connect(on_second_stage_published, dispatch_uid="zabuni-invitations")
    call_cancelled.connect(on_call_cancelled, dispatch_uid="zabuni-cancellation")
    addendum_recorded.connect(audit_terms_change, dispatch_uid="zabuni-addendum-audit")
    addendum_recorded.connect(on_addendum_recorded, dispatch_uid="zabuni-addendum-notices")
    clarification_published.connect(
        on_clarification_published, dispatch_uid="zabuni-clarification-notices"
    )
