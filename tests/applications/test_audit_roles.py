"""On PostgreSQL the application logs in as a role that does not own the audit table.

Migrations run as the owner; ``manage.py grant_app_role`` gives the application's
role what it needs and no more. Connected as that role, nothing can take the
trigger away or rewrite the trail; appending an event still works.
"""

import os
import subprocess
import sys

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests import services
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_as_owner(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def app_role(transactional_db, django_db_serialized_rollback):
    """A login role made for this test, named after the test database (the cluster's
    roles are shared by every database on it), dropped again after."""
    services.require_postgres(connection)
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    run_as_owner(f'DROP OWNED BY "{role}"' if role_exists(role) else "SELECT 1")
    run_as_owner(f'DROP ROLE IF EXISTS "{role}"')
    run_as_owner(f'CREATE ROLE "{role}" LOGIN')
    yield role
    run_as_owner(f'DROP OWNED BY "{role}"')
    run_as_owner(f'DROP ROLE "{role}"')


def role_exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def connect_as(role: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


TABLE = "applications_auditevent"
REFUSED = {
    "drop the trigger": f"DROP TRIGGER zabuni_audit_append_only ON {TABLE}",
    "disable the trigger": f"ALTER TABLE {TABLE} DISABLE TRIGGER zabuni_audit_append_only",
    "disable every trigger": f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
    "truncate": f"TRUNCATE {TABLE}",
    "update": f"UPDATE {TABLE} SET detail = 'nothing happened'",
    "update the chain": f"UPDATE {TABLE} SET seq = seq + 100",
    "delete": f"DELETE FROM {TABLE}",
    "drop the table": f"DROP TABLE {TABLE}",
    "take the table": f"ALTER TABLE {TABLE} OWNER TO CURRENT_USER",
    "switch triggers off for the session": "SET session_replication_role = replica",
}


def test_the_application_role_cannot_rewrite_the_trail_but_can_append(app_role):
    from applications.choices import AuditAction
    from applications.services.audit import audit_record

    audit_record(actor=None, action=AuditAction.FILE_DOWNLOADED, detail="before")
    call_command("grant_app_role", app_role)

    outcomes = {}
    with connect_as(app_role) as app:
        for what, sql in REFUSED.items():
            try:
                app.execute(sql)
                outcomes[what] = "done"
            except psycopg.Error as error:
                outcomes[what] = f"refused ({error.sqlstate})"
        # An ordinary event, as audit_record writes it: the database sets its time.
        with app.transaction():
            at, seq = app.execute(
                f"INSERT INTO {TABLE} (action, file_name, ip_address, detail, prev_hash, hash) "
                "VALUES ('file_downloaded', '', NULL, 'appended', '', '') RETURNING at, seq"
            ).fetchone()
        # And the application's own reads and writes elsewhere still work.
        app.execute("SELECT count(*) FROM applications_submission").fetchone()
        app.execute("UPDATE applications_submission SET status = status")

    assert all(outcome.startswith("refused") for outcome in outcomes.values()), outcomes
    assert at is not None and seq is None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT detail FROM {TABLE} ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == ["before", "appended"]


def test_the_application_role_links_the_chain_and_verifies_it(app_role, monkeypatch):
    """Chaining sets an unchained event's position and hashes: the one change the
    application may make to the table (those three columns), which the trigger
    allows once. ``verify_audit`` runs here as the application would, logged in
    as its role."""
    from applications.choices import AuditAction
    from applications.services import audit

    # The after-commit chaining is left to the application's role.
    monkeypatch.setattr(audit, "_chain_quietly", lambda events: None)
    audit.audit_record(actor=None, action=AuditAction.FILE_DOWNLOADED, detail="to link")
    call_command("grant_app_role", app_role)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{app_role}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }

    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK: 1 events, chain intact; head #1 ")
