"""Copies of a bid's files that name nobody, for readers under blind review."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CleanCopy(models.Model):
    """A bid's file with the metadata that could name its author removed
    (``core.metadata``): what a reader who may not see the applicant's identity
    downloads (issue 24, item 5). The original stays the record, with its SHA-256.

    Stored as an opened file is: encrypted in chunks under a data key of its own,
    bound to its bid and its own SHA-256, the data key sealed under the server's
    storage key (``server_key``). Made once, after the opening
    (``applications.services.clean_copies``), and never changed.
    """

    file = models.OneToOneField(
        "applications.SubmissionFile", on_delete=models.CASCADE, related_name="clean_copy"
    )
    object_name = models.CharField(_("object name"), max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    server_key = models.BinaryField(_("data key, for the panel"))
    # Labels from core.metadata ("PDF document information", "XMP"...), in English;
    # shown translated (``removed_labels``).
    removed = models.JSONField(_("removed"), default=list, blank=True)
    made_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("clean copy")
        verbose_name_plural = _("clean copies")

    def __str__(self):
        return f"Clean copy of file {self.file_id}"

    @property
    def removed_labels(self) -> list[str]:
        return [gettext(label) for label in self.removed]

    @property
    def removed_text(self) -> str:
        return ", ".join(self.removed_labels)
