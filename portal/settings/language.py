"""Language, time, the organisation, and the rules of openings and deadlines."""

from datetime import timedelta

from portal.languages import offered_languages
from portal.settings.base import BASE_DIR, env

# --- Language and time ---------------------------------------------------
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Each language by its own name (the switcher shows "Kiswahili" to everyone). A
# language is offered only when its catalogue is complete (portal/languages.py):
# all Swahili or all English, never a mix.
LANGUAGES = offered_languages(LOCALE_PATHS[0], [("en", "English"), ("sw", "Kiswahili")])
# Editors publish a Swahili version of a call or an article with Wagtail's own
# localisation (wagtail.contrib.simple_translation). The English page stays the
# call: its URL, dates, bids and panels; a live translation supplies the text
# shown to a reader of that language (core.page_text, tenders.routing).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
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
# A trusted proxy's X-Request-Start (when the body had fully arrived, core.receipt) is
# believed only this close to the database's clock: up to this long before it, as long
# as the proxy waits for an answer (proxy_read_timeout, deploy/nginx.conf), since in a
# rush a request can wait that long for a worker (bench_rush.py --proxy saw 10 s on a
# busy machine); only a trusted proxy sets it, so this guards against a wrong clock ...
RECEIPT_HEADER_MAX_AGE = timedelta(seconds=env.int("RECEIPT_HEADER_MAX_AGE_SECONDS", default=120))
# ... and at most this far ahead of it (the proxy's clock and the database's disagree).
RECEIPT_HEADER_MAX_AHEAD = timedelta(seconds=1)
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
