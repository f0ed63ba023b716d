"""Start-up checks: the rules an app above must register are registered.

The seal asks "who evaluates?" of rules registered by the app above
(``register_evaluator_rules``), and the sign-in asks "who needs a second factor?"
of ``accounts.second_factor.evaluator_checks``. If nobody registered them, both
would answer "no one" quietly: panel members would read nothing, the committee's
independence rule would pass vacuously, and reviewers would sign in with a
password alone. Django refuses to start instead.
"""

from django.core import checks


@checks.register()
def evaluator_rules_registered(app_configs=None, **kwargs):
    from accounts import second_factor
    from applications import permissions

    errors = []
    if not permissions._evaluator_rules:
        errors.append(
            checks.Error(
                "No evaluator rules are registered with the seal.",
                hint="The app that runs panels (reviews) must call "
                "applications.permissions.register_evaluator_rules in its AppConfig.ready().",
                id="applications.E001",
            )
        )
    if not second_factor.evaluator_checks:
        errors.append(
            checks.Error(
                "No rule says which evaluators need a second factor.",
                hint="The app that runs panels (reviews) must add its check to "
                "accounts.second_factor.evaluator_checks in its AppConfig.ready().",
                id="applications.E002",
            )
        )
    return errors


# Keys anyone can read (the laptop default, the example file): never a server's.
KNOWN_STORAGE_KEYS = {
    "bGFwdG9wLW9ubHktYmlkLXN0b3JhZ2Uta2V5LXphYnU=",
    "ZXhhbXBsZS1vbmx5LW5vdC1zZWNyZXQtY2hhbmdlLW1l",
}


@checks.register()
def bid_storage_key(app_configs=None, **kwargs):
    """``BID_STORAGE_KEY`` reads as at least 32 bytes, and in production is not a key
    published in this repository (issue 23)."""
    import base64
    import binascii

    from django.conf import settings

    value = settings.BID_STORAGE_KEY
    try:
        length = len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        length = 0
    errors = []
    if length < 32:
        errors.append(
            checks.Error(
                "BID_STORAGE_KEY is not at least 32 bytes in base64.",
                hint="Make one with: openssl rand -base64 32 (docs/security.md).",
                id="applications.E003",
            )
        )
    if getattr(settings, "PRODUCTION", False) and value in KNOWN_STORAGE_KEYS:
        errors.append(
            checks.Error(
                "BID_STORAGE_KEY is a key published in the repository.",
                hint="Make one with: openssl rand -base64 32 (docs/security.md).",
                id="applications.E004",
            )
        )
    return errors
