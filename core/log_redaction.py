"""Keeping e-mail addresses out of the logs (issue 24).

The portal's own log lines name people by id (user, submission, file, outbox
message), never by address, name or file name. Some text comes from elsewhere,
though: an SMTP relay's refusal echoes the recipient ("550 5.1.1 <a@b.org>: no
such user"), and a library's error line may name the address it failed on.
``without_addresses`` blanks anything shaped like an address in such text, and
``NoAddresses``, a filter set on a library's logger in settings ``LOGGING``, does
the same to that logger's lines. Nothing here imports Django: the logging
configuration loads it before the apps are ready.
"""

import logging
import re

# The shape notifications.models.EMAIL_LIKE blanks on the staff's screen.
EMAIL_LIKE = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
HIDDEN = "[address hidden]"


def without_addresses(text: object) -> str:
    return EMAIL_LIKE.sub(HIDDEN, str(text))


class NoAddresses(logging.Filter):
    """Rewrites a record's message, and its traceback if any, without addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = without_addresses(record.getMessage()), None
        if record.exc_info:
            record.exc_text = without_addresses(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        return True
