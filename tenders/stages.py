"""Two-stage calls (issue 22, item 6): a first stage (an expression of interest for a
consultancy, a concept note for a grant) whose outcome is a shortlist, and a second
stage that links to it and is open only to the applicants on that shortlist.

``tenders`` knows nothing about bids, so the app that does (``applications``) tells
it who is on a first stage's shortlist, through ``register_shortlist`` at start-up.
The rules asked here:

- a second stage names a first stage of the same kind, which has closed;
- it cannot be published while that shortlist is empty (nobody could bid);
- once it has been published, the shortlist is frozen (``shortlist_is_frozen``):
  the panel's outcomes on the first stage can no longer change.
"""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from tenders.choices import CallOutcome, CallStage, Envelope, SelectionMethod

_shortlist_sources: list[Callable] = []
_final_checks: list[Callable] = []


def register_shortlist(source: Callable) -> None:
    """``source(first_stage) -> set of user ids`` on its shortlist."""
    if source not in _shortlist_sources:
        _shortlist_sources.append(source)


def register_shortlist_final(check: Callable) -> None:
    """``check(first_stage) -> bool``: the first stage's outcomes are final (its
    applicants have been told), so its shortlist can be invited."""
    if check not in _final_checks:
        _final_checks.append(check)


def shortlist_of(first_stage) -> set[int]:
    found: set[int] = set()
    for source in _shortlist_sources:
        found |= set(source(first_stage))
    return found


def stage_errors(call) -> dict[str, str]:
    """What is wrong with ``call``'s stage and its link to a first stage."""
    errors = {}
    first = call.first_stage
    if call.stage == CallStage.FIRST:
        # A shortlist is drawn on quality alone: a first stage has no price to open.
        if call.selection_method not in (SelectionMethod.QBS, SelectionMethod.GRANT_SCORING):
            errors["selection_method"] = _(
                "A first stage shortlists on quality alone: choose quality-based selection "
                "(or grant scoring for a concept note)."
            )
        if any(d.envelope == Envelope.FINANCIAL for d in call.required_documents.all()):
            errors["stage"] = _(
                "A first stage asks for no price: take the financial documents out."
            )
    if call.stage != CallStage.SECOND:
        if first is not None:
            errors["first_stage"] = _("Only a second stage links to a first stage.")
        return errors
    if first is None:
        errors["first_stage"] = _("Choose the first stage whose shortlist this call invites.")
    elif first.stage != CallStage.FIRST:
        errors["first_stage"] = _("That call is not a first stage.")
    elif first.kind != call.kind:
        errors["first_stage"] = _("The first stage must be a call of the same kind.")
    elif first.outcome == CallOutcome.CANCELLED:
        errors["first_stage"] = _("That first stage was cancelled: it has no shortlist.")
    elif call.blind_review and not first.blind_review:
        errors["blind_review"] = _(
            "The first stage was not reviewed blind, so its reviewers' view of it would name "
            "the applicants: a blind second stage needs a blind first stage."
        )
    elif first.closes_at > timezone.now():
        errors["first_stage"] = _(
            "The first stage is still open: its shortlist can only be drawn up after it closes."
        )
    return errors


def stage_change_refusal(call) -> str:
    """Once a call has been published, whether it is a stage, and of which first stage,
    never changes: bidders and invitations depend on it."""
    if call.pk is None:
        return ""
    stored = (
        type(call)
        .objects.filter(pk=call.pk)
        .values("stage", "first_stage_id", "first_published_at")
        .first()
    )
    if stored is None or stored["first_published_at"] is None:
        return ""
    if (stored["stage"], stored["first_stage_id"]) != (call.stage, call.first_stage_id):
        return _(
            "The call has been published: whether it is a first or second stage, and of "
            "which first stage, can no longer change."
        )
    return ""


def publish_refusal(call) -> str:
    """Why ``call`` cannot go live now, or ""."""
    if call.stage != CallStage.SECOND or call.first_stage_id is None:
        return ""
    first = call.first_stage
    if first.outcome == CallOutcome.CANCELLED:
        return _("The first stage %(ref)s was cancelled: it has no shortlist.") % {
            "ref": first.reference_code
        }
    if not all(check(first) for check in _final_checks):
        return _(
            "The first stage %(ref)s has no final shortlist yet: publish this second stage "
            "once its panel has sent every applicant their outcome."
        ) % {"ref": first.reference_code}
    if not shortlist_of(first):
        return _(
            "The first stage %(ref)s has no shortlist yet: publish this second stage once "
            "the panel has shortlisted applicants, so that they can be invited."
        ) % {"ref": call.first_stage.reference_code}
    return ""


def shortlist_is_frozen(first_stage) -> bool:
    """A second stage linked to ``first_stage`` has been published."""
    return first_stage.second_stages.filter(first_published_at__isnull=False).exists()
