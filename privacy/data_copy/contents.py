"""What a data copy says about its owner: their account, each of their bids, the mail
sent to their address, and the README.

Every query starts from the owner (their user row, their submissions, mail to their
address), and nothing here follows a link to another person: not the panel, not the
committee, not other bids on the same call. Words meant for the owner are in the
active language (the caller chooses it).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Profile, SignedInSession
from applications.choices import OUTCOMES, SubmissionStatus
from applications.models import Submission, SubmissionFile
from applications.sealed_files import is_readable
from applications.services.answers import answers_read
from core.page_text import with_text
from notifications.delivery import BODY_DROPPED
from notifications.models import OutboxMessage
from tenders.application_form import form_questions
from tenders.models import Clarification

SEALED_FILE = gettext_lazy(
    "Not in this copy: the file was encrypted to the opening committee's keys as it "
    "arrived, and nobody, this portal included, can read it before the call is opened. "
    "Its name, size and SHA-256 identify it."
)
PURGED_FILE = gettext_lazy(
    "Not in this copy: the file was deleted under the retention policy. Its size and "
    "SHA-256 are kept, since registers and receipts name them."
)
BROKEN_FILE = gettext_lazy(
    "Not in this copy: what is in storage failed its integrity check (it is not the "
    "file you sent). This is recorded; tell the administrators."
)
SEALED_ANSWER = gettext_lazy(
    "Sealed until the opening: open your bid page in the browser you used to read them."
)
SEALED_AMOUNTS = gettext_lazy(
    "Encrypted to the opening committee's keys: nobody can read it before the opening, "
    "not even this server."
)
# Mail whose body is copied: mail about this person's own account and bids only. Any
# other kind keeps its subject and date in the copy, never its body, until someone
# decides it belongs here: a new kind of mail cannot leak other people's details.
OWN_MAIL = {
    "receipt",  # applications: the receipt of a submission
    "withdrawn",  # applications: a withdrawal
    "outcome",  # reviews: the outcome notice
    "invitation",  # applications: invited to a second stage
    "clarification",  # applications: a published clarification (public)
    "addendum",  # applications: an addendum (public)
    "cancelled",  # applications: a cancelled call (public)
    "password-changed",
    "registration-attempt",
}
# Mail that carried a link acting on the account: a copy must not carry it too.
LINK_MAIL = {"verify", "password-reset", "data-copy"}
LINK_BODY = gettext_lazy(
    "Not in this copy: this message carried a link that acts on your account."
)
OTHERS_BODY = gettext_lazy(
    "Not in this copy: this kind of message can name other people (a register, a "
    "panel's or a committee's business)."
)
DROPPED_BODY = gettext_lazy("No longer kept: only the subject and the dates are.")


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def account_record(user) -> dict:
    """The account and the profile, as the person gave them, and where they are signed in."""
    profile = Profile.objects.filter(user=user).first()
    record = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "profile": None,
        "signed_in_sessions": [
            {
                "browser": s.browser,
                "signed_in_at": _when(s.signed_in_at),
                "last_seen_at": _when(s.last_seen_at),
            }
            for s in SignedInSession.objects.filter(user=user).order_by("signed_in_at")
        ],
        # The questions they asked about calls, and the answers given (published or not).
        "questions_asked": [
            {
                "call": q.call.title,
                "asked_at": _when(q.asked_at),
                "question": q.question,
                "answer": q.answer if q.published_at else "",
                "published_at": _when(q.published_at),
            }
            for q in Clarification.objects.filter(asked_by=user)
            .select_related("call")
            .order_by("asked_at")
        ],
    }
    if profile is not None:
        record["profile"] = {
            "applicant_type": profile.get_applicant_type_display(),
            "legal_name": profile.legal_name,
            "registration_number": profile.registration_number,
            "country": profile.country,
            "phone": profile.phone,
            "website": profile.website,
            "email_verified_at": _when(profile.email_verified_at),
        }
    return record


def own_submissions(user) -> list:
    """The person's bids and applications, oldest first, with their calls' words."""
    submissions = list(
        Submission.objects.for_applicant(user)
        .select_related("call", "call__panel")
        .prefetch_related("answers", "files")
        .order_by("created_at", "pk")
    )
    with_text([s.call for s in submissions])
    return submissions


def readable_files_size(user) -> int:
    """What the person's own files that the portal can read weigh, in bytes: the part
    of a copy that may be large."""
    files = SubmissionFile.objects.filter(submission__applicant=user, purged_at__isnull=True)
    return sum(f.size for f in files.only("size", "call_key", "server_key") if is_readable(f))


def bid_folder(submission) -> str:
    # References are letters, digits and dashes (``CODE-0001``); a draft has none yet.
    return submission.reference or f"draft-{submission.pk}"


def _status(submission) -> str:
    """The status, without an outcome the panel may still change: it is the applicant's
    only once the notices have gone out."""
    if submission.status in OUTCOMES and not _notices_sent(submission):
        return SubmissionStatus.EVALUATED.label
    return submission.get_status_display()


def _notices_sent(submission) -> bool:
    panel = getattr(submission.call, "panel", None)
    return panel is not None and panel.outcomes_sent_at is not None


def _amounts(submission) -> dict:
    if submission.amounts_sealed:
        return {"sealed": str(SEALED_AMOUNTS)}
    amounts = {}
    if submission.offer_amount is not None:
        amounts["offer_amount"] = str(submission.offer_amount)
        amounts["offer_currency"] = submission.offer_currency
    if submission.amount_requested is not None:
        amounts["amount_requested"] = str(submission.amount_requested)
        amounts["currency"] = submission.call.currency
    return amounts


def file_entry(item) -> dict:
    """A file as the receipt lists it, and whether it waits for a Resubmit."""
    return {
        "document": item.document_label,
        "file_name": item.original_name,
        "size": item.size,
        "sha256": item.sha256,
        "uploaded_at": _when(item.uploaded_at),
        "waiting_for_resubmit": item.pending,
        "deleted_at": _when(item.purged_at),
    }


def _answers(submission, own_key) -> tuple[list, list]:
    """The answers the portal can read (opened, or with this browser's key), and the
    questions whose answers stay sealed."""
    labels = {q.id: q.label for q in form_questions(submission.call)}
    submitted = answers_read(submission, pending=False, own_key=own_key)
    current = answers_read(submission, pending=True, own_key=own_key)
    readable = []
    for qid, value in current.values.items():
        waiting = qid not in submitted.values or submitted.values[qid] != value
        readable.append(
            {
                "question_id": qid,
                "question": labels.get(qid, ""),
                "answer": value,
                "waiting_for_resubmit": waiting and not submission.is_draft,
            }
        )
    sealed = [
        {"question_id": qid, "question": labels.get(qid, ""), "note": str(SEALED_ANSWER)}
        for qid in current.unread
    ]
    return readable, sealed


def _outcome(submission) -> dict | None:
    """The outcome and its notice, once the notices have gone out; rendered again from
    the notice's own template, since a delivered notice's body is not kept."""
    if submission.status not in OUTCOMES or not _notices_sent(submission):
        return None
    decision = getattr(submission, "compliance", None)
    notice = render_to_string(
        "reviews/emails/outcome_notice.txt",
        {
            "call": submission.call,
            "submission": submission,
            "panel": submission.call.panel,
            "not_responsive": decision if decision and not decision.responsive else None,
        },
    )
    return {"decision": submission.get_status_display(), "notice": notice.strip()}


def bid_record(submission, *, own_key: bytes | None, files: list) -> dict:
    """One bid as its applicant knows it; ``files`` are its entries, each saying
    where in the copy the file is, or why it is not."""
    call = submission.call
    if submission.purged_at is None:
        readable, sealed = _answers(submission, own_key)
    else:  # the retention policy emptied them; their digests alone remain
        readable, sealed = [], []
    record = {
        "call": {
            "title": call.text.title,
            "reference": call.reference_code,
            "url": call.get_full_url(),
        },
        "bid_page": _absolute(reverse("applications:submission", args=[submission.pk])),
        "status": _status(submission),
        "reference": submission.reference,
        "started_at": _when(submission.created_at),
        "last_changed_at": _when(submission.updated_at),
        "submitted_at": _when(submission.submitted_at),
        "withdrawn_at": _when(submission.withdrawn_at),
        "contents_deleted_at": _when(submission.purged_at),
        "amounts": _amounts(submission),
        "answers": readable,
        "answers_sealed": sealed,
        "files": files,
        "receipt": None,
        "outcome": _outcome(submission),
    }
    if submission.submitted_at:
        record["receipt"] = {
            "reference": submission.reference,
            "received_at": _when(submission.submitted_at),
            "answers_sha256": submission.answers_sha256,
            "files": [
                {k: f[k] for k in ("document", "file_name", "size", "sha256")}
                for f in files
                if not f["waiting_for_resubmit"]
            ],
        }
    return record


def mail_records(user) -> list[tuple[str, str]]:
    """Each message sent to the person's address, as a text file: (name, text)."""
    messages = OutboxMessage.objects.filter(to_email__iexact=user.email).order_by(
        "created_at", "pk"
    )
    records = []
    for n, message in enumerate(messages, start=1):
        lines = [
            f"{_('Subject')}: {message.subject}",
            f"{_('To')}: {message.to_email}",
            f"{_('Written')}: {_when(message.created_at)}",
            f"{_('Sent')}: {_when(message.sent_at) or message.get_state_display()}",
            "",
            _mail_body(message),
        ]
        name = f"mail/{n:04d}_{timezone.localtime(message.created_at):%Y-%m-%d}.txt"
        records.append((name, "\n".join(lines)))
    return records


def _mail_body(message) -> str:
    kind = message.dedupe_key.split(":", 1)[0]
    if kind in LINK_MAIL:
        return str(LINK_BODY)
    if kind not in OWN_MAIL:
        return str(OTHERS_BODY)
    if not message.body_text or message.body_text == BODY_DROPPED:
        return str(DROPPED_BODY)
    return message.body_text


def readme_text(*, user, made_at) -> str:
    """What the copy holds, what it does not, and why, in plain words."""
    days = settings.RETENTION_MAIL_BODIES.days
    paragraphs = [
        _(
            "A copy of your data on %(organisation)s's tenders and grants portal, for "
            "%(email)s, made %(when)s."
        )
        % {
            "organisation": settings.ORGANISATION_NAME,
            "email": user.email,
            "when": timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M %Z"),
        },
        _("What is in it"),
        _("account.json: your account and profile as you gave them, and where you are signed in."),
        _(
            "bids/: a folder for each of your bids and applications, drafts included. "
            "bid.json holds the call, the status, the dates, the amounts, your answers and, "
            "once submitted, the receipt with the SHA-256 fingerprints of your files and "
            "answers. files/ holds each of your files that the portal can read."
        ),
        _("mail/: the messages the portal sent to your address, one file each."),
        _("What is not in it, and why"),
        _(
            "Files of a call not yet opened: each was encrypted to the opening "
            "committee's keys as it arrived, and nobody, this portal included, can read "
            "it before the opening. bid.json lists each with its name, size and SHA-256, "
            "so you can check them against your own copies."
        ),
        _(
            "Answers to a call not yet opened are sealed too. Your own copy of them is "
            "under a key kept only in the browser you answered in; answers this copy "
            "could not read are listed as sealed: open your bid page in that browser to "
            "read them."
        ),
        _(
            "The panel's working papers: who reviewed your bid, and their scores and "
            "notes, are the panel's confidential record. Your outcome is here once the "
            "outcome notices have been sent."
        ),
        _(
            "Nothing about anyone else: other applicants' bids, names and mail are not in "
            "it. Messages that can name other people (a register, a panel's or a "
            "committee's business) and messages that carried a link acting on your "
            "account appear with their subject and dates only."
        ),
        _(
            "Mail about a bid is kept only until it is delivered, and other mail for "
            "%(days)s days: after that only its subject and dates remain."
        )
        % {"days": days},
        _("This file holds your personal details: keep it somewhere safe."),
    ]
    return "\n\n".join(paragraphs) + "\n"
