"""Forms for the staff screens in the Wagtail admin."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm

# The group staff pick panel members from. The demo loader creates it.
from reviews.permissions import REVIEWERS_GROUP
from tenders.models import CallPage

# After the hand-over, assignments exist for exactly these choices: changing
# them would leave reviewers without work or with work nobody gave them.
FIXED_AFTER_HAND_OVER = ("call", "chair", "members", "reviewers_per_submission")
LOCKED_REASON = _(
    "Technical scoring is locked, so this panel stays as it was when the reviews were "
    "judged: nothing here can change."
)


def person_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


def call_label(call) -> str:
    return f"{call.reference_code} · {Truncator(call.title).chars(60)}"


class PanelForm(WagtailAdminModelForm):
    """Staff set up a call's review panel: reviewers from the Reviewers group, one chair.

    The chair is a panel member (the hand-over gives them submissions too), so
    a chair left unticked among the reviewers is added. Once the panel has
    been handed its submissions, only the review deadline can change.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        panel = self.instance
        current = set()
        if panel.pk:
            current = set(panel.members.values_list("pk", flat=True)) | {panel.chair_id}
        reviewers = (
            get_user_model()
            .objects.filter(Q(groups__name=REVIEWERS_GROUP, is_active=True) | Q(pk__in=current))
            .distinct()
            .order_by("first_name", "last_name", "email")
        )
        for name in ("members", "chair", "secretary"):
            if name in self.fields:
                self.fields[name].queryset = reviewers
                self.fields[name].label_from_instance = person_label
        if "members" in self.fields:
            self.fields["members"].help_text = _(
                "People in the Reviewers group. The chair is always a member."
            )
        if "call" in self.fields:
            calls = CallPage.objects.originals().filter(panel__isnull=True)
            if panel.pk:
                calls = CallPage.objects.originals().filter(
                    Q(panel__isnull=True) | Q(pk=panel.call_id)
                )
            self.fields["call"].queryset = calls.order_by("-closes_at")
            self.fields["call"].label_from_instance = call_label
        fixed = ()
        if panel.pk:
            fixed = FIXED_AFTER_HAND_OVER if panel.handed_over_at else ("call",)
            if panel.is_locked:
                # The lock was judged by the panel as it stood: all of it stays so
                # (the edit view refuses a save too: reviews.permissions.can_change_panel).
                fixed = tuple(self.fields)
        for name in fixed:
            if name in self.fields:
                self.fields[name].disabled = True
        if panel.handed_over_at and "members" in self.fields:
            self.fields["members"].help_text = _(
                "The panel already has its submissions, so the call, the chair, the members "
                "and the reviewers per submission are fixed. The review deadline can still move."
            )
        if panel.is_locked:
            for name in ("members", "review_deadline"):
                if name in self.fields:
                    self.fields[name].help_text = LOCKED_REASON

    def clean(self):
        cleaned = super().clean()
        call = cleaned.get("call")
        chair = cleaned.get("chair")
        members = list(cleaned.get("members") or [])
        if chair is not None and chair not in members:
            members.append(chair)
            cleaned["members"] = members
        secretary = cleaned.get("secretary")
        if secretary is not None and secretary not in members:
            self.add_error("secretary", _("The secretary must be one of the panel's members."))
        per_submission = cleaned.get("reviewers_per_submission")
        if per_submission is not None and chair is not None:
            if per_submission < 1:
                self.add_error(
                    "reviewers_per_submission",
                    _("Ask for at least 1 reviewer per submission, or leave it empty."),
                )
            elif per_submission > len(members):
                self.add_error(
                    "reviewers_per_submission",
                    ngettext(
                        "The panel has %(count)s member (the chair included), so it cannot "
                        "give %(asked)s reviewers to each submission. Choose %(count)s or "
                        "fewer, or leave it empty for everyone to review everything.",
                        "The panel has %(count)s members (the chair included), so it cannot "
                        "give %(asked)s reviewers to each submission. Choose %(count)s or "
                        "fewer, or leave it empty for everyone to review everything.",
                        len(members),
                    )
                    % {"count": len(members), "asked": per_submission},
                )
        deadline = cleaned.get("review_deadline")
        if call is not None and deadline is not None and deadline <= call.closes_at:
            self.add_error(
                "review_deadline",
                _("The review deadline must be after the call's deadline."),
            )
        return cleaned


# Plain choices rather than Wagtail's page chooser: the form narrows the calls
# (those without a panel) and the people (the Reviewers group).
# (Wagtail lays a model choice field out at its content's width; a full width
# keeps a long call title or email address inside a phone's screen.)
FULL_WIDTH = {"style": "width: 100%"}
PANEL_WIDGETS = {
    "call": forms.Select(attrs=FULL_WIDTH),
    "chair": forms.Select(attrs=FULL_WIDTH),
    "secretary": forms.Select(attrs=FULL_WIDTH),
    "members": forms.CheckboxSelectMultiple,
}
