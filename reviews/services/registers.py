"""The financial opening register: who qualified, their technical scores and prices.

Written once, in the transaction that opens the financial envelopes, and
mailed to the bidders it lists (World Bank Consultant Guidelines 2.23: the
names, technical scores and prices are read out and recorded, and the record
is sent to every firm whose price was opened). A price opened later (QBS,
after a failed negotiation) is recorded as an addendum to it, in the
transaction that opens it, and mailed to that firm with the register as it
then stands.
"""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from applications.models import Submission
from applications.services.audit_chain import audit_chain_head
from applications.services.registers import csv_cell, lines_as_now, register_digest
from notifications.services import outbox_enqueue
from reviews.models import FinancialOpeningRegister, FinancialRegisterAddendum
from reviews.ranking import applicant_name
from tenders.choices import Envelope

CENT = Decimal("0.01")


def _line(submission, technical: Decimal, call) -> dict:
    return {
        "reference": submission.reference or "",
        "bidder": applicant_name(submission),
        "technical": str(technical.quantize(CENT, rounding=ROUND_HALF_UP)),
        "price": str(submission.offer_amount) if submission.offer_amount is not None else "",
        "currency": submission.offer_currency or call.currency,
        "files": [
            {"document": f.document_name, "size": f.size, "sha256": f.sha256}
            for f in sorted(submission.files.all(), key=lambda f: f.document_name)
            if f.envelope == Envelope.FINANCIAL and not f.pending
        ],
    }


def _opened_by(user, at) -> list[dict]:
    return [{"name": user.get_full_name() or user.email, "at": at.isoformat()}]


def _audit_head() -> str:
    head = audit_chain_head()
    return str(head) if head else ""


def financial_register_write(*, call, technical: dict, opened_by, opened_at):
    """Write ``call``'s financial opening register (once) and mail it to the bidders listed.

    ``technical`` maps each opened submission's id to its technical score.
    """
    existing = FinancialOpeningRegister.objects.filter(call=call).first()
    if existing:
        return existing
    submissions = list(
        Submission.objects.filter(pk__in=technical)
        .select_related("applicant__profile")
        .prefetch_related("files")
        .order_by("number", "pk")
    )
    lines = [_line(s, technical[s.pk], call) for s in submissions]
    members = _opened_by(opened_by, opened_at)
    audit_head = _audit_head()
    register = FinancialOpeningRegister.objects.create(
        call=call,
        created_at=opened_at,
        lines=lines,
        opened_by=members,
        audit_head=audit_head,
        digest=register_digest(lines, members, audit_head),
    )
    for submission in submissions:
        outbox_enqueue(
            to=submission.applicant.email,
            language=submission.applicant.language,
            template="reviews/emails/financial_register",
            context={"call": call, "register": register},
            dedupe_key=f"financial-register:{call.pk}:{submission.applicant_id}",
            confidential=True,
        )
    return register


def financial_register_addendum_write(
    *, call, submission, technical: Decimal, opened_by, opened_at, failed_with
):
    """Record ``submission``'s price, opened after ``call``'s register was written, as
    the register's next addendum, and mail it to that bidder with the register.

    Called in the transaction that opens the envelope (the panel's row is locked,
    so numbers never collide). ``failed_with`` is the submission whose negotiation
    failed. Returns the addendum, or None for a call whose prices were opened
    before registers were kept.
    """
    register = FinancialOpeningRegister.objects.filter(call=call).first()
    if register is None:
        return None
    bid = (
        Submission.objects.select_related("applicant__profile")
        .prefetch_related("files")
        .get(pk=submission.pk)
    )
    addendum = FinancialRegisterAddendum(
        register=register,
        number=register.addenda.count() + 1,
        created_at=opened_at,
        negotiation_failed_with=failed_with.reference or "",
        lines=[_line(bid, technical, call)],
        opened_by=_opened_by(opened_by, opened_at),
        audit_head=_audit_head(),
    )
    addendum.digest = addendum.content_digest()
    addendum.save()
    outbox_enqueue(
        to=bid.applicant.email,
        language=bid.applicant.language,
        template="reviews/emails/financial_register_addendum",
        context={
            "call": call,
            "register": register,
            "addendum": addendum,
            "earlier": list(register.addenda.filter(number__lt=addendum.number)),
        },
        dedupe_key=f"financial-register-addendum:{register.pk}:{addendum.number}",
        confidential=True,
    )
    return addendum


def _without_names(lines: list[dict]) -> list[dict]:
    return [{**line, "bidder": ""} for line in lines]


def financial_register_lines(register, *, names: bool) -> list[dict]:
    if names:
        return lines_as_now(register.lines, call_id=register.call_id)
    return _without_names(register.lines)


def financial_register_addenda(register, *, names: bool) -> list[dict]:
    """The register's addenda, in order, each with its lines (names blanked unless
    ``names``)."""
    return [
        {
            "number": addendum.number,
            "created_at": addendum.created_at,
            "negotiation_failed_with": addendum.negotiation_failed_with,
            "lines": lines_as_now(addendum.lines, call_id=register.call_id)
            if names
            else _without_names(addendum.lines),
            "opened_by": addendum.opened_by,
            "audit_head": addendum.audit_head,
            "digest": addendum.digest,
        }
        for addendum in register.addenda.order_by("number")
    ]


def financial_register_csv(register, *, names: bool = True) -> str:
    """The register's lines, then each addendum's: one row per financial file, with
    the record each price was opened in and that record's SHA-256."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "reference",
            "bidder",
            "technical_score",
            "price",
            "currency",
            "document",
            "sha256",
            "opened_in",
            "opened_at",
            "record_sha256",
        ]
    )
    records = [
        (
            "register",
            register.created_at,
            register.digest,
            financial_register_lines(register, names=names),
        )
    ] + [
        (f"addendum {a['number']}", a["created_at"], a["digest"], a["lines"])
        for a in financial_register_addenda(register, names=names)
    ]
    for opened_in, opened_at, digest, lines in records:
        for line in lines:
            for f in line["files"] or [{}]:
                row = [
                    line["reference"],
                    line["bidder"],
                    line["technical"],
                    line["price"],
                    line["currency"],
                    f.get("document", ""),
                    f.get("sha256", ""),
                    opened_in,
                    opened_at.isoformat(),
                    digest,
                ]
                writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
