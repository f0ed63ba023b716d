"""The financial opening register: written once when prices are opened, never changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.audit import AppendOnlyModel


class FinancialOpeningRegister(AppendOnlyModel):
    """The record of a call's financial opening (World Bank Consultant Guidelines 2.23).

    ``lines`` hold each qualified bid as it stood at that moment: reference,
    bidder, technical score (to two decimals), price and currency, and the
    SHA-256 of each financial file. ``opened_by`` names who opened them and when.
    ``digest`` is the SHA-256 of the canonical content; ``audit_head`` ties it
    to the audit chain, as the opening register does.
    """

    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="financial_register"
    )
    created_at = models.DateTimeField(_("written at"))
    lines = models.JSONField(_("qualified bids"))
    opened_by = models.JSONField(_("opened by"))
    audit_head = models.CharField(_("audit record head"), max_length=100, blank=True)
    digest = models.CharField(_("SHA-256 of the register"), max_length=64)
    append_only_message = "A financial opening register is never changed or deleted."

    class Meta:
        verbose_name = _("financial opening register")

    def __str__(self):
        return f"Financial opening register of {self.call}"
