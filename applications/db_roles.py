"""The application's database role on PostgreSQL: everything it needs, and nothing that
could take the audit trail's triggers away.

Two roles share the database. The *owner* (the role migrations run as) owns
every table and the audit trail's triggers. The *application* (web, worker,
beat) logs in as a role that owns nothing: it reads and writes the app's tables,
but on the audit table it may only read, append, and set an unchained event's
three chain columns, which the trigger allows once per event. Not owning the
table, it cannot drop or disable a trigger, truncate, or alter the table; not
being a superuser, it cannot switch triggers off for its session either.
"""

from django.db import connection

from applications.audit_triggers import CHAIN_COLUMNS, TABLE


class RoleRefused(Exception):
    """The role named cannot be the application's: it could undo the triggers."""


def _one(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return row[0] if row else None


def role_problem(cursor, role: str) -> str | None:
    """Why ``role`` must not be the application's role; None if it may."""
    found = _one(cursor, "SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
    if found is None:
        return f'There is no role "{role}". Create it first (CREATE ROLE ... LOGIN PASSWORD ...).'
    if found:
        return f'"{role}" is a superuser, which no trigger binds.'
    owner = _one(cursor, "SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
    if owner is None:
        return f"There is no {TABLE} table here: run the migrations first (as the owner)."
    if _one(cursor, "SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner]):
        return f'"{role}" is (or is a member of) "{owner}", the audit table\'s owner.'
    return None


def app_role_grants(role: str, schema: str) -> list[str]:
    """The statements that give ``role`` the application's privileges in ``schema``."""
    who = f'"{role}"'
    chain = ", ".join(CHAIN_COLUMNS)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        # The audit trail: read and append; link an event into the chain, once.
        f"REVOKE ALL ON {schema}.{TABLE} FROM {who}",
        f"GRANT SELECT, INSERT ON {schema}.{TABLE} TO {who}",
        f"GRANT UPDATE ({chain}) ON {schema}.{TABLE} TO {who}",
    ]


def grant_app_role(role: str) -> list[str]:
    """Grant ``role`` the application's privileges; the statements run. Run as the owner."""
    if '"' in role or not role:
        raise RoleRefused("A role name without double quotes, please.")
    with connection.cursor() as cursor:
        problem = role_problem(cursor, role)
        if problem:
            raise RoleRefused(problem)
        schema = _one(cursor, "SELECT quote_ident(current_schema())")
        statements = app_role_grants(role, schema)
        for statement in statements:
            cursor.execute(statement)
    return statements
