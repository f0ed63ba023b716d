"""The database refuses to rewrite the audit trail, whatever the client.

Installed by migrations 0003, 0015 and 0023 on PostgreSQL and SQLite:

- UPDATE and DELETE on ``applications_auditevent`` fail, even in raw SQL, except
  the single setting of an unchained event's chain columns (seq, prev_hash, hash)
  with nothing else changed, and the single erasure of an event's personal details
  (``ERASED``: emptied, with the salt, and ``details_erased_at`` set) with nothing
  else changed: the retention policy's, which leaves the chain whole because it
  covers the details only through ``details_hash``;
- TRUNCATE fails (PostgreSQL: a statement-level trigger, which row triggers are not);
- an INSERT gets its time from the database and is refused if that time is older
  than the newest event already there (the database clock set back), or if the row
  arrives already chained (only the chainer links events, after commit).
  PostgreSQL stamps ``at`` with ``clock_timestamp()`` whatever the client sent;
  SQLite cannot change a row in a trigger, so it refuses a time more than
  ``SQLITE_CLOCK_SLACK`` seconds from its own clock (the column's default is that
  clock, so the application never sends one).

On PostgreSQL none of this binds the table's owner, who can drop a trigger: the
application therefore logs in as a role that does not own the table
(``applications.db_roles``, ``manage.py grant_app_role``), and the chain's head is
written down outside the database (receipts, registers, the daily checkpoint) for
``verify_audit --checkpoint`` to hold the owner to. Any later migration that
rebuilds the table (SQLite does, for many field changes) must install them again
with ``install``.
"""

TABLE = "applications_auditevent"
UNCHANGED_BEFORE_0023 = ("id", "at", "actor_id", "action", "call_id", "submission_id")
UNCHANGED_BEFORE_0023 += ("file_id", "file_name", "ip_address", "detail")
UNCHANGED = UNCHANGED_BEFORE_0023
UNCHANGED += ("details_salt", "details_hash", "details_erased_at", "legacy_hash")
CHAIN_COLUMNS = ("seq", "prev_hash", "hash")
# What an erasure may not touch, and what it must leave.
KEPT_BY_ERASURE = ("id", "at", "actor_id", "action", "call_id", "submission_id", "file_id")
KEPT_BY_ERASURE += ("details_hash", "legacy_hash", "seq", "prev_hash", "hash")
ERASED = (
    "NEW.ip_address IS NULL AND NEW.file_name = '' AND NEW.detail = '' "
    "AND NEW.details_salt = '' AND NEW.details_erased_at IS NOT NULL "
    "AND OLD.details_erased_at IS NULL AND OLD.details_hash <> '' "
    "AND OLD.action <> 'details_erased'"
)
SQLITE_CLOCK_SLACK = 2

OLDER = "The audit trail refuses an event older than the event before it"
PRECHAINED = (
    "The audit trail links events into its chain itself: INSERT of a chained event refused"
)
NOT_ITS_TIME = "The audit trail takes its time from the database: INSERT refused"


def _postgres(schema: str, erasable: bool = True) -> str:
    # Each function runs with a fixed search_path, so a role that may create objects
    # in some schema cannot shadow clock_timestamp() or the table for it.
    path = f"SET search_path = pg_catalog, {schema}"
    unchanged = UNCHANGED if erasable else UNCHANGED_BEFORE_0023
    erasure = f"""
    IF {ERASED}
       AND ({", ".join(f"NEW.{c}" for c in KEPT_BY_ERASURE)})
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in KEPT_BY_ERASURE)}) THEN
      RETURN NEW;
    END IF;"""
    fresh = "OR NEW.details_erased_at IS NOT NULL OR NEW.legacy_hash <> ''"
    return f"""
CREATE OR REPLACE FUNCTION zabuni_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND ({", ".join(f"NEW.{c}" for c in unchanged)})
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in unchanged)}) THEN
      RETURN NEW;
    END IF;{erasure if erasable else ""}
  END IF;
  RAISE EXCEPTION 'The audit trail is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql {path};
CREATE OR REPLACE FUNCTION zabuni_audit_on_insert() RETURNS trigger AS $$
DECLARE
  newest timestamptz;
BEGIN
  IF NEW.seq IS NOT NULL OR NEW.prev_hash <> '' OR NEW.hash <> ''
     {fresh if erasable else ""} THEN
    RAISE EXCEPTION '{PRECHAINED}' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Read the newest time first, then the clock: every event this statement can see
  -- was stamped before now, so only a clock set back can trip the check.
  SELECT max(at) INTO newest FROM {TABLE};
  NEW.at := clock_timestamp();
  IF NEW.at < newest THEN
    RAISE EXCEPTION '{OLDER} (% < %)', NEW.at, newest USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql {path};
DROP TRIGGER IF EXISTS zabuni_audit_append_only ON {TABLE};
CREATE TRIGGER zabuni_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION zabuni_audit_append_only();
DROP TRIGGER IF EXISTS zabuni_audit_no_truncate ON {TABLE};
CREATE TRIGGER zabuni_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION zabuni_audit_append_only();
DROP TRIGGER IF EXISTS zabuni_audit_on_insert ON {TABLE};
CREATE TRIGGER zabuni_audit_on_insert BEFORE INSERT ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION zabuni_audit_on_insert();
"""


POSTGRES_REMOVE_NEW = f"""
DROP TRIGGER IF EXISTS zabuni_audit_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS zabuni_audit_on_insert ON {TABLE};
DROP FUNCTION IF EXISTS zabuni_audit_on_insert();
"""
POSTGRES_REMOVE = (
    POSTGRES_REMOVE_NEW
    + f"""
DROP TRIGGER IF EXISTS zabuni_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS zabuni_audit_append_only();
"""
)


def _sqlite(erasable: bool = True) -> list[str]:
    unchanged = UNCHANGED if erasable else UNCHANGED_BEFORE_0023
    chaining = f"""(OLD.seq IS NULL AND NEW.seq IS NOT NULL AND
           {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in unchanged)})"""
    erasure = f"""({ERASED} AND
           {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT_BY_ERASURE)})"""
    allowed = f"{chaining} OR {erasure}" if erasable else chaining
    fresh = "OR NEW.details_erased_at IS NOT NULL OR NEW.legacy_hash <> ''"
    return [
        "DROP TRIGGER IF EXISTS zabuni_audit_no_update",
        f"""CREATE TRIGGER zabuni_audit_no_update BEFORE UPDATE ON {TABLE}
WHEN NOT ({allowed})
BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused'); END""",
        "DROP TRIGGER IF EXISTS zabuni_audit_no_delete",
        f"""CREATE TRIGGER zabuni_audit_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE refused'); END""",
        "DROP TRIGGER IF EXISTS zabuni_audit_on_insert",
        f"""CREATE TRIGGER zabuni_audit_on_insert BEFORE INSERT ON {TABLE}
BEGIN
  SELECT RAISE(ABORT, '{PRECHAINED}')
   WHERE NEW.seq IS NOT NULL OR NEW.prev_hash <> '' OR NEW.hash <> ''
      {fresh if erasable else ""};
  SELECT RAISE(ABORT, '{NOT_ITS_TIME}')
   WHERE julianday(NEW.at) IS NULL
      OR abs(julianday(NEW.at) - julianday('now')) * 86400 > {SQLITE_CLOCK_SLACK};
  SELECT RAISE(ABORT, '{OLDER}')
   WHERE julianday(NEW.at) < (SELECT julianday(max(at)) FROM {TABLE});
END""",
    ]


SQLITE = _sqlite()
SQLITE_APPEND_ONLY, SQLITE_NO_DELETE, SQLITE_ON_INSERT = SQLITE[0:2], SQLITE[2:4], SQLITE[4:6]
SQLITE_REMOVE_NEW = ["DROP TRIGGER IF EXISTS zabuni_audit_on_insert"]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS zabuni_audit_no_update",
    "DROP TRIGGER IF EXISTS zabuni_audit_no_delete",
    "DROP TRIGGER IF EXISTS zabuni_audit_on_insert",
]


def _install(schema_editor, *, erasable: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            (schema,) = cursor.fetchone()
        # Its % are PL/pgSQL's.
        schema_editor.execute(_postgres(schema, erasable), params=None)
    elif connection.vendor == "sqlite":
        for statement in _sqlite(erasable):
            schema_editor.execute(statement)


def install(apps, schema_editor):
    """Install (or reinstall) every trigger; safe to run again."""
    _install(schema_editor, erasable=True)


def install_before_0023(apps, schema_editor):
    """The triggers as migrations 0003 and 0015 installed them, on the columns the
    table had then (the ones above name columns that migration 0023 adds)."""
    _install(schema_editor, erasable=False)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


def remove_insert_and_truncate(apps, schema_editor):
    """Migration 0015 backwards: back to the triggers of 0003."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE_NEW, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE_NEW:
            schema_editor.execute(statement)
