"""An applicant's answers to a call's application form (issue 22).

One row per question and state, like the files: a draft's answers are edited in
place; on a submitted bid a change waits as ``pending`` until the applicant
resubmits before the deadline, so the submitted answers (and their fingerprint on
the receipt) stand until then. ``question_id`` is the form block's id, which
stays with the question when editors reorder the form.

On a call with a key (issue 23) an answer is sealed before it is stored: ``value`` stays
empty until the opening, ``sealed`` holds it (with a random salt, the bid and the
question it belongs to) in a sealed box to the call's key, and ``own_copy`` holds the
same under a key kept only in the applicant's browser (``applications.answer_keys``), so
they can see and change it there. ``digest`` (HMAC-SHA256 of the answer under the
salt) makes the receipt's fingerprint without reading the answer, and ``problem`` is
what the checks said when it was saved, for Submit on a device that cannot read it. At
the opening the value and the salt are written back and the sealed copies dropped.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .submissions import Submission


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(_("question"), max_length=64)
    # Text for most questions; a list for multiple choice; lines for a budget table.
    value = models.JSONField(_("answer"), null=True, blank=True)  # None while sealed
    call_key = models.ForeignKey(
        "applications.CallKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(_("answer, sealed"), null=True, blank=True)
    own_copy = models.BinaryField(_("answer, the applicant's copy"), null=True, blank=True)
    digest = models.CharField(_("HMAC-SHA256 of the answer"), max_length=64, blank=True)
    salt = models.BinaryField(_("salt of the digest"), null=True, blank=True)  # once opened
    problem = models.CharField(_("what the checks said"), max_length=300, blank=True)
    # The rules ``problem`` was judged under (``applications.answers.rules_stamp``).
    judged = models.CharField(_("judged under"), max_length=16, blank=True)
    pending = models.BooleanField(_("pending resubmission"), default=False)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question_id", "pending"],
                name="one_answer_per_question_and_state",
            )
        ]

    def __str__(self):
        return f"{self.submission_id}: {self.question_id}"

    @property
    def is_sealed(self) -> bool:
        return self.sealed is not None
