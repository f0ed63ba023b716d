"""A bid's amounts: the price of a consultancy (sealed in its financial envelope) or the
amount a grant applicant requests; an expression of interest asks for neither. What
Submit requires of them, and writing them."""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.answers import rules_stamp
from applications.sealing import box_open, box_seal
from applications.services.call_keys import call_key_hold, sealing_key_for
from core.errors import Refused


@dataclass
class Amounts:
    offer_amount: Decimal | None = None
    offer_currency: str = ""
    amount_requested: Decimal | None = None
    # Amounts stored sealed (issue 23): unreadable, and what the checks said of them
    # when they were given ("" if they were fine). None: the amounts are the above.
    sealed_problem: str | None = None
    sealed_judged: str = ""  # the call's terms it was judged under

    @property
    def given(self) -> bool:
        return self.offer_amount is not None or self.amount_requested is not None


def check_amounts(call, amounts: Amounts) -> None:
    if amounts.sealed_problem is not None:
        if amounts.sealed_judged != rules_stamp(call):
            raise Refused(
                _(
                    "This call's currency or ceiling changed after you gave your amount, "
                    "which is sealed: give it again so that it can be checked."
                )
            )
        if amounts.sealed_problem:
            raise Refused(amounts.sealed_problem)
        return
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
    if submission.amounts_sealed:
        return Amounts(
            sealed_problem=submission.amounts_problem, sealed_judged=submission.amounts_judged
        )
    return Amounts(
        offer_amount=submission.offer_amount,
        offer_currency=submission.offer_currency,
        amount_requested=submission.amount_requested,
    )


def apply_amounts(submission, amounts: Amounts) -> bool:
    """Write ``amounts`` on ``submission`` (not saved); whether anything changed. On a
    keyed call they are sealed to the call's key, checked first, and the columns stay
    empty; amounts not given keep the sealed ones."""
    if amounts.sealed_problem is not None:
        return False  # the sealed ones, given back as they are
    key = sealing_key_for(submission.call_id)
    if key is not None:
        return _seal_amounts(submission, amounts, key)
    changed = False
    for field in ("offer_amount", "offer_currency", "amount_requested"):
        value = getattr(amounts, field)
        if field == "offer_currency":
            value = value or ""
        if getattr(submission, field) != value:
            setattr(submission, field, value)
            changed = True
    return changed


def _seal_amounts(submission, amounts: Amounts, key) -> bool:
    if not amounts.given:
        return False  # nothing typed: what is sealed stays
    call_key_hold(key.pk)  # in the save's transaction: no re-key until it commits
    try:
        check_amounts(submission.call, amounts)
        problem = ""
    except Refused as refusal:
        problem = str(refusal.message)[:300]
    plain = json.dumps(
        {
            "offer_amount": None if amounts.offer_amount is None else str(amounts.offer_amount),
            "offer_currency": amounts.offer_currency or "",
            "amount_requested": None
            if amounts.amount_requested is None
            else str(amounts.amount_requested),
        }
    ).encode()
    submission.sealed_amounts = box_seal(plain, key.public_key)
    submission.amounts_key = key
    submission.amounts_problem = problem
    submission.amounts_judged = rules_stamp(submission.call)
    submission.offer_amount, submission.offer_currency = None, ""
    submission.amount_requested = None
    return True


def amounts_unseal(submission, private) -> None:
    """At the opening: the sealed amounts written back in their columns (not saved)."""
    values = json.loads(box_open(submission.sealed_amounts, private))
    submission.offer_amount = (
        None if values["offer_amount"] is None else Decimal(values["offer_amount"])
    )
    submission.offer_currency = values["offer_currency"]
    submission.amount_requested = (
        None if values["amount_requested"] is None else Decimal(values["amount_requested"])
    )
    submission.sealed_amounts = None
