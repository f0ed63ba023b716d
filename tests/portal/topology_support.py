"""The deployment of issue 25 on loopback, for tests/portal/test_topology.py: moto's S3
server with a private bucket and a public media bucket, two gunicorn hosts that share
nothing on disk, nginx in front (deploy/nginx.conf with deploy/nginx-media-s3.conf), and
a Celery worker with the same settings; and a small cookie-keeping HTTP client."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory, pdf_bytes, start_submission
from tests.portal.proxy_support import ROOT, end_process, send

ACCESS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


def make_buckets(s3) -> tuple[str, str]:
    """A private bucket (nothing anonymous) and a media bucket anyone may read from."""
    tag = secrets.token_hex(5)
    private, media = f"zabuni-private-{tag}", f"zabuni-media-{tag}"
    s3.create_bucket(Bucket=private, ACL="private")
    s3.create_bucket(Bucket=media)
    reading = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{media}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=media, Policy=json.dumps(reading))
    return private, media


def s3_environment(endpoint: str, private: str, media: str) -> dict[str, str]:
    """What every host and the worker are given, as compose gives it."""
    return {
        "AWS_STORAGE_BUCKET_NAME": private,
        "AWS_MEDIA_BUCKET_NAME": media,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        **ACCESS,
    }


def s3_storages(settings, endpoint: str, private: str, media: str) -> dict:
    """This process's STORAGES, pointed where the hosts' are."""
    options = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "access_key": ACCESS["AWS_ACCESS_KEY_ID"],
        "secret_key": ACCESS["AWS_SECRET_ACCESS_KEY"],
    }
    return {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": {**options, "bucket_name": private},
        },
        "default": {
            "BACKEND": "core.storage.PublicMediaS3Storage",
            "OPTIONS": {**options, "bucket_name": media},
        },
    }


class Worker:
    """``celery worker`` with the hosts' settings, on a queue of its own, so that no
    other test's worker takes its tasks, nor it theirs."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.queue = f"topology-{secrets.token_hex(4)}"
        self.log_path = folder / "worker.log"
        self.env = {**os.environ, **env}
        self.name = f"{self.queue}@%h"
        self.process = None

    def start(self) -> None:
        from portal.celery import app

        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
                "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                "--hostname", self.name, "-Q", self.queue,
            ],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited at start-up:\n{self.log_path.read_text()[-3000:]}")
            if app.control.ping(destination=[self.name.replace("%h", os.uname().nodename)]):
                return
        pytest.fail("the worker did not answer a ping within 120 s")

    def stop(self) -> None:
        if self.process is None:
            return
        end_process(self.process, timeout=20)
        self.log.close()
        self.process = None


class Visitor:
    """One person's browser, reduced to its cookies: requests to any port (nginx, or a
    host directly), the CSRF token read from the last form."""

    def __init__(self, sessionid: str):
        self.cookies = {"sessionid": sessionid}

    def request(self, port, method, path, *, body=b"", content_type=None, headers=None):
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        answer = send(port, method, path, sent, (body,) if body else ())
        for cookie in answer["cookies"]:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return answer

    def form_token(self, port, path) -> str:
        page = self.request(port, "GET", path)
        assert page["status"] == 200, (path, page["status"])
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"])
        assert token, f"no form on {path}"
        return unescape(token.group(1).decode())

    def json_headers(self) -> dict:
        """What the bid page's script sends with its JSON requests."""
        return {"X-CSRFToken": self.cookies["csrftoken"], "Accept": "application/json"}


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = "topology-" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for field, (name, data, kind) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def bids_ready(call, count: int) -> list[dict]:
    from django.test import Client

    from applications.services.amounts import Amounts
    from applications.services.submissions import submission_save
    from tests.factories import pdf_upload

    people = []
    for n in range(count):
        user = UserFactory()
        draft = start_submission(call, user)
        files = {
            doc.pk: pdf_upload(f"{doc.name} {n}.pdf") for doc in call.required_documents.all()
        }
        submission_save(
            submission=draft,
            user=user,
            uploads=files,
            amounts=Amounts(offer_amount=Decimal("1250000"), offer_currency="KES"),
        )
        client = Client()
        client.force_login(user)
        people.append({"draft": draft, "visitor": Visitor(client.cookies["sessionid"].value)})
    return people


def final_submit(port: int, person: dict, technical_field: str, n: int) -> dict:
    visitor, path = (
        person["visitor"],
        reverse("applications:submission", args=[person["draft"].pk]),
    )
    token = visitor.form_token(port, path)
    body, kind = multipart(
        {
            "csrfmiddlewaretoken": token,
            "action": "submit",
            "offer_amount": "1250000",
            "offer_currency": "KES",
        },
        {
            technical_field: (
                f"proposal {n}.pdf",
                pdf_bytes(size=300 * 1024, text=f"bid {n}"),
                "application/pdf",
            )
        },
    )
    return visitor.request(port, "POST", path, body=body, content_type=kind)
