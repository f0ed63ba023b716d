"""Private files on S3: UUID keys, one-minute signed downloads, no public reads.

An S3 endpoint (moto's server) runs in this process on loopback. moto
enforces object ACLs on unsigned requests, so a private object answers an
anonymous GET with 403, as AWS and MinIO do, while a public-read object in
the same bucket is readable: the control that shows the 403 is about privacy.
"""

import hashlib
import re
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from applications.models import SubmissionFile
from core.storage import PublicURLRefused
from tests import s3_support
from tests.applications.deadline_support import close_at
from tests.factories import (
    StaffFactory,
    UserFactory,
    make_call,
    multipart_body,
    pdf_bytes,
    start_submission,
)
from tests.sealing_support import open_call, stored_plaintext

pytestmark = pytest.mark.services

# The shared S3 fixtures, used by name.
s3_endpoint, s3, bucket, private_on_s3 = (
    s3_support.s3_endpoint,
    s3_support.s3,
    s3_support.bucket,
    s3_support.private_on_s3,
)


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def submission(site_root, applicant):
    call = make_call(site_root["calls"])
    return start_submission(call, applicant)


def upload(client, submission, data, *, name="Pendekezo – ripoti.pdf", claimed="application/pdf"):
    call = submission.call
    requirement = call.required_documents.get(name="Technical proposal")
    body, content_type = multipart_body(
        {"action": "save"},
        [(f"document_{requirement.pk}", name, data)],
        content_type=claimed,
    )
    return client.post(
        reverse("applications:submission", args=[submission.pk]),
        data=body,
        content_type=content_type,
    )


def keys(s3, bucket) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def fetch(url: str):
    """GET ``url`` with no credentials: (status, body, headers)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def seconds_valid(url: str) -> float:
    """How long a presigned URL stays valid, whichever signature version signed it.

    SigV4 carries it as X-Amz-Expires; SigV2 (which botocore still picks for
    presigning in us-east-1 unless told otherwise) as an absolute Expires.
    """
    query = parse_qs(urlparse(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


@pytest.fixture
def uploaded(client, applicant, submission, private_on_s3, s3):
    """One proposal uploaded through the bid view; returns (file row, bytes)."""
    client.force_login(applicant)
    data = pdf_bytes(text="Methodology and work plan")
    response = upload(client, submission, data)
    assert response.status_code == 302, response.content.decode()
    return SubmissionFile.objects.get(submission=submission), data


def test_an_upload_lands_in_the_bucket_under_a_uuid_key(uploaded, private_on_s3, s3):
    stored, data = uploaded

    assert keys(s3, private_on_s3) == [stored.object_name]
    assert re.fullmatch(
        rf"submissions/{stored.submission.call_id}/[0-9a-f]{{32}}", stored.object_name
    )
    assert "Pendekezo" not in stored.object_name
    body = s3.get_object(Bucket=private_on_s3, Key=stored.object_name)["Body"].read()
    # The bucket holds ciphertext only (sealed to the call's key); the SHA-256 recorded
    # is the plaintext's, and the plaintext comes back only with the call's key.
    assert data[:64] not in body and len(body) > len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored_plaintext(stored) == data
    grants = s3.get_object_acl(Bucket=private_on_s3, Key=stored.object_name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]


def test_a_sealed_file_is_decrypted_by_the_portal_never_handed_out_as_a_signed_url(
    client, uploaded, private_on_s3
):
    """A signed URL would hand the browser ciphertext: a sealed file is streamed through
    the portal, decrypted and checked, once the call is opened; before, it is refused."""
    stored, data = uploaded
    assert client.get(reverse("applications:download", args=[stored.pk])).status_code == 409
    open_call(close_at(stored.submission.call, timezone.now()), StaffFactory())

    response = client.get(reverse("applications:download", args=[stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_a_plain_object_is_served_through_a_one_minute_signed_attachment_url(private_on_s3):
    """What is not sealed (a file stored before calls were keyed) is still served as
    before: a redirect to a URL signed for a minute, as an attachment."""
    from django.core.files.base import ContentFile

    from core.serving import serve_private_object
    from core.storage import private_storage

    data = pdf_bytes(text="Stored before calls were keyed")
    name = private_storage().save(f"submissions/0/{uuid.uuid4().hex}", ContentFile(data))

    response = serve_private_object(
        name, filename="Pendekezo – ripoti.pdf", content_type="application/pdf"
    )

    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlparse(location).query)
    assert 0 < seconds_valid(location) <= 60
    assert "Signature" in query or "X-Amz-Signature" in query
    disposition = query["response-content-disposition"][0]
    assert disposition.startswith("attachment;")
    assert "Pendekezo" in disposition
    assert "no-store" in response["Cache-Control"]

    status, body, headers = fetch(location)
    assert status == 200
    assert body == data
    assert headers["Content-Disposition"].startswith("attachment;")


def test_an_unsigned_get_of_a_private_object_is_refused(uploaded, s3_endpoint, private_on_s3, s3):
    stored, _data = uploaded
    # The control: in the same bucket an object made public is readable unsigned,
    # so the refusal below is the object's privacy, not a server refusing everything.
    s3.put_object(
        Bucket=private_on_s3, Key="control/public.txt", Body=b"public", ACL="public-read"
    )
    assert fetch(f"{s3_endpoint}/{private_on_s3}/control/public.txt")[:2] == (200, b"public")

    status, body, _headers = fetch(f"{s3_endpoint}/{private_on_s3}/{stored.object_name}")

    assert status == 403
    assert b"%PDF" not in body


def test_a_stranger_gets_no_signed_url(client, uploaded):
    stored, _data = uploaded
    client.force_login(UserFactory())

    response = client.get(reverse("applications:download", args=[stored.pk]))

    assert response.status_code == 404
    assert "Location" not in response


def test_private_storage_refuses_to_give_a_public_url(uploaded):
    stored, _data = uploaded

    with pytest.raises(PublicURLRefused):
        storages["private"].url(stored.object_name)


def test_a_download_is_served_as_the_type_its_content_shows(
    client, applicant, submission, private_on_s3
):
    """The browser's claimed type is not trusted: a PDF that claims to be HTML
    is stored, and served back from the bucket, as application/pdf."""
    client.force_login(applicant)
    data = pdf_bytes()
    response = upload(client, submission, data, name="proposal.pdf", claimed="text/html")
    assert response.status_code == 302
    stored = SubmissionFile.objects.get(submission=submission)
    assert stored.content_type == "application/pdf"

    open_call(close_at(submission.call, timezone.now()), StaffFactory())
    response = client.get(reverse("applications:download", args=[stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
