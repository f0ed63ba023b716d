"""Erasing the personal details of audit events leaves the chain verifiable; the
database allows that one change and no other; and migration 0023 moved an existing
chain into the erasable form without losing a checkpoint written before it."""

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from applications import audit_triggers
from applications.choices import AuditAction
from applications.models import AuditEvent
from applications.models.audit import details_digest
from applications.services.audit import audit_record
from applications.services.audit_chain import (
    GENESIS,
    audit_chain_extend,
    audit_chain_head,
    audit_chain_verify,
    canonical,
    canonical_v1,
)
from applications.services.audit_erasure import audit_details_erase

pytestmark = pytest.mark.django_db

TABLE = audit_triggers.TABLE


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record(n: int) -> None:
    for i in range(n):
        audit_record(
            actor=None,
            action=AuditAction.FILE_DOWNLOADED,
            detail=f"Wanjiru Kamau's CV, copy {i}",
        )
    audit_chain_extend()


def triggers_off():
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        raw(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    else:
        audit_triggers.remove(None, connection.schema_editor().__enter__())


def triggers_on():
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def test_erased_details_leave_the_chain_verifiable():
    record(3)
    second = AuditEvent.objects.get(seq=2)

    assert audit_details_erase(events=AuditEvent.objects.filter(pk=second.pk), why="test") == 1

    second.refresh_from_db()
    assert (second.detail, second.file_name, second.ip_address, second.details_salt) == (
        "",
        "",
        None,
        "",
    )
    assert second.details_erased_at is not None and second.details_hash
    assert audit_chain_verify().ok
    call_command("verify_audit", no_extend=True)
    # Erasing again changes nothing.
    assert audit_details_erase(events=AuditEvent.objects.all(), why="test") == 2


def test_details_changed_but_not_erased_are_caught():
    record(2)
    triggers_off()
    raw(f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE seq = 1")
    triggers_on()

    verdict = audit_chain_verify()

    assert not verdict.ok and verdict.broken_at == 1
    assert verdict.reason == "its details do not match their hash"


def test_an_erased_events_hash_cannot_be_swapped():
    record(2)
    audit_details_erase(events=AuditEvent.objects.filter(seq=1), why="test")
    triggers_off()
    raw(f"UPDATE {TABLE} SET details_hash = %s WHERE seq = 1", ["f" * 64])
    triggers_on()

    assert audit_chain_verify().broken_at == 1


@pytest.mark.parametrize(
    "change",
    [
        "detail = 'rewritten'",  # not an erasure
        "detail = '', file_name = '', ip_address = NULL, details_erased_at = now()",  # salt kept
        "detail = '', file_name = '', ip_address = NULL, details_salt = '', "
        "details_erased_at = now(), action = 'submitted'",  # and something else
    ],
)
def test_the_database_allows_only_the_whole_erasure(change):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite triggers are checked on a migrated copy in test_audit_chain")
    record(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {TABLE} SET {change} WHERE seq = 1")


def test_an_erasure_is_not_undone():
    record(1)
    audit_details_erase(events=AuditEvent.objects.all(), why="test")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {TABLE} SET detail = 'back again', details_erased_at = NULL WHERE seq = 1")


def as_before_0023():
    """The trail as migration 0023 found it: no details' hashes, chained in the first
    form (what the owner of an older database holds)."""
    triggers_off()
    raw(f"UPDATE {TABLE} SET details_hash = '', details_salt = ''")
    prev = GENESIS
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq"):
        digest = hashlib.sha256(canonical_v1(event, seq=event.seq, prev_hash=prev)).hexdigest()
        raw(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk]
        )
        prev = digest
    triggers_on()


def rechain():
    migration = importlib.import_module("applications.migrations.0023_audit_details_erasable")
    with connection.schema_editor(atomic=False) as editor:
        migration.rechain(apps, editor)


def test_the_upgrade_rechains_and_old_checkpoints_still_check(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("the upgrade's trigger handling is PostgreSQL's here")
    record(3)
    as_before_0023()
    old_head = str(audit_chain_head())
    assert audit_chain_verify().ok  # the first form still verifies

    rechain()

    assert all(e.details_hash and e.legacy_hash for e in AuditEvent.objects.all())
    assert str(audit_chain_head()) != old_head
    call_command("verify_audit", no_extend=True, checkpoint=[old_head])
    assert "1 checkpoints on the chain" in capsys.readouterr().out
    # Now erasable, and still verifiable.
    audit_details_erase(events=AuditEvent.objects.filter(seq=2), why="test")
    call_command("verify_audit", no_extend=True, checkpoint=[old_head])


def test_the_upgrade_refuses_a_chain_already_broken():
    if connection.vendor != "postgresql":
        pytest.skip("the upgrade's trigger handling is PostgreSQL's here")
    record(2)
    as_before_0023()
    triggers_off()
    raw(f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE seq = 1")
    triggers_on()

    with pytest.raises(RuntimeError, match="broken at event #1"):
        rechain()
    with pytest.raises(CommandError):
        call_command("verify_audit", no_extend=True)


def test_an_event_marked_erased_that_still_has_details_is_caught():
    """Behind the triggers' back: an event "erased" whose detail was rewritten instead."""
    record(2)
    audit_details_erase(events=AuditEvent.objects.filter(seq=1), why="test")
    audit_chain_extend()
    triggers_off()
    raw(f"UPDATE {TABLE} SET detail = 'Awarded: first in the ranking' WHERE seq = 1")
    triggers_on()

    verdict = audit_chain_verify()

    assert verdict.broken_at == 1 and verdict.reason == "it is marked erased but has details"


def test_an_erasure_with_no_record_of_it_is_caught():
    record(2)
    triggers_off()
    raw(
        f"UPDATE {TABLE} SET detail = '', file_name = '', ip_address = NULL, "
        "details_salt = '', details_erased_at = now() WHERE seq = 1"
    )
    triggers_on()

    verdict = audit_chain_verify()

    assert verdict.broken_at == 1
    assert verdict.reason == "its details were erased with no record of it"


def test_each_erasure_is_on_the_chain_and_its_record_is_never_erased():
    record(3)
    audit_details_erase(events=AuditEvent.objects.filter(seq__in=[1, 2]), why="test")
    audit_chain_extend()
    (note,) = AuditEvent.objects.filter(action=AuditAction.DETAILS_ERASED)
    first, second = AuditEvent.objects.filter(seq__in=[1, 2]).order_by("seq")
    assert note.detail == f"test: {first.pk}-{second.pk}" and note.seq == 4

    assert audit_details_erase(events=AuditEvent.objects.all(), why="test") == 1  # #3 only
    note.refresh_from_db()
    assert note.detail.startswith("test: ")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(
                f"UPDATE {TABLE} SET detail = '', file_name = '', ip_address = NULL, "
                "details_salt = '', details_erased_at = now() WHERE id = %s",
                [note.pk],
            )
    assert audit_chain_verify().ok


def test_an_old_event_rewritten_and_rechained_fails_the_checkpoint_from_before_the_upgrade():
    """The owner rewrites an event from before the upgrade, recomputes its details' hash
    and the whole new chain, and keeps the old hashes: the new chain checks out on its
    own, but the checkpoint written before the upgrade does not."""
    if connection.vendor != "postgresql":
        pytest.skip("the upgrade's trigger handling is PostgreSQL's here")
    record(3)
    as_before_0023()
    old_head = str(audit_chain_head())
    rechain()
    triggers_off()
    raw(f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE seq = 2")
    prev = GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq == 2:
            raw(
                f"UPDATE {TABLE} SET details_hash = %s WHERE id = %s",
                [details_digest(event), event.pk],
            )
            event.refresh_from_db()
        digest = hashlib.sha256(canonical(event, seq=event.seq, prev_hash=prev)).hexdigest()
        raw(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk]
        )
        prev = digest
    triggers_on()
    call_command("verify_audit", no_extend=True)  # on its own, it checks out

    with pytest.raises(CommandError, match="is not on the chain"):
        call_command("verify_audit", no_extend=True, checkpoint=[old_head])
