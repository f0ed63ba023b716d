"""The admin dashboard's "Work in hand" panel: what needs someone's attention today.

Open calls with the number of bids received (a count only: the bids stay
sealed), questions waiting for an answer, evaluations in progress and failed
mail. It spans the apps, so it lives here, in the project, above them all.
A fixed number of queries, however many calls there are.
"""

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from applications.choices import SubmissionStatus
from notifications.models import OutboxMessage, OutboxState
from notifications.permissions import can_manage_outbox
from reviews.models import Panel
from tenders.models import CallPage, Clarification

# Submitted and later (a withdrawn bid and a draft are not received bids).
RECEIVED = [
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.EVALUATED,
    SubmissionStatus.SHORTLISTED,
    SubmissionStatus.AWARDED,
    SubmissionStatus.NOT_SUCCESSFUL,
]
SHOWN = 10


class WorkInHandPanel(Component):
    name = "zabuni_work_in_hand"
    template_name = "portal/admin/work_in_hand.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        open_calls = list(
            CallPage.objects.live()
            .originals()
            .open_now(now)
            .annotate(bids=Count("submissions", filter=Q(submissions__status__in=RECEIVED)))
            .order_by("closes_at")
            .values("pk", "title", "reference_code", "closes_at", "bids")[:SHOWN]
        )
        waiting = Clarification.objects.filter(answer="").order_by("asked_at")
        evaluations = list(
            Panel.objects.filter(call__closes_at__lte=now, report_sign_off__isnull=True)
            .exclude(call__outcome="cancelled")
            .with_review_progress()
            .order_by("call__closes_at")
            .values(
                "call_id",
                "call__title",
                "call__reference_code",
                # The template's names for the one count (reviews.models.PanelQuerySet).
                assigned=F("reviews_expected"),
                reviewed=F("reviews_done"),
            )[:SHOWN]
        )
        show_mail = can_manage_outbox(self.request.user)
        return {
            "open_calls": open_calls,
            "waiting": list(
                waiting.values("pk", "question", "asked_at", "call__reference_code")[:SHOWN]
            ),
            "waiting_count": waiting.count(),
            "evaluations": evaluations,
            "failed_mail": (
                OutboxMessage.objects.filter(state=OutboxState.FAILED).count()
                if show_mail
                else None
            ),
            "outbox_url": reverse("zabuni_outbox") if show_mail else "",
        }


@hooks.register("construct_homepage_panels")
def add_work_in_hand(request, panels):
    if request.user.is_staff:
        panels.insert(0, WorkInHandPanel(request))
