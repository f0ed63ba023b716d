"""Zabuni settings.

Everything comes from the environment, starting with ``DJANGO_ENV``, which
must be set: a process started without it refuses to start, rather than
quietly running with laptop defaults. ``DJANGO_ENV=development`` (what
``make run`` sets) or ``test`` (``make test``) runs on a laptop: SQLite in
``var/``, public media in ``var/media/``, private files in ``var/private/``
and Celery on kombu's filesystem transport, which needs no server.
``DJANGO_ENV=production`` removes every unsafe default: a missing
``SECRET_KEY`` or ``ALLOWED_HOSTS`` stops start-up.
"""

from datetime import timedelta
from pathlib import Path

import environ
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from django.core.exceptions import ImproperlyConfigured

from portal.languages import offered_languages

BASE_DIR = Path(__file__).resolve().parent.parent
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

INSTALLED_APPS = [
    # runserver (`make run`) serves static files through WhiteNoise too: compressed
    # and cached as in production.
    "whitenoise.runserver_nostatic",
    # The portal's apps, top layer first (docs/architecture.md).
    "portal",
    "reviews",
    "applications",
    "tenders",
    "news",
    "accounts",
    "notifications",
    "core",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
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
    "django.middleware.security.SecurityMiddleware",
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
        "DIRS": [],
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

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # ASVS 2.1.1: at least 12 characters.
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Brute force (ASVS 2.2.1). django-axes counts failed sign-ins in the database,
# on the portal's form and the admin's alike (both call authenticate()). An
# account is locked for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures
# (10 per 15 minutes: at most 40 an hour, under ASVS's 100), then released.
# Beside it, each client address may POST the sign-in form LOGIN_RATE times
# (django-ratelimit, 429), so one attacker's address cannot keep an account
# locked. Usernames are emails, counted case-insensitively.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttles.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# axes.W006 asks for the address among the lockout parameters; here the address is
# throttled by django-ratelimit instead (LOGIN_RATE), so that many people behind one
# carrier-grade NAT are not locked out together.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# django-ratelimit: each limited view answers 429 with portal.views.rate_limited.
# With the cache (Redis) down, limits are not counted rather than refusing
# everyone (the lockout above lives in the database and still holds).
RATELIMIT_VIEW = "portal.views.rate_limited"
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
LOGIN_RATE = env.str("LOGIN_RATE", default="20/15m")
REGISTRATION_RATE = env.str("REGISTRATION_RATE", default="10/h")
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="5/h")
VERIFICATION_RESEND_RATE = env.str("VERIFICATION_RESEND_RATE", default="5/h")
CLARIFICATION_RATE = env.str("CLARIFICATION_RATE", default="10/h")
LOGIN_REDIRECT_URL = "applications:dashboard"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Opening financial envelopes, sending outcome notices and granting staff rights
# need the password and second factor within this window (accounts.reauth).
REAUTHENTICATION_WINDOW = timedelta(minutes=env.int("REAUTHENTICATION_MINUTES", default=10))
# A confirmation link's lifetime (accounts.tokens: its own generator).
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=60 * 60 * 24)

# --- Language and time ---------------------------------------------------
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Each language by its own name (the switcher shows "Kiswahili" to everyone). A
# language is offered only when its catalogue is complete (portal/languages.py):
# all Swahili or all English, never a mix.
LANGUAGES = offered_languages(LOCALE_PATHS[0], [("en", "English"), ("sw", "Kiswahili")])
# Numbers and dates for each language (portal/formats/<code>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
# The organisation's zone: every deadline is stored in UTC and shown here.
TIME_ZONE = env.str("ORGANISATION_TIME_ZONE", default="Africa/Nairobi")

# After a call's deadline, bids received before it may still be being recorded
# (files stored, rows written). The call can be opened only once this grace has
# run out: keep it at least as long as the web server's request timeout.
OPENING_GRACE_SECONDS = env.int("OPENING_GRACE_SECONDS", default=120)
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client
# in the audit trail. Empty: the header is ignored (core.client_ip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# The opening committee (applications.models.opening): its smallest size, how
# many members must confirm before a call opens, and for how long after the
# deadline confirmations are taken.
OPENING_COMMITTEE_MIN_MEMBERS = env.int("OPENING_COMMITTEE_MIN_MEMBERS", default=3)
OPENING_QUORUM = env.int("OPENING_QUORUM", default=3)
OPENING_CONFIRMATION_WINDOW_HOURS = env.int("OPENING_CONFIRMATION_WINDOW_HOURS", default=72)
# A published call's deadline never moves to less than this many days after the
# change; once it has passed it never moves at all (tenders.freeze).
CALL_EXTENSION_NOTICE_DAYS = env.int("CALL_EXTENSION_NOTICE_DAYS", default=3)

ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Defenders Coalition")
ORGANISATION_REFERENCE_PREFIX = env.str("ORGANISATION_REFERENCE_PREFIX", default="DC")

# --- Files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# Files arriving a piece at a time wait here, outside MEDIA_ROOT, until whole
# (applications.services.resumable); then they go to private storage like any other.
PARTIAL_UPLOAD_ROOT = Path(
    env.str("PARTIAL_UPLOAD_ROOT", default=str(VAR_DIR / "partial-uploads"))
)
# The largest piece of a resumable upload; a dropped connection costs at most this.
UPLOAD_PIECE_BYTES = 1024 * 1024

# Uploads stream to a temporary file on disk, never into memory, whatever
# their size. A request larger than this is refused before it is read.
FILE_UPLOAD_HANDLERS = ["core.uploadhandler.BoundedNameTemporaryFileUploadHandler"]
MAX_UPLOAD_REQUEST_MB = env.int("MAX_UPLOAD_REQUEST_MB", default=250)
# A ZIP-based upload (DOCX, XLSX, ODT, ODS, ZIP) that would expand past this when
# opened is refused as a possible decompression bomb (applications/archives.py).
ARCHIVE_MAX_UNCOMPRESSED_MB = env.int("ARCHIVE_MAX_UNCOMPRESSED_MB", default=250)

# Private files: S3 when a bucket is configured, otherwise a folder outside
# MEDIA_ROOT. Neither ever yields a public URL (see core/storage.py).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")


def _upload_transfer_config() -> TransferConfig:
    """Uploads to S3 in 5 MB parts (S3's smallest), two at a time and two in memory
    at most, so a large proposal costs a worker about 10 MB for the parts
    (bench/bench_upload.py --storage s3)."""
    config = TransferConfig(
        multipart_threshold=5 * 1024 * 1024,
        multipart_chunksize=5 * 1024 * 1024,
        max_concurrency=2,
    )
    # s3transfer's own setting; boto3's TransferConfig does not take it as an argument.
    config.max_in_memory_upload_chunks = 2
    return config


if AWS_STORAGE_BUCKET_NAME:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            # Fail fast on a dead endpoint: the applicant gets a clear message.
            "client_config": BotoConfig(
                connect_timeout=5, read_timeout=60, retries={"max_attempts": 3}
            ),
            # boto's default holds up to 10 parts of 8 MB in memory: a 100 MB
            # proposal raised a worker by 124 MB. See _upload_transfer_config.
            "transfer_config": _upload_transfer_config(),
        },
    }
elif PRODUCTION:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env.str("PRIVATE_ROOT")},
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT)},
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            # Hashed names (cached for a year) and gzip/Brotli copies, made by
            # collectstatic: in production and in `make run`. The tests read the
            # source folder as it is, without collectstatic.
            "core.storage.StaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=DJANGO_ENV != "test")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# WhiteNoise serves what collectstatic wrote (hashed, compressed), not the source
# folder, wherever the manifest is on: so `make run` serves what production does.
WHITENOISE_USE_FINDERS = not env.bool("STATIC_MANIFEST", default=DJANGO_ENV != "test")
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS and DEBUG

# --- Cache and Celery ----------------------------------------------------
# Public pages for anonymous visitors, from the cache (core/page_cache.py): no
# entry outlives a call's next change of state, and any publish starts afresh.
# The cache must be shared by every process serving pages: Redis, or the single
# process of `make run`. Without Redis in production, it is off. Under `make test`
# it is off too, except in the tests of the cache itself (tests/core/test_page_cache.py):
# other tests change rows directly, which no visitor can do.
PAGE_CACHE = env.bool(
    "PAGE_CACHE",
    default=DJANGO_ENV == "development" or (PRODUCTION and bool(env.str("REDIS_URL", default=""))),
)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # The cache is a help, never a dependency: with Redis down or hung, a read
    # is a miss and a write is skipped, each within half a second, and logged.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    # The limits' counters, under their own prefix (tests clear them between tests).
    CACHES["ratelimit"] = {**CACHES["default"], "KEY_PREFIX": "ratelimit"}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "portal.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
        },
    }

CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a real broker in a folder, no server.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A dead broker must not hang a web request: publishing gives up within
    # about a second, and the outbox sweep delivers later. A task a dead worker
    # held comes back after the visibility timeout, which outlasts the longest
    # task (its hard time limit), so a running task is never handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
        # kombu retries a failed connect with sleeps of 2 s and more before a
        # publish gives up: once, at once, and within a second in all.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0,
        "connect_retries_timeout": 1,
        "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
        # How often a worker looks for tasks a dead worker held (every look,
        # not every tenth, so the period is this many seconds).
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=30),
        "unacked_restore_throttle": 1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# A task is acknowledged when it ends, and given back to the broker if its
# worker process dies (killed, out of memory), so another worker runs it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# A scoring sheet unfinished this long after it was asked for has no task left
# (its redelivery, after the visibility timeout, would have run within a time
# limit): beat marks it failed.
SHEET_STUCK_AFTER_SECONDS = 3 * CELERY_TASK_TIME_LIMIT
# Heavy work (scoring sheets) runs on its own queue, so mail is never stuck behind it.
CELERY_TASK_ROUTES = {"reviews.tasks.build_scoring_sheet": {"queue": "heavy"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "close-due-calls": {"task": "tenders.tasks.close_due_calls", "schedule": 60.0},
    "hand-over-due-panels": {"task": "reviews.tasks.hand_over_due_panels", "schedule": 60.0},
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "remind-reviewers": {"task": "reviews.tasks.remind_reviewers", "schedule": 600.0},
    "fail-stuck-sheets": {"task": "reviews.tasks.fail_stuck_sheets", "schedule": 300.0},
    "chain-audit-trail": {"task": "applications.tasks.chain_audit_trail", "schedule": 60.0},
    "sweep-partial-uploads": {
        "task": "applications.tasks.sweep_partial_uploads",
        "schedule": 3600.0,
    },
}

# --- Mail ----------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# How long undelivered mail is retried (backoff capped at an hour) before it is
# marked failed and shown to staff under Notifications.
OUTBOX_RETRY_HOURS = env.int("OUTBOX_RETRY_HOURS", default=72)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Zabuni <no-reply@zabuni.local>")

# --- Wagtail -------------------------------------------------------------
# The admin carries the organisation's name, not the software's.
WAGTAIL_SITE_NAME = ORGANISATION_NAME
# Wagtail has no Swahili: its admin stays in English for everyone, rather than
# mixing our Swahili labels into Wagtail's English (portal/languages.py).
WAGTAILADMIN_PERMITTED_LANGUAGES = [("en", "English")]
# No avatar from Gravatar: it would send a hash of each staff member's address to
# a third party on every admin page (and no page requests another origin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the dashboard ask releases.wagtail.org for the latest version
# (tests/portal/test_browser_same_origin.py caught it); upgrades are ours to watch.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The admin sends people to the portal's sign-in (portal.urls: one door for both).
WAGTAILADMIN_LOGIN_URL = "accounts:login"
# The issuer shown in authenticator apps beside the account's address.
TWO_FACTOR_ISSUER = env.str("TWO_FACTOR_ISSUER", default="Zabuni")
TWO_FACTOR_QR_FACTORY = "qrcode.image.svg.SvgPathImage"
OTP_TOTP_ISSUER = TWO_FACTOR_ISSUER
# After each wrong code the next must wait twice as long (1 s, 2 s, 4 s, ...): ten
# wrong codes in a row pause codes for 8.5 minutes. django-otp's default, kept.
OTP_TOTP_THROTTLE_FACTOR = 1
# Security keys and passkeys (WebAuthn), the other second factor. The relying
# party is the host the portal is served on; browsers refuse an IP address, so
# use http://localhost:8000 rather than 127.0.0.1 to try them on `make run`.
TWO_FACTOR_WEBAUTHN_RP_NAME = ORGANISATION_NAME
TWO_FACTOR_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="") or None
TWO_FACTOR_WEBAUTHN_UV_REQUIREMENT = "preferred"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_I18N_ENABLED = False

# --- Security ------------------------------------------------------------
# Sessions live in the database, never in the cache: Redis going down signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Applicants stay signed in two weeks with activity; staff and panels are
# signed out after 30 minutes idle or 12 hours in all (accounts.session_limits).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
STAFF_SESSION_IDLE = timedelta(minutes=env.int("STAFF_SESSION_IDLE_MINUTES", default=30))
STAFF_SESSION_MAX = timedelta(hours=env.int("STAFF_SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Wagtail marks its own preview views SAMEORIGIN; everything else is never framed.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail runs its search-index and reference-index updates as django
        # tasks; each logs two lines per page save.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
