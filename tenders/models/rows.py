"""A call's rows: its criteria and required documents (edited inline on the call), and
the record of its closing."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from core.page_text import TranslatedRow
from tenders.choices import Envelope
from tenders.models.calls import CallPage, parse_accepted_types, validate_accepted_types


class CallCriterion(TranslatedRow, Orderable):
    """One line of the scoring grid. A call's criteria total 100 points."""

    page = ParentalKey(CallPage, on_delete=models.CASCADE, related_name="criteria")
    text_relation = "criteria"
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    panels = [FieldPanel("title"), FieldPanel("description"), FieldPanel("max_points")]

    class Meta(Orderable.Meta):
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self):
        return f"{self.title} ({self.max_points})"


class RequiredDocument(TranslatedRow, Orderable):
    """A document every bid must (or may) include, with its envelope and limits."""

    page = ParentalKey(CallPage, on_delete=models.CASCADE, related_name="required_documents")
    text_relation = "required_documents"
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("guidance"), max_length=300, blank=True)
    envelope = models.CharField(
        _("envelope"), max_length=20, choices=Envelope.choices, default=Envelope.TECHNICAL
    )
    is_required = models.BooleanField(_("required"), default=True)
    accepted_types = models.CharField(
        _("accepted types"),
        max_length=100,
        default="pdf",
        validators=[validate_accepted_types],
        help_text=_("Comma-separated extensions, for example: pdf, docx"),
    )
    max_size_mb = models.PositiveSmallIntegerField(
        _("maximum size (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("envelope"), FieldPanel("is_required")]),
        FieldRowPanel([FieldPanel("accepted_types"), FieldPanel("max_size_mb")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self):
        return self.name

    @property
    def accepted_type_list(self) -> list[str]:
        return parse_accepted_types(self.accepted_types)

    @property
    def max_size_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024


class CallClosing(models.Model):
    """The moment the close-calls task saw a call's deadline pass. Written once.

    Kept outside the page so that publishing a later revision of the call
    cannot overwrite it.
    """

    call = models.OneToOneField(CallPage, on_delete=models.CASCADE, related_name="closing")
    deadline = models.DateTimeField(_("deadline that passed"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("call closing")

    def __str__(self):
        return f"{self.call.reference_code} closed {self.recorded_at:%Y-%m-%d %H:%M}"
