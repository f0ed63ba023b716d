"""One line per kind of cache failure a minute.

django-redis ignores a cache error (the cache is a help, never a dependency) and
logs it with a full traceback, once per cache call: a Redis outage would flood
the log with dozens of lines per request. ``OncePerMinute``, a filter on the
``portal.cache`` logger (settings ``LOGGING``), lets through the first failure
of each kind (the exception's class) in a minute, as one line, and counts the
rest; the next line of that kind says how many were left out.
"""

import logging
import threading
import time
from collections.abc import Callable


def _root_cause(error: BaseException) -> BaseException:
    """django-redis wraps the client's error in ConnectionInterrupted: name the client's."""
    seen = set()
    while error.__cause__ is not None and id(error) not in seen:
        seen.add(id(error))
        error = error.__cause__
    return error


class OncePerMinute(logging.Filter):
    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._kinds: dict[str, tuple[float, int]] = {}  # kind -> (shown at, left out since)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        cause = _root_cause(error) if error is not None else None
        kind = (
            f"{type(cause).__module__}.{type(cause).__qualname__}"
            if cause is not None
            else str(record.msg)
        )
        now = self.clock()
        with self._lock:
            shown_at, left_out = self._kinds.get(kind, (None, 0))
            if shown_at is not None and now - shown_at < self.seconds:
                self._kinds[kind] = (shown_at, left_out + 1)
                return False
            self._kinds[kind] = (now, 0)
        line = record.getMessage()
        if cause is not None:
            detail = " ".join(str(cause).split())
            line = f"{line}: {type(cause).__name__}: {detail}" if detail else f"{line}: {kind}"
        if left_out:
            line += f" ({left_out} more of this kind in the last {self.seconds:g} s left out)"
        record.msg, record.args = line, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
