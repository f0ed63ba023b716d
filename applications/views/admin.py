"""Staff screens in the Wagtail admin: counts before opening, bids after, the audit trail."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.passkeys import assertion_prepare, uses_passkey
from applications.choices import RECEIVED
from applications.models import (
    AuditEvent,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
    OpeningRegister,
    Submission,
    SubmissionFile,
)
from applications.permissions import (
    call_is_opened,
    call_is_sealed,
    can_confirm_opening,
    can_see_submission_count,
    can_view_audit_trail,
    can_view_financial_envelope,
    can_view_submission,
)
from applications.services.call_keys import call_key_in_use
from applications.services.committee import (
    committee_change_refusal,
    confirmation_window_closes,
    opening_delay_record,
)
from applications.services.opening import opening_confirm
from applications.services.registers import register_csv
from core.errors import Refused
from tenders.choices import CallOutcome, Envelope
from tenders.models import CallPage


def _require_staff(request):
    if not request.user.is_staff:
        raise PermissionDenied


def call_list(request):
    _require_staff(request)
    calls = (
        CallPage.objects.live()
        .originals()
        .select_related("opening")
        .annotate(received=Count("submissions", filter=Q(submissions__status__in=RECEIVED)))
        .order_by("-closes_at")
    )
    return TemplateResponse(request, "applications/admin/call_list.html", {"calls": calls})


def call_submissions(request, call_id):
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals().select_related("opening"), pk=call_id)
    if not can_see_submission_count(request.user, call):
        raise PermissionDenied
    received = Submission.objects.filter(call=call).received()
    context = {
        "call": call,
        "received_count": received.count(),
        "sealed": call_is_sealed(call),
        "can_confirm": can_confirm_opening(request.user, call)
        and not OpeningConfirmation.objects.filter(call=call, member=request.user).exists(),
        "committee": OpeningCommittee.objects.filter(call=call)
        .prefetch_related("members")
        .first(),
        "confirmations": OpeningConfirmation.objects.filter(call=call).select_related("member"),
        **_opening_timeline(request.user, call),
        "quorum": settings.OPENING_QUORUM,
        "can_view_audit": can_view_audit_trail(request.user, call),
        "submissions": [],
    }
    context["call_key"] = call_key_in_use(call.pk) if context["sealed"] else None
    context["holds_share"] = bool(
        context["call_key"] and context["call_key"].shares.filter(member=request.user).exists()
    )
    if context["can_confirm"] and uses_passkey(request.user):
        # The confirmation asks the member's security key or passkey (accounts.passkeys).
        context["uses_passkey"] = True
        assertion_prepare(request, request.user)
    if not context["sealed"]:
        submissions = received.select_related("applicant__profile").prefetch_related("files")
        visible = []
        for submission in submissions.order_by("number"):
            submission.call = call  # already loaded with its opening: no query per row
            if can_view_submission(request.user, submission):
                visible.append(submission)
        context["submissions"] = visible
    return TemplateResponse(request, "applications/admin/call_submissions.html", context)


def _opening_timeline(user, call) -> dict:
    """The confirmation window, the late openings recorded, and who may record one."""
    if call_is_opened(call) or timezone.now() < call.closes_at:
        return {"committee_refusal": committee_change_refusal(call.pk)}
    window_closes = confirmation_window_closes(call.pk)
    window_open = timezone.now() <= window_closes
    return {
        "committee_refusal": committee_change_refusal(call.pk),
        "window_closes": window_closes,
        "window_open": window_open,
        "delays": OpeningDelay.objects.filter(call=call)
        .select_related("recorded_by")
        .order_by("recorded_at"),
        "can_record_delay": not window_open
        and user.has_perm("applications.add_openingdelay")
        and call.outcome != CallOutcome.CANCELLED,
    }


@sensitive_post_parameters("password")
@require_POST
def call_opening_delay_view(request, call_id):
    """Staff record a late opening, with a reason and their password."""
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals(), pk=call_id)
    try:
        opening_delay_record(
            call=call,
            user=request.user,
            password=request.POST.get("password", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _(
                "Late opening recorded. The committee may be changed until the next "
                "confirmation, and has a new window to confirm."
            ),
        )
    return redirect("zabuni_call_submissions", call_id=call.pk)


@sensitive_post_parameters("password", "code", "passphrase")
@require_POST
def call_open_view(request, call_id):
    """A committee member confirms the opening, with their password; the quorum opens."""
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals(), pk=call_id)
    try:
        count, opening = opening_confirm(
            call=call,
            user=request.user,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            passphrase=request.POST.get("passphrase", ""),
            request=request,
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        if opening is None and count >= settings.OPENING_QUORUM:
            messages.success(
                request,
                _(
                    "Your confirmation is recorded. The call opens when enough members have "
                    "given their passphrases to rebuild its key."
                ),
            )
        elif opening is not None:
            messages.success(
                request,
                _("Call opened: %(n)s submissions unsealed.")
                % {"n": opening.submissions_received},
            )
        else:
            messages.success(
                request,
                _(
                    "Your confirmation is recorded: %(count)s of the %(quorum)s needed "
                    "to open the call."
                )
                % {"count": count, "quorum": settings.OPENING_QUORUM},
            )
    return redirect("zabuni_call_submissions", call_id=call.pk)


def call_audit(request, call_id):
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals(), pk=call_id)
    if not can_view_audit_trail(request.user, call):
        raise PermissionDenied
    events = AuditEvent.objects.filter(call=call)
    sealed = call_is_sealed(call)
    hidden_count = 0
    if sealed:
        # Events about a sealed bid would name its applicant: only counts show.
        hidden_count = events.filter(submission__isnull=False).count()
        events = events.filter(submission__isnull=True)
    events = list(events.select_related("actor", "submission").order_by("-at", "-pk")[:500])
    _mask_unopened_files(request.user, call, events)
    return TemplateResponse(
        request,
        "applications/admin/call_audit.html",
        {"call": call, "events": events, "sealed": sealed, "hidden_count": hidden_count},
    )


def _mask_unopened_files(user, call, events) -> None:
    """After opening, still say nothing of a financial envelope not yet opened for
    this user, nor of a replacement that was never resubmitted: not even its name."""
    file_ids = {e.file_id for e in events if e.file_id}
    if not file_ids:
        return
    files = SubmissionFile.objects.filter(pk__in=file_ids).select_related("submission")
    by_id = {f.pk: f for f in files}
    for event in events:
        if not event.file_id:
            continue
        file = by_id.get(event.file_id)
        if file is None:  # replaced or discarded: not part of the bid, its envelope unknown
            event.file_name = _("(a file later replaced)")
            continue
        file.submission.call = call
        if file.pending:
            event.file_name = _("(a replacement that was not resubmitted)")
        elif file.envelope == Envelope.FINANCIAL and not can_view_financial_envelope(
            user, file.submission
        ):
            event.file_name = _("(a file in a sealed financial envelope)")


def call_register(request, call_id):
    """The opening register, as written at the opening: printable, and as CSV."""
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals(), pk=call_id)
    register = OpeningRegister.objects.filter(call=call).first()
    if register is None or not can_view_audit_trail(request.user, call):
        raise Http404
    if request.GET.get("format") == "csv":
        response = HttpResponse(register_csv(register), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="opening-register-{call.reference_code}.csv"'
        )
        return response
    return TemplateResponse(
        request, "applications/admin/call_register.html", {"call": call, "register": register}
    )
