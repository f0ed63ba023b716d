"""Start-up checks: the retention periods are ones the law allows.

Each period comes from the environment (``RETENTION_..._DAYS``), where a typo is
easy: ``219`` for ``2190`` would delete opened bids, awards included, after seven
months. Procurement records are kept at least six years after the award or
cancellation (PPADA 2015 s.68), and no period may be zero or negative; Django
refuses to start otherwise (``manage.py check`` says why).
"""

from datetime import timedelta

from django.conf import settings
from django.core import checks

# Six years, leap days included.
SIX_YEARS = timedelta(days=6 * 365 + 2)
PERIODS = (
    "RETENTION_PROCUREMENT_RECORDS",
    "RETENTION_UNFUNDED_APPLICATIONS",
    "RETENTION_DRAFTS",
    "RETENTION_MAIL_BODIES",
    "RETENTION_INACTIVE_ACCOUNTS",
    "RETENTION_INACTIVE_WARNING",
    "RETENTION_SIGN_IN_RECORDS",
)


@checks.register()
def retention_periods_lawful(app_configs=None, **kwargs):
    errors = []
    for name in PERIODS:
        if getattr(settings, name) <= timedelta(0):
            errors.append(
                checks.Error(
                    f"{name} is {getattr(settings, name).days} days: a period must be positive.",
                    hint=f"Set {name}_DAYS to a number of days above zero (docs/retention.md).",
                    id="privacy.E001",
                )
            )
    if settings.RETENTION_PROCUREMENT_RECORDS < SIX_YEARS:
        errors.append(
            checks.Error(
                f"RETENTION_PROCUREMENT_RECORDS is "
                f"{settings.RETENTION_PROCUREMENT_RECORDS.days} days, under the six years "
                "the Public Procurement and Asset Disposal Act 2015 (s.68) requires.",
                hint=f"Set RETENTION_PROCUREMENT_RECORDS_DAYS to {SIX_YEARS.days} or more.",
                id="privacy.E002",
            )
        )
    return errors
