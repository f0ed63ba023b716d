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
