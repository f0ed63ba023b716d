"""Demo submissions for the closed demo call, with small generated PDFs.

The call's deadline is already past, so the bids are written directly, as
they would stand had the applicants submitted in time. Only the demo loader
(and tests) use this, and the loader refuses to run in production.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.answers import budget_of
from applications.choices import SubmissionStatus
from applications.models import Submission, SubmissionFile
from applications.models.submissions import new_object_name
from applications.sealed_files import binding, store_sealed
from applications.services.amounts import apply_amounts, stored_amounts
from applications.services.answers import Sealing, answers_fingerprint_of, answers_store
from applications.services.call_keys import sealing_key_for
from core.storage import private_storage
from tenders.application_form import form_questions
from tenders.demo.forms import GRANT_ANSWERS


def tiny_pdf(*lines: str, author: str = "") -> bytes:
    """A valid one-page PDF showing ``lines`` of text (Helvetica, no dependencies); with
    ``author``, a document information dictionary naming them, as a word processor's
    export does (what blind review's clean copies remove: core.metadata)."""
    text = ["BT", "/F1 12 Tf", "72 770 Td", "16 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({safe}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if author:
        name = author.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        objects.append(b"<< /Author (%s) >>" % name.encode("latin-1", "replace"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info = b" /Info %d 0 R" % len(objects) if author else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info,
        xref,
    )
    return bytes(out)


DEMO_BIDS = [
    # applicant email, firm, price (KES), hours before the deadline
    ("consultancy@zabuni.local", "Ouma & Partners Research", Decimal("2150000"), 30),
    ("mshauri@zabuni.local", "Mshauri Research Associates", Decimal("1890000"), 5),
    ("hakidata@zabuni.local", "Haki Data Collective", Decimal("2380000"), 52),
]


def _store_file(submission, requirement, content: bytes, original_name: str) -> None:
    """A demo PDF in private storage under a UUID name, as an upload would be kept."""
    key = sealing_key_for(submission.call_id)
    sealed_key = None
    if key is None:
        name = private_storage().save(new_object_name(submission.call_id), ContentFile(content))
    else:
        name, sealed_key = store_sealed(
            ContentFile(content),
            object_name=new_object_name(submission.call_id),
            call_public_key=key.public_key,
            bound_to=binding(submission.pk, hashlib.sha256(content).hexdigest()),
        )
    SubmissionFile.objects.create(
        call_key=key,
        sealed_key=sealed_key,
        submission=submission,
        requirement=requirement,
        document_name=requirement.name,
        envelope=requirement.envelope,
        object_name=name,
        original_name=original_name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _store_answers(submission, answers: dict) -> None:
    """The answers stored as a save stores them: sealed to the call's key, with no copy
    for a browser (the demo's applicants never typed them), and their fingerprint."""
    key = sealing_key_for(submission.call_id)
    questions = {q.id: q for q in form_questions(submission.call)}
    sealing = key and Sealing(
        call_key=key, own_key=None, questions=questions, call=submission.call
    )
    answers_store(submission, answers, pending=False, sealing=sealing)
    submission.answers_sha256 = answers_fingerprint_of(submission, set(questions))
    submission.save(update_fields=["answers_sha256"])


def _seal_amounts(submission) -> None:
    """The amounts sealed to the call's key, as a bid's are when it is saved."""
    if apply_amounts(submission, stored_amounts(submission)):
        submission.save()


def load_demo_submissions(call, users_by_email) -> int:
    """Give ``call`` a few submitted bids with files. Idempotent."""
    created = 0
    requirements = list(call.required_documents.all())
    for number, (email, firm, price, hours) in enumerate(DEMO_BIDS, start=1):
        applicant = users_by_email[email]
        if Submission.objects.filter(call=call, applicant=applicant).exists():
            continue
        submission = Submission.objects.create(
            call=call,
            applicant=applicant,
            status=SubmissionStatus.SUBMITTED,
            number=number,
            reference=f"{call.reference_code}-{number:04d}",
            offer_amount=price if call.has_financial_envelope else None,
            offer_currency=call.currency if call.has_financial_envelope else "",
            submitted_at=call.closes_at - timedelta(hours=hours),
        )
        _seal_amounts(submission)
        for requirement in requirements:
            if not requirement.is_required:
                continue
            # Under blind review the bidder leaves their name out of the text, as told,
            # but their word processor still puts it in the file's metadata: the
            # reviewers' copies are made without it (applications.services.clean_copies).
            content = tiny_pdf(
                f"{requirement.name}",
                *([] if call.blind_review else [firm]),
                f"Call {call.reference_code}: {call.title[:60]}",
                "Demo document generated by Zabuni.",
                author=firm,
            )
            _store_file(submission, requirement, content, f"{requirement.name} - {firm}.pdf")
        created += 1
    return created


def load_demo_grant_applications(call, users_by_email) -> int:
    """Two submitted applications to the grant call with its application form, each
    with its answers (sealed, on the call's key) and their fingerprint, and an empty
    draft of the demo applicant's. Idempotent."""
    created = 0
    requirements = [r for r in call.required_documents.all() if r.is_required]
    for number, (email, answers) in enumerate(GRANT_ANSWERS.items(), start=1):
        applicant = users_by_email[email]
        if Submission.objects.filter(call=call, applicant=applicant).exists():
            continue
        budget = budget_of(answers["demo-q-budget"]).total
        submission = Submission.objects.create(
            call=call,
            applicant=applicant,
            status=SubmissionStatus.SUBMITTED,
            number=number,
            reference=f"{call.reference_code}-{number:04d}",
            amount_requested=budget,
            submitted_at=timezone.now() - timedelta(hours=20 * number),
        )
        _seal_amounts(submission)
        _store_answers(submission, answers)
        for requirement in requirements:
            content = tiny_pdf(requirement.name, answers["demo-q-name"], call.reference_code)
            _store_file(submission, requirement, content, f"{requirement.name}.pdf")
        created += 1
    applicant = users_by_email["applicant@zabuni.local"]
    if not Submission.objects.filter(call=call, applicant=applicant).exists():
        # An empty draft: answers the demo stored would be sealed, with no key in the
        # visitor's browser to show them (issue 23), so the walk-through types its own.
        Submission.objects.create(call=call, applicant=applicant)
        created += 1
    return created


def load_demo_committee(call, members) -> int:
    """Give ``call`` an opening committee of ``members``. Idempotent."""
    from applications.models import OpeningCommittee

    committee, created = OpeningCommittee.objects.get_or_create(call=call)
    if created:
        committee.members.set(members)
    return int(created)


# The demo's recovery key is made from this seed, so the loader can print its private
# half every time: a demo, not a secret.
DEMO_RECOVERY_SEED = b"zabuni demo recovery key, not a secret"


def demo_recovery_private():
    import nacl.hash
    from nacl.encoding import RawEncoder
    from nacl.public import PrivateKey

    return PrivateKey(nacl.hash.blake2b(DEMO_RECOVERY_SEED, digest_size=32, encoder=RawEncoder))


def demo_recovery_words() -> str:
    """The demo recovery key's private half, as ``opening_recovery_key`` prints one."""
    from core.keys import key_words

    return key_words(bytes(demo_recovery_private()))


def load_demo_recovery_key() -> int:
    """The demo organisation's recovery key (once)."""
    from applications.models import RecoveryKey

    if RecoveryKey.in_use() is not None:
        return 0
    RecoveryKey.objects.create(public_key=bytes(demo_recovery_private().public_key))
    return 1


def demo_call_private(call, passphrase: str):
    """``call``'s private key, rebuilt as its quorum would: each member's share opened
    with their opening key under the demo passphrase (the demo opens its closed calls)."""
    from accounts.opening_keys import opening_key_unlock
    from applications.models import KeyShare
    from applications.sealing import share_open
    from applications.services.call_keys import call_key_in_use
    from applications.services.key_opening import call_private_rebuild, share_given_seal

    key = call_key_in_use(call.pk)
    if key is None:
        return None
    shares = KeyShare.objects.filter(call_key=key, member__isnull=False).select_related(
        "opening_key"
    )
    given = [
        share_given_seal(
            key.pk, *share_open(s.sealed, opening_key_unlock(s.opening_key, passphrase))
        )
        for s in shares[: key.threshold]
    ]
    return call_private_rebuild(call, given)
