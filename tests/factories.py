"""factory_boy factories and a builder for the page tree the portal expects."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import Page, Site

from news.models import NewsIndexPage
from tenders.models import CallCriterion, CallIndexPage, CallPage, HomePage, RequiredDocument

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def build_site():
    """Root → HomePage → (CallIndexPage, NewsIndexPage); the default Site points home."""
    root = Page.get_first_root_node()
    for placeholder in root.get_children().exact_type(Page):
        placeholder.delete()
    home = root.add_child(instance=HomePage(title="Zabuni", slug="home"))
    calls = home.add_child(instance=CallIndexPage(title="Calls", slug="calls"))
    news = home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    return {"home": home, "calls": calls, "news": news}


_call_counter = iter(range(1, 1_000_000))


def make_call(index, *, criteria=None, documents=None, committee=None, **fields):
    """Create and publish a call under ``index``; open now unless dates are given.

    As staff must, it sets up the call's opening committee before publishing (three new
    staff with opening keys, or ``committee``'s members), so the call has its key."""
    n = next(_call_counter)
    now = timezone.now()
    values = {
        "title": f"Call number {n}",
        "slug": f"call-{n}",
        "kind": "consultancy",
        "reference_code": f"DC-CFC-2026-{n:03d}",
        "summary": "A call for a consultant.",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "clarifications_close_at": now + timedelta(days=5),
        "budget_ceiling": Decimal("100000"),
        "currency": "KES",
        "selection_method": "qcbs",
        "technical_weight": Decimal("0.80"),
        "financial_weight": Decimal("0.20"),
        "minimum_technical_score": Decimal("70"),
    }
    values.update(fields)
    if values["kind"] == "grant" and "selection_method" not in fields:
        values.update(
            selection_method="grant_scoring",
            technical_weight=Decimal("1"),
            financial_weight=Decimal("0"),
        )
    call = CallPage(**values)
    # sort_order set, as the admin's inline panel sets it: without it the
    # criteria come back in whatever order PostgreSQL finds them.
    call.criteria = [
        CallCriterion(title=title, max_points=points, sort_order=n)
        for n, (title, points) in enumerate(criteria or [("Methodology", 60), ("Experience", 40)])
    ]
    default_documents = [("Technical proposal", "technical", True, "pdf", 5)]
    if values["kind"] == "consultancy" and values.get("stage", "single") != "first":
        default_documents.append(("Financial proposal", "financial", True, "pdf,xlsx", 5))
    call.required_documents = [
        RequiredDocument(
            name=name,
            envelope=envelope,
            is_required=required,
            accepted_types=types,
            max_size_mb=size,
            sort_order=n,
        )
        for n, (name, envelope, required, types, size) in enumerate(documents or default_documents)
    ]
    call.live = False
    index.add_child(instance=call)
    from tests.sealing_support import keyed_committee

    keyed_committee(call, committee)
    call.save_revision().publish()
    return CallPage.objects.get(pk=call.pk)


# --- uploads and mail ---
# Files of each type, built from their real formats, and a multipart body
# builder that sends a file name the way a browser does (Django's test client
# keeps only the basename, which would hide what the portal does with the rest).


def pdf_bytes(size: int | None = None, text: str = "Technical proposal") -> bytes:
    """A valid one-page PDF; padded with PDF comment lines up to ``size`` bytes."""
    from applications.demo import tiny_pdf

    data = tiny_pdf(text)
    if size is not None and size > len(data):
        missing = size - len(data)
        line = b"%" + b"0" * 1022 + b"\n"
        data += (line * (missing // len(line) + 1))[:missing]
    return data


def zip_bytes(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    """A ZIP archive of ``members``; ``first`` (stored uncompressed) goes first."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(first, members[first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != first:
                archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
        }
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        },
        first="mimetype",
    )


def png_bytes() -> bytes:
    """A 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpg_bytes() -> bytes:
    """The first bytes of a JFIF JPEG: enough for content sniffing."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def multipart_body(
    fields: dict[str, str],
    files: list[tuple[str, str, bytes]],
    *,
    content_type: str = "application/pdf",
    filename_star: bool = False,
) -> tuple[bytes, str]:
    """A multipart/form-data body with each file name sent as a browser sends it.

    ``files`` holds (field name, file name, content). The name goes out raw
    in UTF-8 with only ``"``, CR and LF percent-encoded, as the HTML standard
    says; with ``filename_star`` it goes as RFC 5987 ``filename*=UTF-8''…``,
    which decodes to any character. Returns the body and the Content-Type.
    """
    import uuid
    from urllib.parse import quote

    boundary = f"zabuni-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for field, filename, content in files:
        if filename_star:
            param = f"filename*=UTF-8''{quote(filename, safe='')}"
        else:
            escaped = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
            param = f'filename="{escaped}"'
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; {param}\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def start_submission(call, applicant=None):
    """A draft submission to ``call`` by ``applicant`` (a new applicant if None)."""
    from applications.models import Submission

    return Submission.objects.create(call=call, applicant=applicant or UserFactory())


# --- submissions (seal tests) ---
# Bids built through the submission services, as an applicant's browser would
# build them, and a look into the private folder. Used by the seal, deadline
# and submission-flow tests in tests/applications/.


def pdf_upload(name: str, text: str | None = None):
    """A small valid PDF upload; its content (so its SHA-256) follows ``text``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.demo import tiny_pdf

    return SimpleUploadedFile(name, tiny_pdf(text or name), content_type="application/pdf")


def submit_bid(call, applicant, *, files=None, amounts=None, submit=True):
    """Start ``applicant``'s bid on ``call`` and save it through the services.

    ``files`` maps a required document's name to an upload; by default every
    required document gets a PDF named after the applicant and the document.
    ``amounts`` defaults to a valid offer (consultancy) or request (grant).
    """
    from applications.services.amounts import Amounts
    from applications.services.submissions import submission_save, submission_start

    if files is None:
        files = {
            doc.name: pdf_upload(f"{applicant.email} {doc.name}.pdf")
            for doc in call.required_documents.all()
            if doc.is_required
        }
    if amounts is None:
        amounts = (
            Amounts(amount_requested=Decimal("50000"))
            if call.kind == "grant"
            else Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")
        )
    by_name = {doc.name: doc.pk for doc in call.required_documents.all()}
    submission = submission_start(call=call, applicant=applicant)
    submission, _changed = submission_save(
        submission=submission,
        user=applicant,
        uploads={by_name[name]: upload for name, upload in files.items()},
        amounts=amounts,
        submit=submit,
    )
    return submission


def private_objects() -> list[str]:
    """Every object name in the private storage folder, relative to its root."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def in_group(user, name: str, *permissions: str):
    group, _created = Group.objects.get_or_create(name=name)
    for codename in permissions:
        app_label, code = codename.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=code)
        )
    user.groups.add(group)
    return user


def second_factor_code(user) -> str:
    """The code ``user``'s authenticator shows now ("" for someone without one)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.demo import current_code

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return current_code(device)[0] if device else ""
