"""The opening register: written once when a call opens, mailed to every bidder.

Grant applicants get a copy with references only, never names: a grant
application can name an activist.
"""

import csv
import hashlib
import io
import json

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import RECEIVED, SubmissionStatus
from applications.models import OpeningConfirmation, OpeningRegister, RecoveryShare, Submission
from applications.services.audit_chain import audit_chain_head
from notifications.services import outbox_enqueue
from tenders.choices import Envelope

LISTED = RECEIVED | {SubmissionStatus.WITHDRAWN}


def _line(submission) -> dict:
    files = sorted(
        (f for f in submission.files.all() if not f.pending),
        key=lambda f: (f.envelope != Envelope.TECHNICAL, f.document_name),
    )
    return {
        "reference": submission.reference or "",
        "bidder": submission.applicant.profile.display_name
        if hasattr(submission.applicant, "profile")
        else submission.applicant.email,
        "received_at": submission.submitted_at.isoformat() if submission.submitted_at else "",
        "status": submission.status,
        "withdrawn_at": submission.withdrawn_at.isoformat() if submission.withdrawn_at else "",
        "files": [
            {
                "envelope": f.envelope,
                "document": f.document_name,
                # A sealed financial envelope: its fingerprint, never its name or amount.
                "name": "" if f.envelope == Envelope.FINANCIAL else f.original_name,
                "size": f.size,
                "sha256": f.sha256,
                "sealed": f.envelope == Envelope.FINANCIAL,
            }
            for f in files
        ],
    }


def register_digest(lines, members, audit_head) -> str:
    payload = {"lines": lines, "members": members, "audit_head": audit_head}
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def opening_register_write(*, call, opened_by) -> OpeningRegister:
    """Write ``call``'s register (once) and queue a copy to every bidder listed."""
    existing = OpeningRegister.objects.filter(call=call).first()
    if existing:
        return existing
    submissions = list(
        Submission.objects.filter(call=call, status__in=LISTED)
        .select_related("applicant__profile")
        .prefetch_related("files")
        .order_by("number", "pk")
    )
    lines = [_line(s) for s in submissions]
    confirmations = OpeningConfirmation.objects.filter(call=call).select_related("member")
    # Whose shares of the call's key rebuilt it (issue 23): read before they are erased.
    members = [
        {
            "name": c.member.get_full_name() or c.member.email,
            "at": c.confirmed_at.isoformat(),
            **({"key_share": True} if c.share is not None else {}),
        }
        for c in confirmations.order_by("confirmed_at")
    ] or [{"name": opened_by.get_full_name() or opened_by.email, "at": timezone.now().isoformat()}]
    recovery = RecoveryShare.objects.filter(call=call, share__isnull=False).first()
    if recovery is not None:
        members.append(
            {"name": "Recovery key", "at": recovery.given_at.isoformat(), "key_share": True}
        )
    head = audit_chain_head()
    audit_head = str(head) if head else ""
    register = OpeningRegister.objects.create(
        call=call,
        created_at=timezone.now(),
        lines=lines,
        members=members,
        audit_head=audit_head,
        digest=register_digest(lines, members, audit_head),
    )
    for submission in submissions:
        outbox_enqueue(
            to=submission.applicant.email,
            language=submission.applicant.language,
            template="applications/emails/opening_register",
            context={
                "call": call,
                "register": register,
                "lines": visible_lines(register, names=not call.is_grant),
                "names": not call.is_grant,
            },
            dedupe_key=f"register:{call.pk}:{submission.applicant_id}",
            confidential=True,
        )
    return register


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula is quoted."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def lines_as_now(lines: list[dict], *, call_id: int | None) -> list[dict]:
    """A register's lines as written, but for bids whose contents the retention policy
    has since deleted, or whose applicant erased their account: the register stays the
    record as written (its SHA-256 was mailed out), while the page and its CSV show the
    bid's label, or the account's pseudonym, and no file names."""
    references = [line["reference"] for line in lines if line.get("reference")]
    if call_id is None or not references:
        return lines
    changed = (
        Submission.objects.filter(call_id=call_id, reference__in=references)
        .filter(Q(purged_at__isnull=False) | Q(applicant__is_active=False))
        .select_related("applicant__profile")
    )
    now_named = {}
    for submission in changed:
        if submission.purged_at is not None:
            now_named[submission.reference] = _("%(label)s (details deleted)") % {
                "label": submission.label
            }
        else:
            profile = getattr(submission.applicant, "profile", None)
            now_named[submission.reference] = profile.display_name if profile else ""
    if not now_named:
        return lines
    return [
        {
            **line,
            "bidder": now_named[line["reference"]],
            "files": [{**f, "name": ""} for f in line.get("files", [])],
        }
        if line.get("reference") in now_named
        else line
        for line in lines
    ]


def visible_lines(register, *, names: bool) -> list[dict]:
    """The register's lines for a reader who may not see who bid (blind review, a
    grant's bidders): no bidder, and no file names, which could name them too."""
    if names:
        return lines_as_now(register.lines, call_id=register.call_id)
    return [
        {
            **line,
            "bidder": "",
            "files": [{**f, "name": "" if not f["sealed"] else f["name"]} for f in line["files"]],
        }
        for line in register.lines
    ]


def register_csv(register, *, names: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["reference", "bidder", "received_at", "status", "envelope", "document", "file"]
        + ["size", "sha256"]
    )
    for line in visible_lines(register, names=names):
        for f in line["files"] or [{}]:
            row = [
                line["reference"],
                line["bidder"],
                line["received_at"],
                line["status"],
                f.get("envelope", ""),
                f.get("document", ""),
                "(sealed)" if f.get("sealed") else f.get("name", ""),
                f.get("size", ""),
                f.get("sha256", ""),
            ]
            writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
