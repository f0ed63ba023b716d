"""Submissions (bids and grant applications) and their private files."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import RECEIVED, SubmissionStatus, can_transition
from core.page_text import reading_language, rows_with_text
from tenders.choices import Currency, Envelope


class SubmissionQuerySet(models.QuerySet):
    def received(self):
        return self.filter(status__in=RECEIVED)

    def for_applicant(self, user):
        return self.filter(applicant=user)


class Submission(models.Model):
    """One applicant's bid or application to one call.

    Its content is sealed until the call is opened: every read goes through
    ``applications.permissions``.
    """

    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="submissions"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    # NULL until first submitted; unique among those that have one.
    reference = models.CharField(  # noqa: DJ001
        _("reference"), max_length=60, unique=True, null=True, blank=True
    )
    # Financial envelope (calls for consultancy): the priced offer as typed columns.
    offer_amount = models.DecimalField(
        _("offer amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    offer_currency = models.CharField(
        _("offer currency"), max_length=3, choices=Currency.choices, blank=True
    )
    # Grant applications: the amount requested, in the call's currency.
    amount_requested = models.DecimalField(
        _("amount requested"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Set by the panel's financial opening, only for bids that qualified technically.
    financial_opened_at = models.DateTimeField(
        _("financial envelope opened at"), null=True, blank=True
    )
    # QBS: the chair recorded that negotiation with this firm failed (reason audited),
    # and the next firm's envelope was opened.
    negotiation_failed_at = models.DateTimeField(_("negotiation failed at"), null=True, blank=True)
    # SHA-256 over the canonical form of the answers as submitted (applications.answers),
    # printed on the receipt: the applicant's proof of what they answered.
    answers_sha256 = models.CharField(_("answers' SHA-256"), max_length=64, blank=True)
    # The seal (issue 23): the amounts above, encrypted to the call's key
    # (``amounts_key``) until the opening, and the columns left empty; with what the
    # checks said of them when they were given ("" when they were fine), since nothing
    # can read them again to check them before the opening.
    sealed_amounts = models.BinaryField(_("amounts, sealed"), null=True, blank=True)
    amounts_key = models.ForeignKey(
        "applications.CallKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amounts_problem = models.CharField(_("what the checks said"), max_length=300, blank=True)
    # The call's terms ``amounts_problem`` was judged under (``answers.rules_stamp``).
    amounts_judged = models.CharField(_("judged under"), max_length=16, blank=True)
    # SHA-256 of the token of the last bid form whose post went through: the same form
    # posted again is a double click, not a resubmission.
    form_token = models.CharField(_("last form"), max_length=64, blank=True)
    # The retention policy deleted its files, answers and who sent it (privacy.rules):
    # what stays is the record (reference, status, amounts, scores, fingerprints).
    purged_at = models.DateTimeField(_("contents deleted at"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="one_submission_per_call"),
            models.UniqueConstraint(fields=["call", "number"], name="unique_number_per_call"),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return self.reference or _("Draft #%(pk)s") % {"pk": self.pk}

    def move_to(self, status: SubmissionStatus) -> None:
        """Change status, only along the table of allowed transitions."""
        if not can_transition(self.status, status):
            raise ValueError(f"A submission cannot go from {self.status} to {status}.")
        self.status = status

    @property
    def label(self) -> str:
        """What blind reviewers call it: 'Bid 07'."""
        return _("Bid %(n)02d") % {"n": self.number or 0}

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == SubmissionStatus.WITHDRAWN

    @property
    def is_shortlisted(self) -> bool:
        return self.status == SubmissionStatus.SHORTLISTED

    @property
    def is_awarded(self) -> bool:
        return self.status == SubmissionStatus.AWARDED

    @property
    def amounts_sealed(self) -> bool:
        """Its amounts are encrypted to the call's key and not yet opened."""
        return self.sealed_amounts is not None

    @property
    def status_badge(self) -> str:
        """The badge colour for the applicant's own view of their status."""
        if self.is_submitted:
            return "open"
        if self.is_draft:
            return "upcoming"
        return "closed"


def new_object_name(call_id: int) -> str:
    """UUID object names: nothing about the applicant or the file leaks into storage."""
    return f"submissions/{call_id}/{uuid.uuid4().hex}"


class SubmissionFile(models.Model):
    """A file in private storage, for one required document of a submission.

    ``pending`` files were uploaded to a bid that is already submitted: they
    replace the current file only when the applicant resubmits before the
    deadline. If the deadline passes first, the submitted set stands.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    requirement = models.ForeignKey(
        "tenders.RequiredDocument", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    document_name = models.CharField(_("document"), max_length=200)
    envelope = models.CharField(_("envelope"), max_length=20, choices=Envelope.choices)
    # The object's name in the private storage alias: a UUID, never the
    # applicant's file name. Storage is looked up at run time, so tests and
    # deployments can switch between the local folder and S3.
    object_name = models.CharField(_("object name"), max_length=255, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pending = models.BooleanField(_("pending resubmission"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The seal (issue 23): the stored object is encrypted with a data key of its own,
    # sealed to the call's key (``call_key``), which only the committee's quorum can
    # rebuild; at the opening the data key is sealed again under the server's storage
    # key (``server_key``). Both empty: a file stored before calls were keyed, in clear.
    call_key = models.ForeignKey(
        "applications.CallKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed_key = models.BinaryField(_("data key, sealed to the call"), null=True, blank=True)
    server_key = models.BinaryField(_("data key, for the panel"), null=True, blank=True)
    # "" : encrypted as it was stored (secretstream); "blocks": the encrypted scratch
    # file it arrived in, stored as it is (``applications.sealed_files``).
    sealed_format = models.CharField(_("sealed as"), max_length=8, blank=True, default="")
    # The retention policy deleted the stored object; the row keeps its size and
    # SHA-256, which registers and receipts name, and the file name goes.
    purged_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission file")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "requirement", "pending"],
                name="one_file_per_requirement_and_state",
            )
        ]

    def __str__(self):
        return f"{self.document_name}: {self.original_name}"

    @property
    def is_financial(self) -> bool:
        return self.envelope == Envelope.FINANCIAL

    @property
    def is_sealed_now(self) -> bool:
        """Encrypted to the call's key and not yet opened: nobody can read it."""
        return self.call_key_id is not None and self.server_key is None

    @property
    def document_label(self) -> str:
        """The document's name for its reader: the call's translation's, in a language
        the call is translated into; otherwise the name recorded with the file."""
        if reading_language() == settings.LANGUAGE_CODE or self.requirement_id is None:
            return self.document_name
        requirement = self.__dict__.get("_requirement_row") or self.requirement
        if requirement is None or requirement.text is requirement:
            return self.document_name
        return requirement.text.name


class SubmissionSequence(models.Model):
    """The last reference number given on a call.

    Touched only by a bid's first submit, in its own short row lock, so that
    numbering never makes ordinary saves wait on one another, and never locks
    the call's page row.
    """

    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("submission sequence")

    def __str__(self):
        return f"Call {self.call_id}: {self.last_number}"


def files_labelled(files, call) -> list:
    """``files`` as a list, each with its requirement's row and that row's words in
    the reader's language, so that ``document_label`` costs no query per file."""
    files = list(files)
    if reading_language() == settings.LANGUAGE_CODE:
        return files
    rows = {row.pk: row for row in rows_with_text(call, "required_documents")}
    for file in files:
        file.__dict__["_requirement_row"] = rows.get(file.requirement_id)
    return files
