"""The daily checkpoint: the audit chain's head, mailed to the opening committees.

A head written down outside the database is what holds even the database's
owner to the trail (``verify_audit --checkpoint``). Receipts and registers
write one down when a bidder acts; this mail writes one down every day for the
people who guard the sealed bids, for every call that has not been opened yet
(taking bids, or closed and sealed). One mail a day per member, whatever the
number of their calls; running again the same day sends nothing more.
"""

from django.utils import timezone

from applications.models import OpeningCommittee
from applications.services.audit_chain import audit_chain_extend, audit_chain_head
from core.clock import db_now
from notifications.services import outbox_enqueue
from tenders.models import CallPage


def audit_checkpoint_mail() -> int:
    """Queue today's checkpoint to each member of a committee of a call not yet opened
    (once a day: the outbox keeps one message per member and day); how many members."""
    audit_chain_extend()
    head = audit_chain_head()
    if head is None:
        return 0
    now = db_now()
    day = timezone.localdate(now)
    calls = (
        CallPage.objects.live()
        .originals()
        .undecided()
        .filter(opens_at__lte=now, opening__isnull=True)
    )
    committees = (
        OpeningCommittee.objects.filter(call__in=calls)
        .select_related("call")
        .prefetch_related("members")
        .order_by("call__closes_at", "call__pk")
    )
    calls_of: dict = {}
    for committee in committees:
        for member in committee.members.all():
            if member.is_active:
                calls_of.setdefault(member, []).append(committee.call)
    for member, member_calls in sorted(calls_of.items(), key=lambda item: item[0].pk):
        outbox_enqueue(
            to=member.email,
            language=member.language,
            template="applications/emails/audit_checkpoint",
            context={"head": head, "day": day, "calls": member_calls, "member": member},
            dedupe_key=f"audit-checkpoint:{day.isoformat()}:{member.pk}",
        )
    return len(calls_of)
