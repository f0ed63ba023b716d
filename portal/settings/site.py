"""The site: Wagtail, the second factor, security headers and sessions, logging."""

import ipaddress
from datetime import timedelta

from portal.settings.base import PRODUCTION, env
from portal.settings.language import ORGANISATION_NAME

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
WAGTAIL_FRONTEND_LOGIN_URL = "accounts:login"
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
# Load balancers' probes and Prometheus often speak plain HTTP inside the network:
# they are answered, not redirected to https (portal.health, portal.metrics).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Who may read /metrics (addresses or networks, separated by commas); anyone else gets
# a 404. The client is found as for the audit trail (TRUSTED_PROXIES). Checked here,
# so a mistyped address stops start-up rather than every scrape.
METRICS_ALLOWED_IPS = [
    str(ipaddress.ip_network(address, strict=False))
    for address in env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
]
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
    "filters": {
        # A cache outage: one line per kind of failure a minute, not a traceback per call.
        "cache_errors_once_a_minute": {"()": "core.cache_log.OncePerMinute"},
        "no_addresses": {"()": "core.log_redaction.NoAddresses"},
    },
    # Log lines name people by id, never by address, name or file name (issue 24;
    # tests/core/test_logs_name_nobody.py). Axes's lines: AXES_SENSITIVE_PARAMETERS.
    "loggers": {
        "portal.cache": {"filters": ["cache_errors_once_a_minute"]},
        # Wagtail's moderation mail goes round the outbox, and its failure line
        # names the recipient's address.
        "wagtail.admin": {"filters": ["no_addresses"]},
        # Never DEBUG: with DEBUG on it logs every query with its parameters.
        "django.db.backends": {"level": "INFO"},
        # Wagtail runs its search-index and reference-index updates as django
        # tasks; each logs two lines per page save.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # pikepdf (reviewers' clean copies) says it started, at INFO, on every import.
        "pikepdf": {"level": "WARNING"},
    },
}
