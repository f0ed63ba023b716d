"""The opening registers (bids, then prices), for the call's panel and staff."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from applications.models import OpeningRegister
from applications.permissions import can_see_applicant_identities
from applications.services.registers import register_csv, visible_lines
from reviews.compliance import compliance_register_lines
from reviews.models import FinancialOpeningRegister
from reviews.permissions import can_view_financial_register, can_view_register
from reviews.services.registers import (
    financial_register_addenda,
    financial_register_csv,
    financial_register_lines,
)
from tenders.models import CallPage


@dataclass(frozen=True)
class RegisterKind:
    model: type
    may_view: object  # (user, call) -> bool
    lines: object  # (register, names=) -> list
    csv: object  # (register, names=) -> str
    template: str
    filename: str
    addenda: object = None  # (register, names=) -> list, for a register that has them


OPENING = RegisterKind(
    OpeningRegister,
    can_view_register,
    visible_lines,
    register_csv,
    "reviews/register.html",
    "opening-register",
    # The preliminary examination, added to the register as it is decided.
    addenda=compliance_register_lines,
)
FINANCIAL = RegisterKind(
    FinancialOpeningRegister,
    can_view_financial_register,
    financial_register_lines,
    financial_register_csv,
    "reviews/financial_register.html",
    "financial-opening-register",
    addenda=financial_register_addenda,
)


def _register_page(request, call_id, kind: RegisterKind):
    """A register as a printable page or, with ``?format=csv``, a CSV file; 404 for
    anyone ``kind.may_view`` refuses, and before it is written."""
    call = get_object_or_404(CallPage.objects.originals().select_related("opening"), pk=call_id)
    record = kind.model.objects.filter(call=call).first()
    if record is None or not kind.may_view(request.user, call):
        raise Http404
    # Under blind review, the panel sees references, never names.
    names = can_see_applicant_identities(request.user, call)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            kind.csv(record, names=names), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{kind.filename}-{call.reference_code}.csv"'
        )
        return response
    context = {
        "call": call,
        "register": record,
        "names": names,
        "lines": kind.lines(record, names=names),
        "addenda": kind.addenda(record, names=names) if kind.addenda else [],
    }
    return render(request, kind.template, context)


def register(request, call_id):
    """The opening register: staff and the call's panel, once the call is opened."""
    return _register_page(request, call_id, OPENING)


def financial_register(request, call_id):
    """The financial opening register: the chair and staff, once written."""
    return _register_page(request, call_id, FINANCIAL)
