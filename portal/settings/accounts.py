"""Accounts: the user model, passwords, sign-in lockouts and rate limits, sessions' reach."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import DJANGO_ENV, env

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
# Axes's line for each failed and successful sign-in would name the username (here
# the person's email address) and the client's IP address: both are masked (issue
# 24). Axes 8's default, stated so that neither an upgrade nor a tidy-up brings them
# back; which account it was is in its table (AccessAttempt), not in the log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
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
# "Download my data", per account: each builds a ZIP of everything (and a large one is
# stored for a day and mailed), so one account cannot fill the disk or the outbox.
DATA_COPY_RATE = env.str("DATA_COPY_RATE", default="5/h")
LOGIN_REDIRECT_URL = "applications:dashboard"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Opening financial envelopes, sending outcome notices and granting staff rights
# need the password and second factor within this window (accounts.reauth).
REAUTHENTICATION_WINDOW = timedelta(minutes=env.int("REAUTHENTICATION_MINUTES", default=10))
# Argon2id's cost for opening keys' passphrases (accounts.opening_keys): "moderate"
# (256 MiB, about a second) wherever bids are real; the tests take "interactive".
OPENING_KEY_STRENGTH = env.str(
    "OPENING_KEY_STRENGTH", default="interactive" if DJANGO_ENV == "test" else "moderate"
)
if OPENING_KEY_STRENGTH not in ("moderate", "interactive"):
    raise ImproperlyConfigured("OPENING_KEY_STRENGTH is moderate or interactive.")
# A confirmation link's lifetime (accounts.tokens: its own generator).
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=60 * 60 * 24)

# Told of every change to an opening committee, whoever makes it (issue 23); empty: nobody
# beyond the members concerned.
OPENING_OVERSIGHT_EMAIL = env.str("OPENING_OVERSIGHT_EMAIL", default="")
