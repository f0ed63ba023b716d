"""The world: one call, the owner's bid and everyone around it."""

from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse

from applications.models import Submission, SubmissionFile
from tenders.models import CallPage
from tests.applications.seal_matrix.columns import ANSWER, ANSWER_PENDING, OFFER_SHOWN


@dataclass
class World:
    call: CallPage
    submission: Submission
    files: dict[str, SubmissionFile]
    content: dict[str, bytes]
    users: dict
    assignment: object = None
    sheet: object = None
    upload: object = None  # the owner's resumable upload, half sent
    clients: dict[str, Client] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return self.submission.reference

    @property
    def secrets(self) -> list[str]:
        """What no one but the owner may see of the bid before opening."""
        owner = self.users["owner"]
        return [
            owner.email,
            self.reference,
            OFFER_SHOWN,
            *(f.original_name for f in self.files.values()),
            *(f.sha256 for f in self.files.values()),
            *([self.upload.name] if self.upload is not None else []),
            ANSWER,
            ANSWER_PENDING,
        ]

    def download_url(self, resource: str) -> str:
        return reverse("applications:download", kwargs={"file_id": self.files[resource].pk})
