"""The financial opening register: who qualified, their technical scores and prices.

Written once, in the transaction that opens the financial envelopes, and
mailed to the bidders it lists (World Bank Consultant Guidelines 2.23: the
names, technical scores and prices are read out and recorded, and the record
is sent to every firm whose price was opened).
"""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from applications.models import Submission
from applications.services.audit_chain import audit_chain_head
from applications.services.registers import csv_cell, register_digest
from notifications.services import outbox_enqueue
from reviews.models import FinancialOpeningRegister
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
    members = [{"name": opened_by.get_full_name() or opened_by.email, "at": opened_at.isoformat()}]
    head = audit_chain_head()
    audit_head = str(head) if head else ""
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


def financial_register_lines(register, *, names: bool) -> list[dict]:
    if names:
        return register.lines
    return [{**line, "bidder": ""} for line in register.lines]


def financial_register_csv(register, *, names: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["reference", "bidder", "technical_score", "price", "currency", "document", "sha256"]
    )
    for line in financial_register_lines(register, names=names):
        for f in line["files"] or [{}]:
            row = [
                line["reference"],
                line["bidder"],
                line["technical"],
                line["price"],
                line["currency"],
                f.get("document", ""),
                f.get("sha256", ""),
            ]
            writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
