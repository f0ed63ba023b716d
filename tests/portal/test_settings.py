"""Production settings: no unsafe default, and nothing for `check --deploy` to flag."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import storages

from core.storage import PublicURLRefused

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "PRIVATE_ROOT")
# Variables from the developer's or CI's shell that would change the outcome.
INHERITED = (
    *PRODUCTION_VARIABLES,
    "DJANGO_ENV",
    "DEBUG",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    # Set by the browser fixture for Playwright; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


@pytest.fixture
def production_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="portal.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        BID_STORAGE_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="calls.example.org",
        DATABASE_URL="postgres://zabuni@db.example.org:5432/zabuni",
        PRIVATE_ROOT=str(tmp_path / "private"),
        ZABUNI_VAR_DIR=str(tmp_path / "var"),
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("variable", PRODUCTION_VARIABLES)
def test_production_refuses_to_start_without(production_env, variable):
    del production_env[variable]

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_starts_with_its_variables(production_env):
    result = manage(production_env, "check")
    assert result.returncode == 0, result.stderr


def test_production_passes_the_deployment_checks(production_env):
    result = manage(production_env, "check", "--deploy")
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "System check identified no issues" in output, output


def test_production_turns_debug_off_even_if_asked(production_env):
    production_env["DEBUG"] = "true"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['calls.example.org']", "True"]


def test_private_storage_never_gives_a_public_url():
    private = storages["private"]

    with pytest.raises(PublicURLRefused):
        private.url("proposals/technical.pdf")


def _laptop_env(tmp_path) -> dict:
    """The environment of `make run`: DJANGO_ENV=development, nothing else set but
    where ``var/`` lives."""
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.pop("PRIVATE_ROOT", None)
    env.pop("MEDIA_ROOT", None)
    env.update(
        DJANGO_ENV="development",
        DJANGO_SETTINGS_MODULE="portal.settings",
        ZABUNI_VAR_DIR=str(tmp_path / "var"),
    )
    return env


@pytest.mark.parametrize("environment", ["laptop", "production"])
def test_private_storage_is_not_under_media_root(production_env, tmp_path, environment):
    """Read from a fresh process, not from this one: the test fixtures move the
    private folder into a temporary directory, so only the real settings tell."""
    env = production_env if environment == "production" else _laptop_env(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from django.core.files.storage import storages; "
            "private = storages['private']; "
            "print(type(private).__name__); print(private.location); print(settings.MEDIA_ROOT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    backend, private, media = result.stdout.split("\n")[:3]
    assert backend == "PrivateFileSystemStorage"
    assert not Path(private).resolve().is_relative_to(Path(media).resolve())
    assert Path(private).resolve().is_relative_to(tmp_path)


@pytest.mark.parametrize("value", [None, "", "prod", "staging"])
def test_nothing_starts_without_a_known_django_env(production_env, value):
    if value is None:
        del production_env["DJANGO_ENV"]
    else:
        production_env["DJANGO_ENV"] = value

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set DJANGO_ENV to production, development or test" in (
        result.stderr
    )


def test_passwords_need_twelve_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Kq7#vLm2x9!")  # 11 characters, otherwise strong
    validate_password("Kq7#vLm2x9!w")


def test_the_admin_asks_no_third_party_for_avatars(settings):
    from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

    from tests.factories import StaffFactory

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert "gravatar" not in avatar_url(StaffFactory.build(email="staff@example.org"))
