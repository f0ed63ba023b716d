"""A document on its way in, a piece at a time (applications.services.resumable)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PartialUpload(models.Model):
    """One file being uploaded to a bid in pieces, so a dropped connection costs only
    the piece in flight. The pieces wait in private storage, shared by every web host
    (applications.services.resumable_pieces), encrypted under a key only the
    uploader's page holds; the whole file then goes through the bid form's own checks
    and storage, and the row records how it ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(
        "applications.Submission", on_delete=models.CASCADE, related_name="+"
    )
    requirement = models.ForeignKey(
        "tenders.RequiredDocument", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Recognises the page's key (a keyed hash of a constant); the key itself is never kept.
    key_check = models.BinaryField(_("key check"), max_length=16, default=b"", editable=False)
    # How it ended: the refusal's message, or "" when the file was kept.
    refusal = models.TextField(_("refusal"), blank=True)

    class Meta:
        verbose_name = _("partial upload")

    def __str__(self):
        return f"{self.name} ({self.received}/{self.size})"


class ReplacedObject(models.Model):
    """A stored object that a committed change no longer names, to be deleted after the
    commit. It is written in the change's own transaction, so a process that dies
    between the commit and the deletion leaves this note, and the next run deletes the
    object: a file encrypted in place must not leave its plain copy behind."""

    name = models.CharField(_("object name"), max_length=255)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("replaced object")

    def __str__(self):
        return self.name
