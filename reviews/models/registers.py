"""The financial opening register: written once when prices are opened, never changed;
a later opening (QBS, after a failed negotiation) is an addendum to it, never an edit."""

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.audit import AppendOnlyError, AppendOnlyModel


def canonical_sha256(payload: dict) -> str:
    """The SHA-256 of ``payload`` as canonical JSON (sorted keys, no spaces), the form
    the opening registers' digests use."""
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


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


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk ``update()`` and ``delete()`` that would bypass the model's own
    refusals."""

    def update(self, **kwargs):
        raise AppendOnlyError(self.model.append_only_message)

    def delete(self):
        raise AppendOnlyError(self.model.append_only_message)


class FinancialRegisterAddendum(AppendOnlyModel):
    """A price opened after the register was written: under QBS, the next firm's, once
    negotiation with the firm before it failed.

    ``lines`` hold that bid as the register's lines do; ``negotiation_failed_with``
    is the reference of the firm whose negotiation failed (the reason stays in the
    audit trail, with the panel). ``digest`` is the SHA-256 of the canonical
    content, which includes the register's digest and the addendum's number, so
    an addendum cannot be moved to another register or reordered unnoticed.
    """

    register = models.ForeignKey(
        FinancialOpeningRegister, on_delete=models.PROTECT, related_name="addenda"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    created_at = models.DateTimeField(_("written at"))
    negotiation_failed_with = models.CharField(
        _("after negotiation failed with"), max_length=40, blank=True
    )
    lines = models.JSONField(_("bids opened"))
    opened_by = models.JSONField(_("opened by"))
    audit_head = models.CharField(_("audit record head"), max_length=100, blank=True)
    digest = models.CharField(_("SHA-256 of the addendum"), max_length=64)
    append_only_message = (
        "An addendum to a financial opening register is never changed or deleted."
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("financial opening register addendum")
        verbose_name_plural = _("financial opening register addenda")
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="one_addendum_number")
        ]

    def __str__(self):
        return f"Addendum {self.number} to {self.register}"

    def content_digest(self) -> str:
        """The SHA-256 of what this addendum holds, as ``digest`` must read."""
        return canonical_sha256(
            {
                "register": self.register.digest,
                "number": self.number,
                "negotiation_failed_with": self.negotiation_failed_with,
                "lines": self.lines,
                "opened_by": self.opened_by,
                "audit_head": self.audit_head,
            }
        )
