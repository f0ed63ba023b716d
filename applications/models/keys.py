"""The organisation's offline recovery key (issue 23): its public half only. The private
half is printed once by ``manage.py opening_recovery_key`` for a safe, and never stored;
it stands in for a committee member who has lost their passphrase."""

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
