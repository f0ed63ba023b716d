"""Services: the cache (and the page cache on it), Celery, and mail."""

from portal.settings.base import DJANGO_ENV, PRODUCTION, VAR_DIR, env

# --- Cache and Celery ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Public pages for anonymous visitors, from the cache (core/page_cache.py): no
# entry outlives a call's next change of state, and any publish starts afresh.
# The cache must be shared by every process serving pages: Redis, or the single
# process of `make run`. Without Redis in production, it is off. Under `make test`
# it is off too, except in the tests of the cache itself (tests/core/test_page_cache*.py):
# other tests change rows directly, which no visitor can do.
PAGE_CACHE = env.bool(
    "PAGE_CACHE",
    default=DJANGO_ENV == "development" or (PRODUCTION and bool(REDIS_URL)),
)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# The most pages kept per content version (each lives at most PAGE_CACHE_SECONDS):
# a bound that holds even if a page answered a made-up URL with a 200.
PAGE_CACHE_MAX_ENTRIES = env.int("PAGE_CACHE_MAX_ENTRIES", default=5000)
# The pages and fragments live in their own cache ("pages"), under their own key
# prefix, every entry with a time to live. PAGE_CACHE_URL may point it at another
# Redis database or server; a Redis shared with the Celery broker must run with
# `maxmemory-policy volatile-lru` (or volatile-ttl), so that memory pressure
# evicts cache entries (which all expire) and never the broker's queues.
PAGE_CACHE_URL = env.str("PAGE_CACHE_URL", default=REDIS_URL)
if REDIS_URL:
    # The cache is a help, never a dependency: with Redis down or hung, a read
    # is a miss and a write is skipped, each within half a second, and logged
    # (one line per kind of failure a minute: core.cache_log).
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
    CACHES["pages"] = {
        **CACHES["default"],
        "LOCATION": PAGE_CACHE_URL,
        "KEY_PREFIX": "pages",
        "TIMEOUT": PAGE_CACHE_SECONDS,
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "portal.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "TIMEOUT": PAGE_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_MAX_ENTRIES},
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
CELERY_TASK_ROUTES = {
    "reviews.tasks.build_scoring_sheet": {"queue": "heavy"},
    "applications.tasks.make_clean_copies": {"queue": "heavy"},
    "privacy.tasks.build_data_copy": {"queue": "heavy"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "close-due-calls": {"task": "tenders.tasks.close_due_calls", "schedule": 60.0},
    # Editors' go-live and expiry dates (Wagtail's scheduled publishing).
    "publish-scheduled-pages": {
        "task": "tenders.tasks.publish_scheduled_pages",
        "schedule": 60.0,
    },
    "hand-over-due-panels": {"task": "reviews.tasks.hand_over_due_panels", "schedule": 60.0},
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "remind-reviewers": {"task": "reviews.tasks.remind_reviewers", "schedule": 600.0},
    "fail-stuck-sheets": {"task": "reviews.tasks.fail_stuck_sheets", "schedule": 300.0},
    "chain-audit-trail": {"task": "applications.tasks.chain_audit_trail", "schedule": 60.0},
    # Hourly, but one mail a day per member (the outbox's dedupe key): a beat that was
    # down at the usual hour still sends that day's checkpoint.
    "mail-audit-checkpoint": {
        "task": "applications.tasks.mail_audit_checkpoint",
        "schedule": 3600.0,
    },
    "sweep-partial-uploads": {
        "task": "applications.tasks.sweep_partial_uploads",
        "schedule": 3600.0,
    },
    # The retention policy (docs/retention.md), daily; each rule acts only on
    # what is past its period, so a run missed is caught up by the next.
    "apply-retention": {"task": "privacy.tasks.apply_retention", "schedule": 86400.0},
    # Beat's heartbeat, for the metrics' zabuni_beat_last_run_seconds (portal.tasks);
    # one left unrun for a minute is dropped, so a backlog never looks like a live beat.
    "beat-heartbeat": {
        "task": "portal.tasks.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 60.0},
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
