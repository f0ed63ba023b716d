"""How long each kind of data is kept (docs/retention.md has the reasons and the law).

Each period may be set from the environment in days; the defaults are the
policy. Procurement records are kept at least six years (PPADA 2015 s.68): a
shorter value, or any period of zero days or fewer, is refused at start-up
(``privacy.checks``), so that nobody shortens one by accident.
"""

from datetime import timedelta

from portal.settings.base import env


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=env.int(name, default=default))


# Bids that were opened, registers, scores, the report and the audit trail: at least
# six years after the call's award or cancellation. Then their personal details go
# (files, answers, names); the register lines, fingerprints and scores stay.
RETENTION_PROCUREMENT_RECORDS = _days("RETENTION_PROCUREMENT_RECORDS_DAYS", 6 * 366)
# Grant applications that were not funded: files, answers and personal details, after
# the outcome notices.
RETENTION_UNFUNDED_APPLICATIONS = _days("RETENTION_UNFUNDED_APPLICATIONS_DAYS", 365)
# Drafts never submitted, after the call closes.
RETENTION_DRAFTS = _days("RETENTION_DRAFTS_DAYS", 90)
# Mail bodies (they carry sign-in links), after delivery; subject and recipient stay.
RETENTION_MAIL_BODIES = _days("RETENTION_MAIL_BODIES_DAYS", 30)
# Accounts unused this long, with nothing left to keep, are warned by mail ...
RETENTION_INACTIVE_ACCOUNTS = _days("RETENTION_INACTIVE_ACCOUNTS_DAYS", 3 * 365)
# ... and deleted this long after the warning, unless their owner signs in.
RETENTION_INACTIVE_WARNING = _days("RETENTION_INACTIVE_WARNING_DAYS", 30)
# Sign-in attempts (django-axes: address, IP, browser) and ended sessions.
RETENTION_SIGN_IN_RECORDS = _days("RETENTION_SIGN_IN_RECORDS_DAYS", 90)
# A copy of one's data built in the background: its link works this long.
DATA_COPY_LINK_LIFETIME = timedelta(days=1)
# A data copy larger than this (the applicant's own files, in bytes) is built by
# Celery and mailed as a link, rather than within the request.
DATA_COPY_INLINE_LIMIT = env.int("DATA_COPY_INLINE_LIMIT", default=20 * 1024 * 1024)
