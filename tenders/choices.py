"""The fixed vocabularies of calls. One place, so no string is scattered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallKind(models.TextChoices):
    CONSULTANCY = "consultancy", _("Call for consultancy")
    GRANT = "grant", _("Grant call")


class Currency(models.TextChoices):
    KES = "KES", _("Kenyan shilling (KES)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")


class SelectionMethod(models.TextChoices):
    QCBS = "qcbs", _("Quality- and cost-based selection (QCBS)")
    QBS = "qbs", _("Quality-based selection (QBS)")
    FIXED_BUDGET = "fixed_budget", _("Fixed budget")
    LEAST_COST = "least_cost", _("Least cost")
    GRANT_SCORING = "grant_scoring", _("Grant scoring")


class CallStage(models.TextChoices):
    """A call in one stage, or one of the two of a two-stage procedure (World Bank
    Consultant Guidelines 2011, Section II: expressions of interest, a shortlist, then
    requests for proposals to the shortlisted firms; for grants, a concept note first)."""

    SINGLE = "single", _("One stage: open to everyone")
    FIRST = "first", _("First stage: expression of interest or concept note")
    SECOND = "second", _("Second stage: by invitation, to the first stage's shortlist")


class Envelope(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    FINANCIAL = "financial", _("Financial")


class CallOutcome(models.TextChoices):
    """An editor's decision on the call; the rest of the state comes from its dates."""

    NONE = "", _("None yet")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class CallState(models.TextChoices):
    """A call's state, derived from its dates and outcome (``CallPage.state_at``).

    Templates ask ``state.is_open`` and the like, never compare strings.
    """

    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")

    @property
    def is_upcoming(self) -> bool:
        return self is CallState.UPCOMING

    @property
    def is_open(self) -> bool:
        return self is CallState.OPEN

    @property
    def is_closed(self) -> bool:
        return self is CallState.CLOSED

    @property
    def is_awarded(self) -> bool:
        return self is CallState.AWARDED

    @property
    def is_cancelled(self) -> bool:
        return self is CallState.CANCELLED


# File types an applicant may be asked for, keyed by extension. The MIME type
# is what the content sniffing in applications/ must find.
ACCEPTED_FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "png": "image/png",
}
