"""Calls for consultancy and grant calls, and the index that lists them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import TermsOfReferenceBlock
from core.page_text import TranslatedText, rows_with_text
from tenders.choices import (
    ACCEPTED_FILE_TYPES,
    CallKind,
    CallOutcome,
    CallStage,
    CallState,
    Currency,
    SelectionMethod,
)
from tenders.form_blocks import ApplicationFormBlock
from tenders.forms import CallPageForm
from tenders.freeze import (
    FROZEN_CHILDREN,
    FROZEN_FIELDS,
    TermsFrozen,
    stored_terms,
    term_change_refusals,
)
from tenders.publishing import goes_live_now, going_live_refusal
from tenders.querysets import CallPageManager
from tenders.stages import publish_refusal, stage_change_refusal, stage_errors


class CallPage(TranslatedText, Page):
    """A call for consultancy or a grant call.

    Its state (upcoming, open, closed) follows from its dates, against the
    server's clock; awarded and cancelled are editors' decisions.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    # Empty (NULL) only on a translation, which takes the original's; unique among
    # originals. A copy of a call starts without one, so it cannot clash.
    reference_code = models.CharField(  # noqa: DJ001 - NULL keeps unique across blanks
        _("reference code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("For example DC-CFC-2026-004. Printed on every bid's reference number."),
    )
    summary = models.TextField(_("summary"), max_length=600)
    terms_of_reference = StreamField(
        TermsOfReferenceBlock(), verbose_name=_("terms of reference"), blank=True
    )
    application_form = StreamField(
        ApplicationFormBlock(),
        verbose_name=_("application form"),
        blank=True,
        help_text=_(
            "Questions applicants answer in the portal, beside the required documents. "
            "Frozen at the deadline; a change while the call is open is an addendum."
        ),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    clarifications_close_at = models.DateTimeField(
        _("clarifications close at"),
        help_text=_("Last moment applicants may ask questions. Must be before the deadline."),
    )
    budget_ceiling = models.DecimalField(
        _("budget ceiling"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.KES
    )
    selection_method = models.CharField(
        _("selection method"), max_length=20, choices=SelectionMethod.choices
    )
    technical_weight = models.DecimalField(
        _("technical weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Between 0 and 1. With the financial weight, must sum to 1."),
    )
    financial_weight = models.DecimalField(
        _("financial weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    minimum_technical_score = models.DecimalField(
        _("minimum technical score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Out of 100. Bids below it are not considered further."),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Reviewers see a label such as 'Bid 07' and no applicant identity."),
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=CallStage.choices, default=CallStage.SINGLE
    )
    first_stage = models.ForeignKey(
        "self",
        verbose_name=_("first stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_stages",
        limit_choices_to={"stage": CallStage.FIRST},
        help_text=_(
            "For a second stage: the expression of interest or concept note whose "
            "shortlisted applicants are invited. They are mailed when this call is published."
        ),
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CallOutcome.choices, blank=True, default=""
    )
    cancellation_reason = models.TextField(
        _("reason for cancelling"),
        blank=True,
        help_text=_(
            "Required to cancel. It is recorded and sent to everyone who started a bid; "
            "a cancelled call's bids are never opened, and a cancellation cannot be undone."
        ),
    )

    objects = CallPageManager()
    base_form_class = CallPageForm
    # A copy (and a translation) of a call is a new call only once it has its own code.
    exclude_fields_in_copy = ["reference_code"]

    parent_page_types = ["tenders.CallIndexPage"]
    subpage_types = []

    # The editor opens on the dates and key facts; the long terms of reference, the
    # criteria and the documents have tabs of their own.
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("reference_code"), FieldPanel("summary")],
            heading=_("The call"),
        ),
        MultiFieldPanel(
            [FieldPanel("stage"), FieldPanel("first_stage")],
            heading=_("One stage or two"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("clarifications_close_at"),
            ],
            heading=_("Dates (organisation time)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("budget_ceiling"), FieldPanel("currency")]),
                FieldPanel("selection_method"),
                FieldRowPanel([FieldPanel("technical_weight"), FieldPanel("financial_weight")]),
                FieldPanel("minimum_technical_score"),
                FieldPanel("blind_review"),
            ],
            heading=_("Budget and evaluation"),
        ),
        MultiFieldPanel(
            [FieldPanel("outcome"), FieldPanel("cancellation_reason")],
            heading=_("Outcome"),
        ),
    ]
    terms_panels = [FieldPanel("terms_of_reference")]
    form_panels = [FieldPanel("application_form")]
    evaluation_panels = [
        InlinePanel("criteria", heading=_("Evaluation criteria"), label=_("Criterion"), min_num=1),
        InlinePanel(
            "required_documents", heading=_("Required documents"), label=_("Document"), min_num=1
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Dates and key facts")),
            ObjectList(terms_panels, heading=_("Terms of reference")),
            ObjectList(evaluation_panels, heading=_("Criteria and documents")),
            ObjectList(form_panels, heading=_("Application form")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ],
        base_form_class=base_form_class,
    )
    search_fields = Page.search_fields + [
        index.SearchField("reference_code"),
        index.SearchField("summary"),
        index.SearchField("terms_of_reference"),
        index.FilterField("kind"),
        index.FilterField("opens_at"),
        index.FilterField("closes_at"),
        index.FilterField("outcome"),
    ]

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def clean(self):
        super().clean()
        if self.is_translation:
            return  # its dates and terms are the original's, checked there; never used
        errors = {}
        if not self.reference_code:
            errors["reference_code"] = _("Give the call its reference code.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The deadline must be after the opening time.")
        if self.clarifications_close_at and self.closes_at:
            if self.clarifications_close_at > self.closes_at:
                errors["clarifications_close_at"] = _(
                    "Clarifications must close no later than the deadline."
                )
            elif self.opens_at and self.clarifications_close_at < self.opens_at:
                errors["clarifications_close_at"] = _(
                    "Clarifications cannot close before the call opens."
                )
        if self.technical_weight is not None and self.financial_weight is not None:
            if self.technical_weight + self.financial_weight != Decimal("1"):
                errors["financial_weight"] = _(
                    "The technical and financial weights must sum to 1 (they sum to %(total)s)."
                ) % {"total": self.technical_weight + self.financial_weight}
        if self.kind == CallKind.GRANT and self.selection_method not in ("", None):
            if self.selection_method != SelectionMethod.GRANT_SCORING:
                errors["selection_method"] = _("A grant call uses grant scoring.")
        if self.kind == CallKind.CONSULTANCY and self.selection_method == (
            SelectionMethod.GRANT_SCORING
        ):
            errors["selection_method"] = _("Grant scoring is only for grant calls.")
        if (
            self.selection_method in (SelectionMethod.QBS, SelectionMethod.GRANT_SCORING)
            and self.financial_weight
        ):
            errors.setdefault(
                "financial_weight",
                _("This selection method scores quality only: the financial weight must be 0."),
            )
        if self.selection_method == SelectionMethod.FIXED_BUDGET and not self.budget_ceiling:
            errors["budget_ceiling"] = _(
                "Fixed-budget selection needs the budget: proposals over it are rejected."
            )
        if self.outcome == CallOutcome.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = _(
                "Give the reason for cancelling: it is recorded and sent to everyone who "
                "started a bid."
            )
        for field, reason in stage_errors(self).items():
            errors.setdefault(field, reason)
        if refusal := stage_change_refusal(self):
            errors["stage"] = refusal  # before any other problem: it cannot change at all
        for field, reason in self._term_change_refusals().items():
            errors[field] = reason  # after the deadline, the reason is the deadline
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Refuse a change the rules forbid, however it arrives (see ``tenders.freeze``):
        the editor's form, the ORM, or a revision published through Wagtail's API."""
        update_fields = kwargs.get("update_fields")
        touched = update_fields is None or set(update_fields) & (
            set(FROZEN_FIELDS) | set(FROZEN_CHILDREN)
        )
        if touched:
            refusals = self._term_change_refusals()
            if refusals:
                raise TermsFrozen(refusals)
        writes_stage = update_fields is None or {"stage", "first_stage"} & set(update_fields)
        if writes_stage and not self.is_translation and (refusal := stage_change_refusal(self)):
            raise TermsFrozen({"stage": refusal})
        if self.live and not self.is_translation and (refusal := publish_refusal(self)):
            raise TermsFrozen({"first_stage": refusal})
        if not self.is_translation and goes_live_now(self):
            if refusal := going_live_refusal(self):
                raise TermsFrozen({"title": refusal})
        return super().save(*args, **kwargs)

    @property
    def is_first_stage(self) -> bool:
        return self.stage == CallStage.FIRST

    @property
    def is_second_stage(self) -> bool:
        return self.stage == CallStage.SECOND

    def _term_change_refusals(self) -> dict:
        # A translation's dates and terms are never used (its form shows them
        # read-only): the freeze guards the original, and the words stay editable.
        if self.is_translation:
            return {}
        return term_change_refusals(self, stored_terms(self))

    # --- State --------------------------------------------------------------
    def state_at(self, now) -> CallState:
        """The call's state at ``now``: one derivation, used everywhere."""
        if self.outcome == CallOutcome.CANCELLED:
            return CallState.CANCELLED
        if self.outcome == CallOutcome.AWARDED:
            return CallState.AWARDED
        if now < self.opens_at:
            return CallState.UPCOMING
        if now < self.closes_at:
            return CallState.OPEN
        return CallState.CLOSED

    @property
    def state(self) -> CallState:
        return self.state_at(timezone.now())

    @property
    def is_open(self) -> bool:
        return self.state == CallState.OPEN

    @property
    def has_financial_envelope(self) -> bool:
        """A consultancy's price, sealed apart; not an expression of interest's (its
        shortlist is drawn on quality alone), nor a grant's."""
        return self.kind == CallKind.CONSULTANCY and self.stage != CallStage.FIRST

    @property
    def is_grant(self) -> bool:
        return self.kind == CallKind.GRANT

    @property
    def is_qcbs(self) -> bool:
        return self.selection_method == SelectionMethod.QCBS

    @property
    def is_qbs(self) -> bool:
        return self.selection_method == SelectionMethod.QBS

    # The editor previews the call page, and the application form as applicants see it.
    preview_modes = [("", _("Call page")), ("application_form", _("Application form"))]

    def serve_preview(self, request, mode_name):
        if mode_name == "application_form":
            return TemplateResponse(
                request, "tenders/application_form_preview.html", {"page": self}
            )
        return super().serve_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: read only when the cached call body is rendered afresh.
        context["criteria"] = SimpleLazyObject(lambda: rows_with_text(self, "criteria"))
        context["required_documents"] = SimpleLazyObject(
            lambda: rows_with_text(self, "required_documents")
        )
        context["clarifications"] = self.clarifications.published().order_by("published_at")
        context["addenda"] = self.addenda.all()
        return context


def validate_accepted_types(value: str) -> None:
    unknown = [t for t in parse_accepted_types(value) if t not in ACCEPTED_FILE_TYPES]
    if unknown or not parse_accepted_types(value):
        raise ValidationError(
            _("Use a comma-separated list of: %(known)s."),
            params={"known": ", ".join(ACCEPTED_FILE_TYPES)},
        )


def parse_accepted_types(value: str) -> list[str]:
    return [part.strip().lower().lstrip(".") for part in (value or "").split(",") if part.strip()]
