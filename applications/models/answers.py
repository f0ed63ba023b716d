"""An applicant's answers to a call's application form (issue 22).

One row per question and state, like the files: a draft's answers are edited in
place; on a submitted bid a change waits as ``pending`` until the applicant
resubmits before the deadline, so the submitted answers (and their fingerprint on
the receipt) stand until then. ``question_id`` is the form block's id, which
stays with the question when editors reorder the form.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .submissions import Submission


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(_("question"), max_length=64)
    # Text for most questions; a list for multiple choice; lines for a budget table.
    value = models.JSONField(_("answer"))
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
