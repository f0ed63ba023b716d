"""Scoring sheets: ask for one, watch it being assembled, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from applications.choices import AuditAction
from applications.services.audit import audit_record
from core.errors import Refused
from core.serving import serve_private_object
from reviews.models import ScoringSheet
from reviews.permissions import can_view_ranking, can_view_sheet
from reviews.services.sheets import scoring_sheet_request
from reviews.workbook import KINDS
from tenders.models import CallPage


def _sheet_or_404(request, sheet_id) -> ScoringSheet:
    sheet = get_object_or_404(
        ScoringSheet.objects.select_related("call__opening", "call__panel"), pk=sheet_id
    )
    # 404, not 403: another person's sheet is not confirmed to exist.
    if not can_view_sheet(request.user, sheet):
        raise Http404
    return sheet


def _downloads(sheet) -> dict[str, str]:
    if not sheet.is_done:
        return {}
    return {
        kind.replace("-", "_"): reverse(
            "reviews:sheet_download", kwargs={"sheet_id": sheet.pk, "kind": kind}
        )
        for kind in KINDS
        if _object_name(sheet, kind)
    }


def _object_name(sheet, kind: str) -> str:
    return {
        "xlsx": sheet.xlsx_object,
        "csv": sheet.csv_object,
        "answers-csv": sheet.answers_csv_object,
    }[kind]


@login_required
@require_POST
def ask(request, call_id):
    """Queue a new scoring sheet for the call and show its progress."""
    call = get_object_or_404(
        CallPage.objects.originals().select_related("opening", "panel"), pk=call_id
    )
    if not can_view_ranking(request.user, call):
        raise Http404
    try:
        sheet = scoring_sheet_request(call=call, user=request.user)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("reviews:ranking", call_id=call.pk)
    # The status page says what happens next, including a broker outage.
    return redirect("reviews:sheet", sheet_id=sheet.pk)


@never_cache
@login_required
@require_GET
def status(request, sheet_id):
    sheet = _sheet_or_404(request, sheet_id)
    return render(
        request,
        "reviews/sheets/scoring_sheet.html",
        {"sheet": sheet, "call": sheet.call, "downloads": _downloads(sheet)},
    )


@never_cache
@login_required
@require_GET
def progress(request, sheet_id):
    """What the status page polls: the status, the percentage, and the links once done."""
    sheet = _sheet_or_404(request, sheet_id)
    return JsonResponse(
        {
            "status": sheet.status,
            "status_label": str(sheet.get_status_display()),
            "progress": sheet.progress,
            "done": sheet.is_done,
            "pending": sheet.is_pending,
            "error": sheet.error,
            "downloads": _downloads(sheet),
        }
    )


@never_cache
@login_required
@require_GET
def download(request, sheet_id, kind):
    """Check permission, write the audit event, then hand over the file.

    As for bid files: on S3 a redirect to a URL signed for at most 60
    seconds, otherwise the file streamed from the private folder.
    """
    if kind not in KINDS:
        raise Http404
    sheet = _sheet_or_404(request, sheet_id)
    if not sheet.is_done or not _object_name(sheet, kind):
        raise Http404
    call = sheet.call
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOADED,
        request=request,
        call=call,
        detail=_("Scoring sheet %(id)s (%(kind)s, %(names)s)")
        % {
            "id": sheet.pk,
            "kind": kind.upper().replace("-", " "),
            "names": _("applicant names hidden") if sheet.blind else _("with applicant names"),
        },
    )
    object_name = _object_name(sheet, kind)
    stem = "answers" if kind == "answers-csv" else "scoring-sheet"
    filename = f"{stem}-{call.reference_code}-{sheet.pk}.{kind.removeprefix('answers-')}"
    return serve_private_object(object_name, filename=filename, content_type=KINDS[kind])
