"""One portal on two machines (issue 25, items 3 and 5), run for real on loopback:
nginx (deploy/nginx.conf, with public media from their bucket) in front of two gunicorn
hosts that share nothing on disk, one PostgreSQL, one Redis, moto's S3 server for the
private and the public media buckets, and a Celery worker.

Through it: a resumable upload whose pieces alternate between the hosts; a Wagtail
image uploaded through one host and served through the other; one host stopped in the
middle of a rush of final submits while the other carries on; and the worker clearing
the pieces the hosts left. (A sign-in made on one host used on the other, and a
lockout counted across both: tests/portal/test_proxy.py.)
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import SubmissionStatus
from applications.models import PartialUpload, Submission, SubmissionFile
from tests import s3_support, services
from tests.conftest import wait_for
from tests.factories import StaffFactory, UserFactory, make_call, pdf_bytes, start_submission
from tests.portal.proxy_support import Gunicorn, Nginx, database_url, require_nginx
from tests.portal.topology_support import (
    Visitor,
    Worker,
    bids_ready,
    final_submit,
    make_buckets,
    multipart,
    s3_environment,
    s3_storages,
)
from tests.sealing_support import stored_plaintext

pytestmark = [pytest.mark.services]

s3_endpoint, s3 = s3_support.s3_endpoint, s3_support.s3
PIECE = 256 * 1024


@pytest.fixture(scope="module")
def s3_module(s3_endpoint):
    import boto3

    return boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", **s3_support.ACCESS
    )


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker, s3_endpoint, s3_module):
    """Started once for this module: two hosts, each with its own empty var/ folder."""
    from django.db import connection

    services.require_postgres(connection)
    require_nginx()
    from tests.portal.proxy_support import world_readable_folder

    folder = world_readable_folder()
    private, media = make_buckets(s3_module)
    env = s3_environment(s3_endpoint, private, media)
    db_url = database_url(connection)
    hosts = [
        Gunicorn(name, folder / name, folder / name / "var" / "media", db_url, env=env)
        for name in ("a", "b")
    ]
    nginx = Nginx(
        folder / "nginx",
        [f"server 127.0.0.1:{host.port} max_fails=1 fail_timeout=10s;" for host in hosts],
        public=folder / "a" / "var",
        media_bucket=(s3_endpoint, media),
    )
    worker = Worker(folder, {**env, "DATABASE_URL": db_url})
    try:
        for host in hosts:
            host.start()
        nginx.start()
        worker.start()
        yield {
            "hosts": hosts,
            "nginx": nginx,
            "worker": worker,
            "folder": folder,
            "private": private,
            "media": media,
            "endpoint": s3_endpoint,
        }
    finally:
        worker.stop()
        nginx.stop()
        for host in hosts:
            host.stop()
        if not os.environ.get("KEEP_TOPOLOGY"):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def portal(topology, settings, transactional_db, django_db_serialized_rollback, site_root):
    """The topology, with this process's storages pointed at the same buckets and the
    demo-shaped site committed where the hosts see it."""
    settings.STORAGES = s3_storages(
        settings, topology["endpoint"], topology["private"], topology["media"]
    )
    settings.UPLOAD_PIECE_BYTES = PIECE
    for host in topology["hosts"]:
        if host.process is None:
            host.start()
    return topology


def signed_in(user) -> Visitor:
    client = Client()
    client.force_login(user)
    return Visitor(client.cookies["sessionid"].value)


def local_files(host) -> list[str]:
    """Files a host wrote to its own disk (var/), its gunicorn bookkeeping aside."""
    var = host.folder / "var"
    return sorted(str(p.relative_to(var)) for p in var.rglob("*") if p.is_file())


def keys(s3, bucket, prefix="") -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def pieces_seen(host, mark: str) -> int:
    return len([r for r in host.seen(mark) if r["headers"].get("upload-offset")])


def test_a_resumable_upload_goes_on_whichever_host_takes_each_piece(portal, s3_module):
    port, hosts = portal["nginx"].port, portal["hosts"]
    call = make_call(portal_site_calls())
    applicant = UserFactory()
    draft = start_submission(call, applicant)
    doc = call.required_documents.get(name="Technical proposal")
    visitor = signed_in(applicant)
    visitor.form_token(port, reverse("applications:submission", args=[draft.pk]))
    content = pdf_bytes(size=5 * PIECE + 1000, text="Mpango wa kazi 7731")
    tag = uuid.uuid4().hex
    headers = {**visitor.json_headers(), "X-Test-Mark": tag}

    started = visitor.request(
        port,
        "POST",
        reverse("applications:upload_start", args=[draft.pk]),
        body=json.dumps(
            {"requirement": doc.pk, "name": "proposal.pdf", "size": len(content)}
        ).encode(),
        content_type="application/json",
        headers=headers,
    )
    assert started["status"] == 201, started["body"][:500]
    answer = json.loads(started["body"])
    url, key = answer["url"], answer["key"]
    takers = []
    offset = 0
    while offset < len(content):
        before = [pieces_seen(host, tag) for host in hosts]
        piece = visitor.request(
            port,
            "POST",
            url,
            body=content[offset : offset + PIECE],
            content_type="application/octet-stream",
            headers={**headers, "Upload-Offset": str(offset), "Upload-Key": key},
        )
        assert piece["status"] == 200, piece["body"][:500]
        after = [pieces_seen(host, tag) for host in hosts]
        takers += [host.name for host, n, m in zip(hosts, before, after, strict=True) if m > n]
        offset = json.loads(piece["body"])["offset"]
        if offset < len(content):
            assert keys(
                s3_module, portal["private"], f"partial-uploads/{url.strip('/').split('/')[-1]}/"
            )

    # Each piece was taken by one host; each host took some, and the upload changed
    # hosts between pieces.
    assert len(takers) == 6 and set(takers) == {"a", "b"}, takers
    assert any(one != next_ for one, next_ in zip(takers, takers[1:], strict=False)), takers
    done = json.loads(piece["body"])
    assert done["done"] and done["kept"], done
    stored = SubmissionFile.objects.get(submission=draft)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_plaintext(stored) == content
    assert keys(s3_module, portal["private"], "partial-uploads/") == []
    for host in hosts:
        assert local_files(host) == [], f"host {host.name} kept files of its own"


def portal_site_calls():
    from tenders.models import CallIndexPage

    return CallIndexPage.objects.get()


def png_bytes() -> bytes:
    from PIL import Image

    # A colour of its own: Wagtail caches renditions in Redis by image id and file hash,
    # which a fresh test database can repeat.
    picture = Image.new("RGB", (640, 400), tuple(secrets.token_bytes(3)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def test_an_image_uploaded_through_one_host_is_served_through_the_other(portal, s3_module):
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    port, (a, b) = portal["nginx"].port, portal["hosts"]
    editor = signed_in(StaffFactory(is_superuser=True))
    data = png_bytes()
    token = editor.form_token(a.port, "/admin/images/add/")
    body, kind = multipart(
        {
            "csrfmiddlewaretoken": token,
            "title": "Workshop in Kisumu",
            "collection": str(Collection.get_first_root_node().pk),
            "tags": "",
        },
        {"file": ("kisumu-workshop.png", data, "image/png")},
    )
    added = editor.request(a.port, "POST", "/admin/images/add/", body=body, content_type=kind)
    assert added["status"] == 302, added["body"][:3000]
    image = get_image_model().objects.get(title="Workshop in Kisumu")
    assert keys(s3_module, portal["media"]) == [image.file.name]
    private = keys(s3_module, portal["private"])
    assert not [k for k in private if k.startswith(("original_images/", "images/"))], private

    # Host b makes the renditions its page shows, from the original host a stored
    # (those host a made while saving are removed first).
    for rendition in image.renditions.all():
        rendition.file.delete(save=False)
        rendition.delete()
    page = editor.request(b.port, "GET", f"/admin/images/{image.pk}/")
    assert page["status"] == 200
    made = list(image.renditions.all())
    assert made, "host b made no rendition"
    for rendition in made:
        assert rendition.url.startswith("/media/images/")
        assert rendition.file.name in keys(s3_module, portal["media"])

    for path, expected in ((image.file.url, data), *((r.url, None) for r in made)):
        served = Visitor("-").request(port, "GET", path)
        assert served["status"] == 200, (path, served["status"])
        assert served["headers"]["content-type"] == "image/png"
        assert served["headers"]["x-content-type-options"] == "nosniff"
        assert not [h for h in served["headers"] if h.startswith("x-amz")]
        if expected is not None:
            assert served["body"] == expected
    assert image.file.url == f"/media/{image.file.name}"
    missing = Visitor("-").request(port, "GET", "/media/original_images/nothing-here.png")
    assert missing["status"] == 404 and b"<Error>" not in missing["body"]
    for host in (a, b):
        assert local_files(host) == [], f"host {host.name} kept files of its own"


def test_one_host_stopped_mid_rush_leaves_the_other_carrying_on(portal):
    """Twelve final submits through nginx, four in flight at a time; host b is stopped
    (SIGTERM, as a deploy or a scale-down stops it) once three have been answered, with
    others in flight. Every bid is taken once with its receipt, and after the stop
    host a takes every request."""
    port, (a, b) = portal["nginx"].port, portal["hosts"]
    call = make_call(portal_site_calls())
    technical = call.required_documents.get(name="Technical proposal")
    people = bids_ready(call, 12)
    results: dict[int, dict] = {}
    in_flight = threading.Semaphore(4)

    def submit(n):
        with in_flight:
            results[n] = final_submit(port, people[n], f"document_{technical.pk}", n)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(people))]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(results) >= 3, timeout=120)
    b.process.terminate()  # gunicorn stops taking requests and finishes its own
    stopped_at = time.time()
    for thread in threads:
        thread.join(timeout=180)
    b.stop()

    # Each was answered by a receipt the first time: the stopping host answered what
    # was already queued for it (portal/gunicorn_worker.py; with gunicorn's own sync
    # worker, 2 of the 12 were a 502 from nginx here), then refused new connections,
    # which nginx sent to host a.
    statuses = {n: results[n]["status"] for n in sorted(results)}
    assert statuses == dict.fromkeys(range(len(people)), 302), statuses
    assert all("/receipt/" in results[n]["headers"]["location"] for n in results)
    submitted = Submission.objects.filter(call=call, status=SubmissionStatus.SUBMITTED)
    assert submitted.count() == len(people)
    assert all(s.submitted_at for s in submitted)
    late = [r["path"] for r in b.seen() if r["at"] > stopped_at + 0.5]
    assert late == [], "host b took requests after it was stopped"
    assert [r for r in a.seen() if r["at"] > stopped_at and r["method"] == "POST"]


def test_the_worker_clears_pieces_the_hosts_left_in_the_shared_store(portal, s3_module):
    from applications.tasks import sweep_partial_uploads

    port = portal["nginx"].port
    call = make_call(portal_site_calls())
    applicant = UserFactory()
    draft = start_submission(call, applicant)
    doc = call.required_documents.get(name="Technical proposal")
    visitor = signed_in(applicant)
    visitor.form_token(port, reverse("applications:submission", args=[draft.pk]))
    content = pdf_bytes(size=3 * PIECE)
    started = visitor.request(
        port,
        "POST",
        reverse("applications:upload_start", args=[draft.pk]),
        body=json.dumps({"requirement": doc.pk, "name": "cv.pdf", "size": len(content)}).encode(),
        content_type="application/json",
        headers=visitor.json_headers(),
    )
    answer = json.loads(started["body"])
    for offset in (0, PIECE):
        sent = visitor.request(
            port,
            "POST",
            answer["url"],
            body=content[offset : offset + PIECE],
            content_type="application/octet-stream",
            headers={
                **visitor.json_headers(),
                "Upload-Offset": str(offset),
                "Upload-Key": answer["key"],
            },
        )
        assert sent["status"] == 200
    assert len(keys(s3_module, portal["private"], "partial-uploads/")) == 2
    PartialUpload.objects.update(started_at=timezone.now() - timedelta(days=2))

    sweep_partial_uploads.apply_async(queue=portal["worker"].queue)

    # The row goes first; its pieces right after the commit.
    wait_for(lambda: not keys(s3_module, portal["private"], "partial-uploads/"), timeout=60)
    assert not PartialUpload.objects.exists()
