"""The organisation's offline recovery key (issue 23): its public half only. The private
half is printed once by ``manage.py opening_recovery_key`` for a safe, and never stored;
it stands in for a committee member who has lost their passphrase."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.keys import key_fingerprint


class RecoveryKey(models.Model):
    public_key = models.BinaryField(_("public key"), max_length=32)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery key")
        constraints = [
            models.UniqueConstraint(
                fields=["replaced_at"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_recovery_key_in_use",
            )
        ]

    def __str__(self):
        return f"Recovery key {self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)

    @classmethod
    def in_use(cls):
        return cls.objects.filter(replaced_at__isnull=True).first()


class CallKey(models.Model):
    """A call's key (issue 23, item 2): its public half, to which every stored item of a
    bid is sealed; its private half exists nowhere, only as ``threshold`` of the shares
    below. A call is re-keyed when its committee changes before anything is sealed to it
    (the old key is kept, marked replaced)."""

    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="keys", verbose_name=_("call")
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    threshold = models.PositiveSmallIntegerField(_("shares needed"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call key")
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_call_key_in_use",
            )
        ]

    def __str__(self):
        return f"Call key {self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)


class KeyShare(models.Model):
    """One holder's share of a call's key, sealed to the holder's public key: a committee
    member's opening key, or the organisation's recovery key."""

    call_key = models.ForeignKey(CallKey, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The member's opening key it was sealed to (a key replaced later cannot open it).
    opening_key = models.ForeignKey(
        "accounts.OpeningKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recovery_key = models.ForeignKey(
        RecoveryKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(_("sealed share"))

    class Meta:
        verbose_name = _("key share")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, opening_key__isnull=False)
                | models.Q(recovery_key__isnull=False),
                name="a_share_has_a_holder",
            )
        ]

    def __str__(self):
        return f"Share of {self.call_key} for {self.member or self.recovery_key}"


class RecoveryShare(models.Model):
    """The recovery key's share of a call's key, given (``manage.py
    opening_recovery_share``) in place of a member who lost their passphrase, and kept
    sealed under the server's storage key until the quorum opens the call."""

    call = models.ForeignKey("tenders.CallPage", on_delete=models.PROTECT, related_name="+")
    share = models.BinaryField(_("share, until the opening"), null=True, blank=True)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery share given")

    def __str__(self):
        return f"Recovery share for call {self.call_id}"


def items_sealed_to(call_id: int) -> bool:
    """Some item of a bid on ``call_id`` (a file, its amounts, an answer) is sealed to
    one of the call's keys: from then on the committee is fixed as the key is."""
    from .answers import Answer
    from .submissions import Submission, SubmissionFile

    files = SubmissionFile.objects.filter(submission__call_id=call_id, call_key__isnull=False)
    amounts = Submission.objects.filter(call_id=call_id, amounts_key__isnull=False)
    answers = Answer.objects.filter(submission__call_id=call_id, call_key__isnull=False)
    return files.exists() or amounts.exists() or answers.exists()
