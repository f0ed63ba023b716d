"""One clock for deadlines: the database's.

Web workers' clocks drift; the database is the one place every worker shares,
and asking it inside the transaction that records a submission makes the
deadline decision part of that transaction.
"""

from datetime import UTC, datetime

from django.db import connection


def db_now() -> datetime:
    """The database server's current time, as an aware UTC datetime."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # statement_timestamp(), not now(): now() is frozen at transaction start.
            cursor.execute("SELECT statement_timestamp()")
            value = cursor.fetchone()[0]
            return value.astimezone(UTC)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
            return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        value = cursor.fetchone()[0]
        return value if value.tzinfo else value.replace(tzinfo=UTC)
