"""The opening of a call: after its deadline, its opening committee unseals its bids.

A committee of at least ``OPENING_COMMITTEE_MIN_MEMBERS`` people, one of them
at least not on the evaluation panel (PPADA 2015 s.78). Each member confirms
the opening separately, signed in and re-entering their password; the call
opens when ``OPENING_QUORUM`` have confirmed. Nobody, superusers included,
opens a call alone. A confirmation is its own row so that, when bids come to
be encrypted to the committee, each can carry the member's key share.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.audit import AppendOnlyModel
from tenders.querysets import original_calls


class CallOpening(models.Model):
    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="opening"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    submissions_received = models.PositiveIntegerField(_("submissions received"))

    class Meta:
        verbose_name = _("call opening")

    def __str__(self):
        return f"{self.call} opened {self.opened_at:%Y-%m-%d %H:%M}"


class OpeningCommittee(models.Model):
    call = models.OneToOneField(
        "tenders.CallPage",
        on_delete=models.PROTECT,
        related_name="opening_committee",
        verbose_name=_("call"),
        limit_choices_to=original_calls,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="opening_committees", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("set up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opening committee")

    def __str__(self):
        return str(self.call)


class OpeningConfirmation(models.Model):
    """One member's confirmation of one call's opening; each member counts once."""

    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="opening_confirmations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    # The member's share of the call's key, opened with their passphrase and kept sealed
    # under the server's storage key until the quorum is reached; cleared at the opening.
    share = models.BinaryField(_("share, until the opening"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening confirmation")
        constraints = [
            models.UniqueConstraint(fields=["call", "member"], name="one_confirmation_per_member")
        ]

    def __str__(self):
        return f"{self.member} confirmed {self.call} at {self.confirmed_at:%Y-%m-%d %H:%M}"


class OpeningRegister(AppendOnlyModel):
    """The tender opening register (PPADA 2015 s.78), written once at opening.

    ``lines`` hold each bid as the committee found it: reference, bidder, time
    of receipt, status, and each file's envelope, name, size and SHA-256;
    financial envelopes are listed as sealed (hash, no amount). ``digest`` is
    the SHA-256 of the register's canonical content; the audit chain's head at
    that moment ties the register to the trail.
    """

    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="opening_register"
    )
    created_at = models.DateTimeField(_("written at"))
    lines = models.JSONField(_("bids"))
    members = models.JSONField(_("opened by"))
    append_only_message = "An opening register is never changed or deleted."

    audit_head = models.CharField(_("audit record head"), max_length=100, blank=True)
    digest = models.CharField(_("SHA-256 of the register"), max_length=64)

    class Meta:
        verbose_name = _("opening register")

    def __str__(self):
        return f"Opening register of {self.call}"


class OpeningDelay(AppendOnlyModel):
    """A late opening, recorded with its reason: the confirmation window had closed
    before the quorum was reached (a member away, a member who left).

    Recording one opens a new window of ``OPENING_CONFIRMATION_WINDOW_HOURS``
    and lets staff change the committee until the next confirmation. It is
    audited and mailed to the committee; it never opens the call by itself.
    """

    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="opening_delays"
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    append_only_message = "A late opening, once recorded, is never changed or deleted."

    class Meta:
        verbose_name = _("late opening")

    def __str__(self):
        return f"Late opening of {self.call} recorded at {self.recorded_at:%Y-%m-%d %H:%M}"
