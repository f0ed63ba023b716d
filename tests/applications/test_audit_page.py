"""After opening, the staff audit page names the technical files, and still nothing of
a financial envelope not yet opened, nor of a replacement never resubmitted."""

import html

from django.urls import reverse
from django.utils import timezone

from applications.services.submissions import submission_save
from tests.applications.deadline_support import close_at
from tests.factories import UserFactory, make_call, pdf_upload, submit_bid
from tests.sealing_support import open_call


def test_the_audit_page_hides_unopened_financial_files_and_pending_replacements(
    client, site_root, staff_user
):
    call = make_call(site_root["calls"])
    applicant = UserFactory(email="bidder@example.org")
    submission = submit_bid(call, applicant)
    technical = call.required_documents.get(name="Technical proposal")
    submission_save(
        submission=submission,
        user=applicant,
        uploads={technical.pk: pdf_upload("second-thoughts-draft.pdf")},
        amounts=None,
        submit=False,
    )
    assert submission.files.filter(pending=True).count() == 1
    call = close_at(call, timezone.now())
    open_call(call, staff_user)
    # The owner downloads each of their files: each download names its file.
    client.force_login(applicant)
    for file in submission.files.all():
        assert client.get(reverse("applications:download", args=[file.pk])).status_code == 200
    client.force_login(staff_user)

    page = html.unescape(client.get(reverse("zabuni_call_audit", args=[call.pk])).content.decode())

    assert "bidder@example.org Technical proposal.pdf" in page  # opened: shown
    assert "Financial proposal.pdf" not in page
    assert "(a file in a sealed financial envelope)" in page
    assert "second-thoughts-draft.pdf" not in page
    assert "(a replacement that was not resubmitted)" in page
