"""A key for each call, held by nobody (issue 23, items 2 to 4): publishing needs a
complete committee with opening keys; the call's key is split among them and the
recovery key; files are stored encrypted to it; a quorum's passphrases open them; a
tampered object is reported, never served."""

import pytest
from django.urls import reverse
from django.utils import timezone
from nacl.public import PrivateKey

from applications.choices import AuditAction
from applications.models import (
    AuditEvent,
    CallKey,
    KeyShare,
    OpeningCommittee,
    OpeningConfirmation,
    SubmissionFile,
)
from applications.services.call_keys import call_key_in_use
from core.errors import NotAllowed, Refused
from core.storage import private_storage
from tenders.freeze import TermsFrozen
from tenders.models import CallPage
from tests.applications.deadline_support import close_at
from tests.factories import (
    StaffFactory,
    UserFactory,
    make_call,
    pdf_bytes,
    submit_bid,
    zip_bytes,
)
from tests.sealing_support import (
    PASSPHRASE,
    call_private_of,
    give_opening_key,
    open_call,
    recovery_key,
    stored_plaintext,
)

pytestmark = pytest.mark.django_db


def draft_call(index) -> CallPage:
    """A call saved as a draft, as an editor starts one."""
    call = make_call(index)  # a template with rows; copied below as a fresh draft
    draft = CallPage(
        title="Draft call",
        slug="draft-call",
        kind="consultancy",
        reference_code="DC-CFC-2026-900",
        summary="A draft.",
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        clarifications_close_at=call.clarifications_close_at,
        budget_ceiling=call.budget_ceiling,
        currency="KES",
        selection_method="qcbs",
        technical_weight=call.technical_weight,
        financial_weight=call.financial_weight,
        minimum_technical_score=call.minimum_technical_score,
        live=False,
    )
    index.add_child(instance=draft)
    return CallPage.objects.get(pk=draft.pk)


def test_a_call_cannot_be_published_until_its_committee_holds_keys_and_is_told_who_is_missing(
    site_root,
):
    call = draft_call(site_root["calls"])
    with pytest.raises(TermsFrozen, match="Set up this call's opening committee"):
        call.save_revision().publish()

    members = [StaffFactory(first_name="Wanjiku", last_name="Mutua") for _ in range(3)]
    committee = OpeningCommittee.objects.create(call=call)
    committee.members.set(members)
    give_opening_key(members[0])
    with pytest.raises(TermsFrozen, match="have not made their opening key") as refused:
        CallPage.objects.get(pk=call.pk).save_revision().publish()
    assert refused.value.messages[0].count("Wanjiku Mutua") == 2  # the two without a key
    assert not CallPage.objects.get(pk=call.pk).live
    assert not CallKey.objects.filter(call=call).exists()

    for member in members:
        give_opening_key(member)
    CallPage.objects.get(pk=call.pk).save_revision().publish()

    key = call_key_in_use(call.pk)
    assert CallPage.objects.get(pk=call.pk).live and key.threshold == 3
    holders = KeyShare.objects.filter(call_key=key)
    assert {s.member_id for s in holders if s.member_id} == {m.pk for m in members}
    assert holders.filter(recovery_key__isnull=False).count() == 1
    assert AuditEvent.objects.filter(call=call, action=AuditAction.CALL_KEYED).count() == 1


def test_the_admin_refuses_to_publish_and_names_the_members_without_a_key(
    client, superuser, site_root
):
    from tests.tenders.page_forms import (
        call_form_data,
        form_errors,
        post_new_page,
        publish_from_edit,
    )

    client.force_login(superuser)
    data = call_form_data()
    assert (
        post_new_page(client, CallPage, site_root["calls"], data, publish=False).status_code == 302
    )
    call = CallPage.objects.get(reference_code=data["reference_code"])
    member = StaffFactory(first_name="Baraka", last_name="Omondi")
    others = [give_opening_key(StaffFactory()).user for _ in range(2)]
    committee = OpeningCommittee.objects.create(call=call)
    committee.members.set([member, *others])
    edit = reverse("wagtailsnippets_applications_openingcommittee:edit", args=[committee.pk])
    listing = client.get(edit).content.decode()
    assert "Baraka Omondi (no opening key yet)" in listing  # the admin says who is missing
    assert f"{others[0].get_full_name()} (no opening key yet)" not in listing

    response = publish_from_edit(client, call, data, follow=True)

    page = response.content.decode()
    assert "Nothing was published." in page and "Baraka Omondi" in page
    assert "opening_recovery_key" in page  # and the organisation's recovery key is missing
    assert not CallPage.objects.get(pk=call.pk).live

    give_opening_key(member)
    recovery_key()
    published = publish_from_edit(client, CallPage.objects.get(pk=call.pk), data, follow=True)
    assert "Nothing was published" not in published.content.decode(), form_errors(published)
    assert CallPage.objects.get(pk=call.pk).live
    assert call_key_in_use(call.pk) is not None


def test_the_committee_re_keys_the_call_until_the_first_file_is_sealed_then_is_fixed(site_root):
    call = make_call(site_root["calls"])
    first = call_key_in_use(call.pk)
    newcomer = give_opening_key(StaffFactory()).user
    committee = OpeningCommittee.objects.get(call=call)
    old_members = list(committee.members.all())

    committee.members.set([*old_members[:2], newcomer])

    second = call_key_in_use(call.pk)
    assert second.pk != first.pk and bytes(second.public_key) != bytes(first.public_key)
    assert CallKey.objects.get(pk=first.pk).replaced_at is not None
    assert KeyShare.objects.filter(call_key=second, member=newcomer).exists()
    assert not KeyShare.objects.filter(call_key=second, member=old_members[2]).exists()

    submit_bid(call, UserFactory())
    assert set(SubmissionFile.objects.values_list("call_key", flat=True)) == {second.pk}
    from applications.services.committee import committee_change_refusal

    assert "already sealed" in committee_change_refusal(call.pk)
    committee.members.set(old_members)  # outside the admin: the key stays as it is
    assert call_key_in_use(call.pk).pk == second.pk


def test_a_committee_left_incomplete_outside_the_admin_refuses_bids_rather_than_store_clear(
    site_root,
):
    call = make_call(site_root["calls"])
    committee = OpeningCommittee.objects.get(call=call)
    committee.members.remove(committee.members.first())
    assert call_key_in_use(call.pk) is None

    with pytest.raises(Refused, match="committee is being changed"):
        submit_bid(call, UserFactory())
    assert not SubmissionFile.objects.exists()
    folder = f"submissions/{call.pk}"
    assert not private_storage().exists(folder) or not private_storage().listdir(folder)[1]


def test_the_recovery_key_gives_nothing_before_the_deadline(site_root):
    from applications.services.opening import recovery_share_give
    from tests.sealing_support import RECOVERY_PRIVATE

    call = make_call(site_root["calls"])
    with pytest.raises(NotAllowed, match="deadline has not passed"):
        recovery_share_give(call=call, private=RECOVERY_PRIVATE)


def test_every_quorum_rebuilds_the_key_and_no_smaller_set_does(site_root):
    """M of the N holders' shares, whichever M, rebuild the call's key; no M-1 of them do
    (with the default quorum of 3 and four holders: three members and the recovery key)."""
    from itertools import combinations

    from accounts.opening_keys import opening_key_unlock
    from applications.sealing import NotEnoughShares, call_key_rebuild, share_open
    from tests.sealing_support import RECOVERY_PRIVATE

    call = make_call(site_root["calls"])
    key = call_key_in_use(call.pk)
    opened = []
    for share in KeyShare.objects.filter(call_key=key).select_related("opening_key"):
        private = (
            opening_key_unlock(share.opening_key, PASSPHRASE)
            if share.member_id
            else RECOVERY_PRIVATE
        )
        opened.append(share_open(share.sealed, private))
    assert len(opened) == 4 and key.threshold == 3
    for subset in combinations(opened, key.threshold):
        assert bytes(call_key_rebuild(subset, key.public_key).public_key) == bytes(key.public_key)
    for subset in combinations(opened, key.threshold - 1):
        with pytest.raises(NotEnoughShares):
            call_key_rebuild(subset, key.public_key)


def test_a_share_given_for_a_replaced_key_is_never_combined(site_root):
    """The call was re-keyed before any bid, after a share of its first key had been given
    (the recovery key's, say): that share is left out, and the new key's shares open."""
    from accounts.opening_keys import opening_key_unlock
    from applications.models import RecoveryShare
    from applications.sealing import share_open
    from applications.services.key_opening import (
        call_private_rebuild,
        share_given_seal,
        shares_given,
    )

    call = make_call(site_root["calls"])
    old = call_key_in_use(call.pk)
    committee = OpeningCommittee.objects.get(call=call)
    newcomer = give_opening_key(StaffFactory()).user
    committee.members.set([*committee.members.order_by("pk")[:2], newcomer])
    new = call_key_in_use(call.pk)
    assert new.pk != old.pk
    RecoveryShare.objects.create(call=call, share=share_given_seal(old.pk, 4, b"0" * 16))
    for share in KeyShare.objects.filter(call_key=new, member__isnull=False):
        private = opening_key_unlock(share.opening_key, PASSPHRASE)
        OpeningConfirmation.objects.create(
            call=call,
            member=share.member,
            confirmed_at=timezone.now(),
            share=share_given_seal(new.pk, *share_open(share.sealed, private)),
        )

    rebuilt = call_private_rebuild(call, shares_given(call))

    assert rebuilt is not None and bytes(rebuilt.public_key) == bytes(new.public_key)


def test_the_storage_key_is_checked_at_start_up(settings):
    from applications.checks import bid_storage_key

    settings.BID_STORAGE_KEY = "c2hvcnQ="
    assert [e.id for e in bid_storage_key()] == ["applications.E003"]
    settings.BID_STORAGE_KEY = "ZXhhbXBsZS1vbmx5LW5vdC1zZWNyZXQtY2hhbmdlLW1l"
    settings.PRODUCTION = True
    assert [e.id for e in bid_storage_key()] == ["applications.E004"]


def test_storage_holds_no_byte_of_a_bid_before_the_opening(site_root):
    """A copy of the whole storage, taken before the deadline, in every encoding."""
    import base64

    call = make_call(site_root["calls"])
    marker = "Siri ya Haki Data 4417"
    pdf = pdf_bytes(text=marker)
    book = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": f"<workbook>{marker}</workbook>".encode(),
        }
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    submit_bid(
        call,
        UserFactory(),
        files={
            "Technical proposal": SimpleUploadedFile("proposal.pdf", pdf, "application/pdf"),
            "Financial proposal": SimpleUploadedFile("offer.xlsx", book, "application/zip"),
        },
    )
    root = private_storage().path("")
    import pathlib

    stored = b"".join(p.read_bytes() for p in pathlib.Path(root).rglob("*") if p.is_file())
    assert stored
    needles = [
        marker.encode(),
        marker.encode("utf-16-le"),
        marker.encode().hex().encode(),
        base64.b64encode(marker.encode()),
        pdf[:32],
        b"%PDF",
        b"PK\x03\x04",
    ]
    for needle in needles:
        assert needle not in stored, needle
    opened = open_call(close_at(call, timezone.now()), StaffFactory())
    assert opened is not None
    item = SubmissionFile.objects.get(submission__call=call, envelope="technical")
    assert stored_plaintext(item) == pdf


def test_the_recovery_key_alone_or_any_private_key_does_not_rebuild_the_call_key(site_root):
    call = make_call(site_root["calls"])
    assert call_private_of(call) is not None  # three members' shares do
    from applications.services.key_opening import call_private_rebuild, recovery_share
    from tests.sealing_support import RECOVERY_PRIVATE

    alone = [recovery_share(call=call, private=RECOVERY_PRIVATE)]
    assert call_private_rebuild(call, alone) is None
    with pytest.raises(Refused):
        recovery_share(call=call, private=PrivateKey.generate())


def test_a_call_made_by_the_test_factory_is_keyed_as_staff_would_key_it(site_root):
    call = make_call(site_root["calls"])
    committee = OpeningCommittee.objects.get(call=call)
    key = call_key_in_use(call.pk)
    assert {s.member_id for s in key.shares.all() if s.member_id} == set(
        committee.members.values_list("pk", flat=True)
    )
