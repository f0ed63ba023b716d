"""The opening register, for the call's panel (staff see it in the admin too)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from applications.models import OpeningRegister
from applications.permissions import can_see_applicant_identities
from applications.services.registers import register_csv, visible_lines
from reviews.permissions import can_view_register
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
