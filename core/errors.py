"""The refusals a person sees as a message. One family, for every app.

Views catch ``Refused`` and answer with its ``status_code`` (always a 4xx)
and its message. A subclass exists only where a caller, or a test, must tell
one refusal from another.
"""


class Refused(Exception):
    """An action refused with a message the person can act on. Nothing was saved.

    A bad upload, a missing document or an amount out of range: the person can
    fix it and try again (400).
    """

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(Refused):
    """This person may not do this, to this, now (403)."""

    status_code = 403


class DeadlinePassed(NotAllowed):
    """The call's deadline has passed: nothing after it is accepted (403)."""


class StorageUnavailable(Refused):
    """Private storage could not be reached. Nothing was kept; the person can retry.

    424 Failed Dependency: the request was fine, the storage behind it was not.
    """

    status_code = 424
