"""The applicant's side: start a bid, edit it, submit, withdraw, see the receipt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.answer_keys import own_key_for_saving, own_key_of, own_key_remember
from applications.answers import answers_from_post, shown_sections
from applications.choices import AuditAction
from applications.forms import SubmissionForm, document_field_name
from applications.models import Submission
from applications.models.submissions import files_labelled
from applications.permissions import (
    can_edit_submission,
    can_see_applicant_identity,
    can_view_financial_envelope,
    can_view_submission,
    is_owner,
)
from applications.services.answers import AnswersIncomplete, answers_read
from applications.services.audit import audit_record
from applications.services.audit_chain import audit_chain_head
from applications.services.call_keys import call_key_in_use
from applications.services.check import submission_problems
from applications.services.submissions import (
    FilesRefused,
    require_editable,
    submission_save,
    submission_start,
)
from applications.services.withdrawal import submission_withdraw
from core.errors import Refused
from core.page_text import with_text
from core.receipt import stamps_receipt, time_of_receipt
from tenders.application_form import form_questions, form_sections
from tenders.choices import Envelope
from tenders.models import CallPage


def _submission_or_404(request, pk) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("call", "applicant"), pk=pk)
    # 404, not 403: a sealed bid's existence is not confirmed to anyone else.
    if not can_view_submission(request.user, submission):
        raise Http404
    if not can_see_applicant_identity(request.user, submission):
        raise Http404  # blind reviewers work from their assignment page only
    return submission


@login_required
@require_POST
@stamps_receipt
def apply(request, call_id):
    call = get_object_or_404(CallPage.objects.live().originals(), pk=call_id)
    try:
        submission = submission_start(
            call=call, applicant=request.user, received_at=time_of_receipt(request)
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(call.get_url(request))
    return redirect("applications:submission", pk=submission.pk)


@login_required
@require_http_methods(["GET", "POST"])
@stamps_receipt
def submission_detail(request, pk):
    # A key made for the applicant's sealed answers reaches their browser, whatever the
    # answer; so do the copies of their key for the pages that may read it.
    response = _submission_detail(request, pk)
    return own_key_remember(request, response, getattr(request, _OWN_BID, None))


_OWN_BID = "_zabuni_own_bid"


def _submission_detail(request, pk):
    submission = _submission_or_404(request, pk)
    call = submission.call
    owner = is_owner(request.user, submission)
    if owner:
        setattr(request, _OWN_BID, submission)
    if not owner:
        audit_record(
            actor=request.user,
            action=AuditAction.SUBMISSION_VIEWED,
            request=request,
            submission=submission,
        )
    # A POST is judged at its time of receipt, not when its turn to be processed comes.
    now = time_of_receipt(request) if request.method == "POST" else None
    editable = owner and can_edit_submission(request.user, submission, now=now)
    form = None
    status = 200
    request.answer_errors = {}
    if request.method == "POST":
        # Oversized requests never get here: RequestSizeLimitMiddleware answers 413.
        if not editable and not owner:
            messages.error(request, _("This submission can no longer be changed."))
            status = 403
        elif not editable:
            try:
                require_editable(request.user, submission, now)
            except Refused as refusal:  # always: says why (the deadline, or the state)
                messages.error(request, refusal.message)
                status = refusal.status_code
        elif request.POST.get("action") == "withdraw":
            return _withdraw(request, submission)
        else:
            form = SubmissionForm(request.POST, request.FILES, call=call, submission=submission)
            response, status = _save(request, submission, form)
            if response:
                return response
            editable = can_edit_submission(request.user, submission)
    if form is None:
        form = SubmissionForm(call=call, submission=submission)
    files = files_labelled(
        _visible_files(request.user, submission).order_by(
            "requirement__sort_order", "document_name", "pending"
        ),
        call,
    )
    check = None
    if editable and request.method == "GET" and request.GET.get("check"):
        check = submission_problems(submission, own_key=own_key_of(request, submission))
        request.answer_errors = {p.question_id: p.message for p in check if p.question_id}
    sections = form_sections(call)
    answers = answers_read(
        submission, pending=editable, own_key=own_key_of(request, submission) if owner else None
    )
    return render(
        request,
        "applications/submission_detail.html",
        {
            "submission": submission,
            "call": call,
            "form": form,
            "rows": list(form.rows(files)),
            "files": files,
            "sealed_files": any(f.is_sealed_now for f in files),
            "editable": editable,
            "owner": owner,
            "answer_sections": shown_sections(
                sections, answers.values, request.answer_errors, unread=answers.unread
            ),
            "answers_unread": bool(answers.unread),
            "answers_sealed": bool(sections) and editable and call_key_in_use(call.pk) is not None,
            "answer_errors": request.answer_errors,
            "missing_documents": getattr(request, "missing_documents", []),
            "form_addendum": _form_addendum(submission) if editable else None,
            "check": check,
            "changes_waiting": editable
            and submission.is_submitted
            and (
                any(f.pending for f in files) or submission.answers.filter(pending=True).exists()
            ),
        },
        status=status,
    )


def _form_addendum(submission):
    """The latest addendum that changed the application form since the bid was last
    submitted (or, for a draft, started); None if there is none."""
    since = submission.submitted_at or submission.created_at
    return (
        submission.call.addenda.filter(form_changed=True, created_at__gt=since)
        .order_by("-number")
        .first()
    )


def _posted_answers(request, call):
    """The form's answers in a post of the bid page; None when the post has no form."""
    if not request.POST.get("answers_form"):
        return None
    return answers_from_post(form_questions(call), request.POST)


def _save(request, submission, form):
    """Save or submit from a posted form: a redirect on success, else the status to show."""
    if not form.is_valid():
        _keep_uploads(request, submission, form)
        return None, 400
    submit = request.POST.get("action") == "submit"
    try:
        submission, changed = submission_save(
            submission=submission,
            user=request.user,
            uploads=form.uploads(),
            amounts=form.amounts(),
            answers=_posted_answers(request, submission.call),
            submit=submit,
            request=request,
            received_at=time_of_receipt(request),
            form_token=form.cleaned_data.get("form_token", ""),
            own_key=own_key_for_saving(request, submission),
        )
    except FilesRefused as refusal:
        _show_file_refusals(request, form, refusal)
        return None, refusal.status_code
    except AnswersIncomplete as refusal:
        request.answer_errors = refusal.errors
        request.missing_documents = refusal.missing
        for requirement in refusal.missing:
            form.add_error(document_field_name(requirement), _("Add this document."))
        if refusal.amount:
            field = "amount_requested" if submission.call.is_grant else "offer_amount"
            form.add_error(field, refusal.amount)
        messages.error(request, refusal.message)
        return None, refusal.status_code
    except Refused as refusal:
        messages.error(request, refusal.message)
        return None, refusal.status_code
    if submit:
        if changed:
            messages.success(request, _("Your submission was received."))
        return redirect("applications:receipt", pk=submission.pk), 302
    if request.POST.get("action") == "check":
        url = reverse("applications:submission", args=[submission.pk])
        return redirect(f"{url}?check=1#check"), 302
    messages.success(
        request,
        _("Saved. Your bid is not submitted until you press Submit.")
        if submission.is_draft
        else _("Saved. Press Resubmit to replace your submitted bid."),
    )
    return redirect("applications:submission", pk=submission.pk), 302


def _show_file_refusals(request, form, refusal):
    """Every refusal next to its own file, all at once; the kept files show in
    their rows, and the message at the top says which is which."""
    for requirement, message in refusal.refusals.items():
        form.add_error(document_field_name(requirement), message)
    messages.error(request, refusal.message)


def _keep_uploads(request, submission, form):
    """A mistake in the typed fields never costs the files or answers sent with them:
    they are saved on the bid as a plain save (amounts untouched, nothing submitted)."""
    uploads = form.uploads()
    answers = _posted_answers(request, submission.call)
    if not uploads and not answers:
        return
    try:
        submission_save(
            submission=submission,
            user=request.user,
            uploads=uploads,
            amounts=None,
            answers=answers,
            request=request,
            received_at=time_of_receipt(request),
            own_key=own_key_for_saving(request, submission),
        )
    except FilesRefused as refusal:
        _show_file_refusals(request, form, refusal)
        return
    except Refused as refusal:
        messages.error(request, refusal.message)
        return
    if not uploads:
        messages.warning(
            request,
            _("Your answers are kept. Correct the fields marked below; nothing was submitted."),
        )
        return
    kept = ", ".join(r.text.name for r in form.requirements if r.pk in uploads)
    messages.warning(
        request,
        _("Kept: %(kept)s. Correct the fields marked below; nothing was submitted.")
        % {"kept": kept},
    )


def _withdraw(request, submission):
    try:
        submission_withdraw(
            submission=submission,
            user=request.user,
            request=request,
            received_at=time_of_receipt(request),
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("applications:submission", pk=submission.pk)
    messages.success(
        request,
        _("Your bid is withdrawn. You can submit it again until the deadline."),
    )
    return redirect("applications:submission", pk=submission.pk)


@login_required
def submission_receipt(request, pk):
    submission = _submission_or_404(request, pk)
    if not submission.submitted_at:
        raise Http404
    files = _visible_files(request.user, submission).filter(pending=False)
    audit_record(
        actor=request.user,
        action=AuditAction.RECEIPT_VIEWED,
        request=request,
        submission=submission,
    )
    return render(
        request,
        "applications/submission_receipt.html",
        {
            "submission": submission,
            "call": submission.call,
            "files": files_labelled(
                files.order_by("requirement__sort_order", "document_name"), submission.call
            ),
            "show_financial": can_view_financial_envelope(request.user, submission),
            "audit_head": audit_chain_head(),
        },
    )


def _visible_files(user, submission):
    files = submission.files.all()
    if not can_view_financial_envelope(user, submission):
        files = files.exclude(envelope=Envelope.FINANCIAL)
    return files


@login_required
def dashboard(request):
    submissions = list(
        Submission.objects.for_applicant(request.user)
        .select_related("call")
        .order_by("-updated_at")
    )
    with_text([submission.call for submission in submissions])  # the calls' words: one query
    return render(request, "applications/dashboard.html", {"submissions": submissions})
