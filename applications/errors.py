"""The one kind of refusal an applicant or staff member sees as a message."""


class Refused(Exception):
    """An action refused with a message the person can act on. Nothing was saved.

    ``status_code`` is the HTTP status the views answer with: always a 4xx.
    """

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
