"""The audit trail cannot be quietly changed: a hash chain that ``verify_audit`` checks,
and database triggers that refuse UPDATE and DELETE, on PostgreSQL and on SQLite."""

import sqlite3
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from applications.choices import AuditAction
from applications.models import AuditEvent
from applications.services.audit import audit_record
from applications.services.audit_chain import GENESIS, audit_chain_head, audit_chain_verify
from tests import services
from tests.conftest import copy_sqlite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def every_trigger(transactional_db, django_db_serialized_rollback):
    """On SQLite the pytest database goes without the DELETE trigger (see conftest);
    here it has it, and loses it again before the flush after the test."""
    from applications import audit_triggers

    if connection.vendor != "sqlite":
        yield
        return
    for statement in audit_triggers.SQLITE_NO_DELETE:
        raw(statement)
    yield
    raw(audit_triggers.SQLITE_NO_DELETE[0])


def record(n: int, actor=None) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(actor=actor, action=AuditAction.FILE_DOWNLOADED, detail=f"event {i}")
            for i in range(n)
        ]


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_are_chained_in_commit_order_once_their_transaction_commits():
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.FILE_DOWNLOADED, detail="inside")
        assert not AuditEvent.objects.filter(seq__isnull=False).exists()  # not before commit
    record(3, UserFactory())

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert audit_chain_head().seq == 4
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.checked, verdict.unchained) == (True, 4, 0)


def test_verify_audit_says_ok(capsys):
    record(2)
    call_command("verify_audit")
    assert capsys.readouterr().out.startswith("OK: 2 events, chain intact; head #2 ")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE applications_auditevent SET detail = 'nothing happened'",
        "UPDATE applications_auditevent SET at = at",
        "UPDATE applications_auditevent SET seq = seq + 100",
        "DELETE FROM applications_auditevent",
    ],
)
def test_the_database_refuses_raw_rewrites(statement):
    record(2)
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", "detail", "hash"))

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            raw(statement)

    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "detail", "hash")) == before


def test_the_orms_back_doors_are_refused_too():
    (event,) = record(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk)._raw_delete(connection.alias)
    # bulk_create only appends: allowed, and chained like any other event.
    AuditEvent.objects.bulk_create([AuditEvent(action=AuditAction.FILE_DOWNLOADED, detail="bulk")])
    call_command("verify_audit")
    assert AuditEvent.objects.get(detail="bulk").seq == 2


def test_a_rewrite_behind_the_triggers_back_is_named_by_verify_audit():
    """The owner of the database can switch the trigger off; the chain still tells."""
    record(3)
    middle = AuditEvent.objects.get(seq=2)
    if connection.vendor == "postgresql":
        raw("ALTER TABLE applications_auditevent DISABLE TRIGGER zabuni_audit_append_only")
        raw(
            "UPDATE applications_auditevent SET detail = 'nothing happened' WHERE id = %s",
            [middle.pk],
        )
        raw("ALTER TABLE applications_auditevent ENABLE TRIGGER zabuni_audit_append_only")
    else:
        raw("DROP TRIGGER zabuni_audit_no_update")
        raw(
            "UPDATE applications_auditevent SET detail = 'nothing happened' WHERE id = %s",
            [middle.pk],
        )
        from applications import audit_triggers

        for statement in audit_triggers.SQLITE_APPEND_ONLY:
            raw(statement)

    with pytest.raises(
        CommandError, match=r"BROKEN at event #2: its (content does|details do) not match"
    ):
        call_command("verify_audit")


@pytest.mark.long_running
def test_the_triggers_on_a_freshly_migrated_sqlite_database(tmp_path, migrated_sqlite):
    """The embedded default gets the same triggers from its migrations (a copy of a
    database `manage.py migrate` made from nothing in this run)."""
    database = tmp_path / "fresh.sqlite3"
    copy_sqlite(migrated_sqlite, database)
    db = sqlite3.connect(database)
    # The event's time is the column's default: the database's clock.
    db.execute(
        "INSERT INTO applications_auditevent (action, file_name, detail, prev_hash, hash) "
        "VALUES ('file_downloaded', '', 'kept', '', '')"
    )
    db.commit()
    for statement in (
        "UPDATE applications_auditevent SET detail = 'rewritten'",
        "DELETE FROM applications_auditevent",
        "INSERT INTO applications_auditevent (at, action, file_name, detail, prev_hash, hash) "
        "VALUES ('2026-12-03 10:00:00', 'file_downloaded', '', 'backdated', '', '')",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only|its time"):
            db.execute(statement)
    # The chain's one allowed change: linking an unchained event.
    db.execute("UPDATE applications_auditevent SET seq = 1, prev_hash = 'x', hash = 'y'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE applications_auditevent SET hash = 'z'")
    assert db.execute("SELECT detail, seq FROM applications_auditevent").fetchall() == [
        ("kept", 1)
    ]


def test_the_receipt_shows_the_chains_head_which_covers_the_bid(client, site_root):
    from tests.factories import make_call, submit_bid

    applicant = UserFactory()
    submission = submit_bid(make_call(site_root["calls"]), applicant)
    client.force_login(applicant)

    page = client.get(f"/bids/{submission.pk}/receipt/").content.decode()

    head = audit_chain_head()
    submitted = AuditEvent.objects.get(submission=submission, action=AuditAction.SUBMITTED)
    assert submitted.seq <= head.seq
    assert head.hash in page
    assert f"event {head.seq}<" in page


def test_truncate_is_refused_even_to_the_tables_owner():
    """A statement-level trigger: TRUNCATE is not a row operation, and row triggers
    never see it. (The test suite's own flush goes round it; see tests/conftest.py.)"""
    services.require_postgres(connection)
    record(2)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE applications_auditevent CASCADE")

    assert AuditEvent.objects.count() == 2


def test_an_events_time_is_the_databases_not_the_applications():
    """The application cannot backdate an event: on PostgreSQL the database stamps
    the time whatever the client sent; SQLite refuses a time that is not its own."""
    (before,) = record(1)
    backdated = AuditEvent(action=AuditAction.FILE_DOWNLOADED, detail="backdated")
    backdated.at = datetime(2020, 1, 1, tzinfo=UTC)

    if connection.vendor == "postgresql":
        AuditEvent.objects.bulk_create([backdated])
        assert AuditEvent.objects.get(detail="backdated").at >= before.at
    else:
        with pytest.raises(DatabaseError, match="time"), transaction.atomic():
            AuditEvent.objects.bulk_create([backdated])
        assert not AuditEvent.objects.filter(detail="backdated").exists()


def test_an_event_older_than_the_newest_one_is_refused():
    """The database clock set back (or a row slipped in behind the trigger's back with
    a time to come): the next event would be older than the one before it."""
    from applications import audit_triggers

    record(1)
    future = "2999-01-01 00:00:00"
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {audit_triggers.TABLE} DISABLE TRIGGER zabuni_audit_on_insert")
        raw(
            f"INSERT INTO {audit_triggers.TABLE} (at, action, file_name, detail, prev_hash, hash)"
            " VALUES (%s, 'file_downloaded', '', 'from the future', '', '')",
            [future + "+00"],
        )
        raw(f"ALTER TABLE {audit_triggers.TABLE} ENABLE TRIGGER zabuni_audit_on_insert")
    else:
        raw("DROP TRIGGER zabuni_audit_on_insert")
        raw(
            f"INSERT INTO {audit_triggers.TABLE} (at, action, file_name, detail, prev_hash, hash)"
            " VALUES (%s, 'file_downloaded', '', 'from the future', '', '')",
            [future],
        )
        for statement in audit_triggers.SQLITE_ON_INSERT:
            raw(statement)

    with pytest.raises(DatabaseError, match="older than the event before it"):
        record(1)
    assert not AuditEvent.objects.filter(detail="event 0").exclude(seq=1).exists()


def test_an_event_cannot_arrive_already_chained():
    """Only the chainer links events, after commit; an insert with a position is refused."""
    with pytest.raises(DatabaseError, match="chain"), transaction.atomic():
        AuditEvent.objects.bulk_create(
            [AuditEvent(action=AuditAction.FILE_DOWNLOADED, seq=1, prev_hash="x", hash="y")]
        )
    assert not AuditEvent.objects.exists()
