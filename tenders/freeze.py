"""A call's dates and terms that hold: what may change on a published call, and when.

Public procurement rules (PPADA 2015 s.78; EU Directive 2014/24 Annex IV) say
that nobody may move the time limit to get at bids early, and that the terms
bidders answered are the terms they are judged by. So, once a call is public:

- **While it is open**, its deadline may only be *extended*, and never to less
  than ``CALL_EXTENSION_NOTICE_DAYS`` (default 3) days after the change. The
  extension is recorded as an addendum with notices (``tenders.services``).
  Its opening time cannot move past the present: that would close it.
- **Before it opens**, its deadline may move, never to less than those days ahead.
- **Once its deadline has passed**, its dates and everything it is judged by
  are frozen: ``FROZEN_FIELDS``, its criteria (titles and maximum points) and
  its required documents. A call is never closed early; it may be cancelled.

The rule is asked in three places: the Wagtail editor's form (the fields are
shown read-only, with the reason), ``CallPage.clean`` (any form), and
``CallPage.save`` (the ORM and Wagtail's revision API), which raises
``TermsFrozen``. Only a raw UPDATE gets past it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FROZEN_FIELDS = (
    "opens_at",
    "closes_at",
    "kind",
    "currency",
    "selection_method",
    "technical_weight",
    "financial_weight",
    "minimum_technical_score",
    "blind_review",
    "budget_ceiling",
    "stage",
)
# Child objects frozen with the call, by the attributes that are frozen.
FROZEN_CHILDREN = {
    "criteria": ("title", "max_points"),
    "required_documents": ("name", "envelope", "is_required", "accepted_types", "max_size_mb"),
}


class TermsFrozen(ValidationError):
    """A change to a call's dates or terms that the rules above refuse."""


@dataclass(frozen=True)
class StoredTerms:
    """What the database holds for a call now: the baseline a change is judged against."""

    values: dict
    children: str
    public: bool

    @property
    def closes_at(self):
        return self.values["closes_at"]


def notice_days() -> int:
    return settings.CALL_EXTENSION_NOTICE_DAYS


def children_fingerprint(call) -> str:
    """SHA-256 of the frozen attributes of the call's criteria and documents, as the
    instance holds them (in memory, for a page being published). Each row's id
    counts too: scores and files point at the rows, so a row deleted and made
    again with the same content is a change."""
    payload = {
        relation: sorted(
            [str(child.pk)] + [str(getattr(child, attr)) for attr in attrs]
            for child in getattr(call, relation).all()
        )
        for relation, attrs in FROZEN_CHILDREN.items()
    }
    # The application form, question by question with its block id: answers point at it.
    payload["application_form"] = list(call.application_form.get_prep_value() or [])
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def stored_terms(call) -> StoredTerms | None:
    """The stored row and children of ``call``; None for a call never saved."""
    if call.pk is None:
        return None
    model = type(call)
    row = (
        model.objects.filter(pk=call.pk)
        .values(*FROZEN_FIELDS, "outcome", "live", "first_published_at")
        .first()
    )
    if row is None:
        return None
    stored = model.objects.get(pk=call.pk)
    public = bool(row.pop("live") or row.pop("first_published_at", None))
    row.pop("first_published_at", None)
    return StoredTerms(values=row, children=children_fingerprint(stored), public=public)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def term_change_refusals(call, stored: StoredTerms | None, *, now=None) -> dict[str, str]:
    """Every change of ``call`` against ``stored`` that the rules refuse: {field: reason}."""
    if stored is None or not stored.public:
        return {}
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if stored.values.get("outcome") == "cancelled" and call.outcome != "cancelled":
        errors["outcome"] = _("The call was cancelled; a cancellation cannot be undone.")
    if stored.closes_at <= now:
        reason = _(
            "Frozen: the deadline passed on %(deadline)s. A call's dates and the terms "
            "its bids are judged by cannot change after its deadline."
        ) % {"deadline": _when(stored.closes_at)}
        for field in FROZEN_FIELDS:
            if getattr(call, field) != stored.values[field]:
                errors[field] = reason
        if children_fingerprint(call) != stored.children:
            errors[NON_FIELD_ERRORS] = _(
                "The evaluation criteria, required documents and application form are "
                "frozen: the deadline passed on %(deadline)s."
            ) % {"deadline": _when(stored.closes_at)}
        return errors

    earliest = now + timedelta(days=notice_days())
    opened = stored.values["opens_at"] <= now
    if call.closes_at != stored.closes_at:
        if opened and call.closes_at < stored.closes_at:
            errors["closes_at"] = _(
                "An open call's deadline can only be extended (it is %(deadline)s). "
                "To end a call early, cancel it."
            ) % {"deadline": _when(stored.closes_at)}
        elif call.closes_at < earliest:
            errors["closes_at"] = _(
                "A new deadline must be at least %(days)s days after the change: "
                "no earlier than %(earliest)s."
            ) % {"days": notice_days(), "earliest": _when(earliest)}
    if opened and call.opens_at != stored.values["opens_at"] and call.opens_at > now:
        errors["opens_at"] = _(
            "The call is open: its opening time cannot move to the future, which would "
            "close it. To end a call early, cancel it."
        )
    return errors


def frozen_fields_of(call, *, now=None) -> tuple[str, ...]:
    """The fields the editor shows read-only for ``call`` right now."""
    stored = stored_terms(call)
    if stored is None or not stored.public or stored.closes_at > (now or timezone.now()):
        return ()
    return FROZEN_FIELDS
