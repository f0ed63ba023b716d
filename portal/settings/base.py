"""Zabuni settings: the environment, apps, middleware, templates and database.

Everything comes from the environment, starting with ``DJANGO_ENV``, which
must be set: a process started without it refuses to start, rather than
quietly running with laptop defaults. ``DJANGO_ENV=development`` (what
``make run`` sets) or ``test`` (``make test``) runs on a laptop: SQLite in
``var/``, public media in ``var/media/``, private files in ``var/private/``
and Celery on kombu's filesystem transport, which needs no server.
``DJANGO_ENV=production`` removes every unsafe default: a missing
``SECRET_KEY`` or ``ALLOWED_HOSTS`` stops start-up.

The other modules of this package each hold one part (accounts, language,
files, services, site) and read what they need from here.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ZABUNI_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="")
if DJANGO_ENV not in ("production", "development", "test"):
    raise ImproperlyConfigured(
        "Set DJANGO_ENV to production, development or test (it is "
        f"{DJANGO_ENV or 'not set'}). Zabuni does not guess: without it, a server could "
        "start with DEBUG on, a known secret key, SQLite and mail printed to the console. "
        "`make run` and `make test` set it for you."
    )
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="insecure-laptop-only-key-zabuni-not-for-production"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    DEBUG = env.bool("DEBUG", default=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# The portal's own apps, top layer first (docs/architecture.md).
PORTAL_APPS = [
    "portal",
    "privacy",
    "reviews",
    "applications",
    "tenders",
    "news",
    "accounts",
    "notifications",
    "core",
]
INSTALLED_APPS = [
    # runserver (`make run`) serves static files through WhiteNoise too: compressed
    # and cached as in production.
    "whitenoise.runserver_nostatic",
    *PORTAL_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    # Two-factor sign-in: TOTP and single-use recovery codes (django-otp), with
    # django-two-factor-auth's sign-in wizard and setup pages (accounts.second_factor).
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.webauthn",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # Outermost, so it counts every answer, cached pages and redirects too (portal/metrics.py).
    "portal.metrics.RequestCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, cached pages too (portal/settings/security.py).
    "portal.csp.PolicyByPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out gzipped (a call page: 11 KB → under 3 KB). Django pads each
    # compressed response with random bytes against BREACH, and CSRF tokens are
    # masked per response; static files never get here (WhiteNoise serves them,
    # compressed ahead of time).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous visitors' public pages, from the cache (core/page_cache.py).
    "core.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's saved language wins over the browser's.
    "accounts.languages.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff and panel sessions end when idle or old; applicants' last two weeks.
    "accounts.session_limits.SessionLimitMiddleware",
    # Staff, panels and committees reach nothing until their second factor is verified.
    "accounts.second_factor.SecondFactorRequiredMiddleware",
    # Granting staff rights (admin users and groups) needs a recent re-authentication.
    "accounts.reauth.RecentAuthenticationMiddleware",
    "tenders.middleware.TermsFrozenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW's 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site-wide templates (the base page and its header and footer, error
        # pages, shared includes and blocks, the e-mail layout); each app keeps its own.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.organisation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
if PRODUCTION:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zabuni.sqlite3'}")
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default holds a rush: readers never wait for the writer
    # (WAL), a writer waits up to 20 s for another (busy timeout), and every
    # transaction takes the write lock at BEGIN (IMMEDIATE), so two of them
    # never deadlock upgrading read locks into "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
