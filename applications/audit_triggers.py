"""The database refuses to rewrite the audit trail, whatever the client.

Installed by migration 0003 on PostgreSQL and SQLite: UPDATE and DELETE on
``applications_auditevent`` fail, even in raw SQL, except the single setting of
an unchained event's chain columns (seq, prev_hash, hash) with nothing else
changed. Any later migration that rebuilds the table (SQLite does, for many
field changes) must install them again with ``install``.
"""

TABLE = "applications_auditevent"
UNCHANGED = ("id", "at", "actor_id", "action", "call_id", "submission_id", "file_id")
UNCHANGED += ("file_name", "ip_address", "detail")

POSTGRES = f"""
CREATE OR REPLACE FUNCTION zabuni_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND ({", ".join(f"NEW.{c}" for c in UNCHANGED)})
         IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in UNCHANGED)}) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'The audit trail is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS zabuni_audit_append_only ON {TABLE};
CREATE TRIGGER zabuni_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION zabuni_audit_append_only();
"""
POSTGRES_REMOVE = f"""
DROP TRIGGER IF EXISTS zabuni_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS zabuni_audit_append_only();
"""

SQLITE = [
    "DROP TRIGGER IF EXISTS zabuni_audit_no_update",
    "DROP TRIGGER IF EXISTS zabuni_audit_no_delete",
    f"""CREATE TRIGGER zabuni_audit_no_update BEFORE UPDATE ON {TABLE}
WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND
          {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in UNCHANGED)})
BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER zabuni_audit_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS zabuni_audit_no_update",
    "DROP TRIGGER IF EXISTS zabuni_audit_no_delete",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)  # its % are PL/pgSQL's, not placeholders
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)
