"""The opening registers (bids, then prices), for the call's panel and staff."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from applications.models import OpeningRegister
from applications.permissions import can_see_applicant_identities
from applications.services.registers import register_csv, visible_lines
from reviews.models import FinancialOpeningRegister
from reviews.permissions import can_view_financial_register, can_view_register
from reviews.services.registers import financial_register_csv, financial_register_lines
from tenders.models import CallPage


def register(request, call_id):
    call = get_object_or_404(CallPage.objects.select_related("opening"), pk=call_id)
    record = OpeningRegister.objects.filter(call=call).first()
    if record is None or not can_view_register(request.user, call):
        raise Http404
    # Under blind review, the panel sees references, never names.
    names = can_see_applicant_identities(request.user, call)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            register_csv(record, names=names), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="opening-register-{call.reference_code}.csv"'
        )
        return response
    context = {
        "call": call,
        "register": record,
        "names": names,
        "lines": visible_lines(record, names=names),
    }
    return render(request, "reviews/register.html", context)


def financial_register(request, call_id):
    """The financial opening register: the chair and staff, once written."""
    call = get_object_or_404(CallPage.objects.select_related("opening"), pk=call_id)
    record = FinancialOpeningRegister.objects.filter(call=call).first()
    if record is None or not can_view_financial_register(request.user, call):
        raise Http404
    names = can_see_applicant_identities(request.user, call)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            financial_register_csv(record, names=names), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="financial-opening-register-{call.reference_code}.csv"'
        )
        return response
    context = {
        "call": call,
        "register": record,
        "names": names,
        "lines": financial_register_lines(record, names=names),
    }
    return render(request, "reviews/financial_register.html", context)
