"""The bid page's autosave of the application form's answers, as JSON (issue 22).

The page's script posts the form's answers (never its files) a moment after the
applicant stops typing; they are saved exactly as Save draft saves them
(``submission_save``), so a draft keeps what was typed and a submitted bid keeps
its changes waiting for Resubmit. Every answer is JSON: 200 with the time it was
saved, or a 4xx with a ``message`` (signed out, past the deadline, not theirs,
a bid that can no longer change), never an HTML page.
"""

from django.http import JsonResponse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from applications.answer_keys import own_key_for_saving, own_key_remember
from applications.answers import answers_from_post
from applications.models import Submission
from applications.permissions import is_owner
from applications.services.submissions import submission_save
from applications.views.resumable import signed_in
from core.errors import Refused
from core.json_views import answers_json, json_methods, json_refusal
from core.receipt import stamps_receipt, time_of_receipt
from tenders.application_form import form_questions


@answers_json
@signed_in
@stamps_receipt
def answers_save(request, pk):
    submission = Submission.objects.select_related("call").filter(pk=pk).first()
    # 404 for anyone else's bid, whatever the method: a sealed bid's existence is
    # not confirmed.
    if submission is None or not is_owner(request.user, submission):
        return json_refusal(_("There is no such bid of yours."), 404)
    return own_key_remember(request, _save(request, submission))


@json_methods("POST")
def _save(request, submission):
    if not request.POST.get("answers_form"):
        return json_refusal(_("No answers were sent."), 400)
    answers = answers_from_post(form_questions(submission.call), request.POST)
    try:
        submission, changed = submission_save(
            submission=submission,
            user=request.user,
            answers=answers,
            request=request,
            received_at=time_of_receipt(request),
            own_key=own_key_for_saving(request, submission),
        )
    except Refused as refusal:
        return json_refusal(refusal.message, refusal.status_code)
    saved_at = timezone.localtime()
    return JsonResponse(
        {
            "saved": True,
            "changed": changed,
            "saved_at": time_format(saved_at, "H:i"),
            "message": _("Saved %(time)s") % {"time": time_format(saved_at, "H:i")},
        }
    )
