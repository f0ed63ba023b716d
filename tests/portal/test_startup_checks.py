"""Rules other apps must register, and tasks settings name, are checked at start-up.

``reviews`` tells the seal who evaluates and tells the sign-in who needs a second
factor (``reviews.permissions.register``). Without it, "sits on the panel" answers
no everywhere, the committee's independence rule passes vacuously and panel members
sign in with a password alone: start-up must refuse that, not run quietly.
"""

import pytest
from django.conf import settings
from django.core import checks

from accounts import second_factor
from applications import permissions


def _errors():
    return [m for m in checks.run_checks() if m.level >= checks.ERROR]


def test_start_up_passes_with_every_app_registered():
    assert not _errors()


def test_start_up_fails_without_the_evaluators_rules(monkeypatch):
    monkeypatch.setattr(permissions, "_evaluator_rules", {})

    ids = [m.id for m in _errors()]

    assert "applications.E001" in ids


def test_start_up_fails_without_the_panels_second_factor_rule(monkeypatch):
    monkeypatch.setattr(second_factor, "evaluator_checks", [])

    ids = [m.id for m in _errors()]

    assert "applications.E002" in ids


def _scheduled_task_names():
    names = set(settings.CELERY_TASK_ROUTES)
    names |= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    return names


def test_every_task_named_in_routes_and_the_beat_schedule_is_registered():
    from portal.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    names = _scheduled_task_names()

    assert names, "the settings name no task at all"
    assert sorted(names - registered) == []


@pytest.mark.parametrize("name", ["reviews.tasks.no_such_task", "tenders.tasks.close_due_call"])
def test_a_misspelt_task_name_is_caught(name, settings):
    """The test above can fail: a name nobody registered is found."""
    from portal.celery import app

    app.loader.import_default_modules()
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "typo": {"task": name, "schedule": 60.0},
    }
    assert name in _scheduled_task_names() - set(app.tasks)
