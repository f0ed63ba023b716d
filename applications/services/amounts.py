"""A bid's amounts: the price of a consultancy (sealed in its financial envelope) or the
amount a grant applicant requests; an expression of interest asks for neither. What
Submit requires of them, and writing them."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import Refused


@dataclass
class Amounts:
    offer_amount: Decimal | None = None
    offer_currency: str = ""
    amount_requested: Decimal | None = None


def check_amounts(call, amounts: Amounts) -> None:
    if call.has_financial_envelope:
        if amounts.offer_amount is None or amounts.offer_amount <= 0:
            raise Refused(_("Enter the amount of your financial offer."))
        if not amounts.offer_currency:
            raise Refused(_("Choose the currency of your financial offer."))
        if amounts.offer_currency != call.currency:
            raise Refused(
                _(
                    "This call takes offers in %(currency)s only: give your price in "
                    "%(currency)s. Nothing was submitted."
                )
                % {"currency": call.currency}
            )
    elif call.is_grant:  # an expression of interest asks for neither
        if amounts.amount_requested is None or amounts.amount_requested <= 0:
            raise Refused(_("Enter the amount you request."))
        if call.budget_ceiling and amounts.amount_requested > call.budget_ceiling:
            raise Refused(
                _("The amount requested is above this call's ceiling of %(ceiling)s %(cur)s.")
                % {"ceiling": f"{call.budget_ceiling:,.0f}", "cur": call.currency}
            )


def check_stored_amounts(submission) -> None:
    """Refuse, as Submit would, the amounts saved on ``submission``."""
    check_amounts(submission.call, stored_amounts(submission))


def stored_amounts(submission) -> Amounts:
    return Amounts(
        offer_amount=submission.offer_amount,
        offer_currency=submission.offer_currency,
        amount_requested=submission.amount_requested,
    )


def apply_amounts(submission, amounts: Amounts) -> bool:
    changed = False
    for field in ("offer_amount", "offer_currency", "amount_requested"):
        value = getattr(amounts, field)
        if field == "offer_currency":
            value = value or ""
        if getattr(submission, field) != value:
            setattr(submission, field, value)
            changed = True
    return changed
