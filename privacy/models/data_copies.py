"""A copy of one person's data built in the background, and the link that fetches it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCopyState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


# Building may restart itself: the broker gives a task back when its worker dies.
# Ready, failed and expired copies are never built again (ask for a new copy).
DATA_COPY_TRANSITIONS: dict[DataCopyState, set[DataCopyState]] = {
    DataCopyState.QUEUED: {DataCopyState.BUILDING, DataCopyState.FAILED},
    DataCopyState.BUILDING: {DataCopyState.BUILDING, DataCopyState.READY, DataCopyState.FAILED},
    DataCopyState.READY: {DataCopyState.EXPIRED},
    DataCopyState.FAILED: set(),
    DataCopyState.EXPIRED: set(),
}
DATA_COPY_PENDING = (DataCopyState.QUEUED, DataCopyState.BUILDING)


class DataCopy(models.Model):
    """One "Download my data" too large to hand over within the request.

    The worker builds the ZIP into private storage under ``object_name`` and mails
    a link whose token only the mail holds: the row keeps its SHA-256, so a copy
    of the database opens nothing. ``attempt`` fences every write after the
    claim, so a build the broker delivered twice finishes once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_copies"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DataCopyState.choices, default=DataCopyState.QUEUED
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    # NULL until the copy is ready and its link mailed; unique among those that have one.
    token_sha256 = models.CharField(  # noqa: DJ001
        _("SHA-256 of the link's token"), max_length=64, unique=True, null=True, blank=True
    )
    # In the private storage alias, under a random name; blank until ready and once expired.
    object_name = models.CharField(_("object name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    # The README's language, chosen when it was asked for: the page's, not the worker's.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link works until"), null=True, blank=True)
    # Why it failed, in words its owner can act on.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("data copy")
        verbose_name_plural = _("data copies")
        ordering = ["-created_at"]
        constraints = [
            # A second click while one is being built finds that one, never starts another.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state__in=["queued", "building"]),
                name="one_data_copy_being_built",
            )
        ]

    def __str__(self):
        return f"Data copy {self.pk} ({self.state})"

    def can_move_to(self, state: DataCopyState) -> bool:
        return DataCopyState(state) in DATA_COPY_TRANSITIONS[DataCopyState(self.state)]

    @property
    def is_pending(self) -> bool:
        return self.state in DATA_COPY_PENDING

    @property
    def is_ready(self) -> bool:
        return self.state == DataCopyState.READY

    @property
    def is_failed(self) -> bool:
        return self.state == DataCopyState.FAILED
