"""The seal matrix's machinery, for ``test_seal_matrix.py``: the rows (every URL
pattern that can reach a submission, read from the URL configuration:
``routes``), the columns (the people around a bid and the phases of a call:
``columns``), the expected access in each cell and what it is tried with
(``cells``), the world the cells are checked in (``world``), and the check of
one cell, for GET (``checks``) and POST (``posts``).
"""

from tests.applications.seal_matrix.cells import (
    FILLERS,
    NO_CONTENT_ROUTES,
    STAFF_NO_CONTENT_ROUTES,
    targets,
)
from tests.applications.seal_matrix.checks import check_cell
from tests.applications.seal_matrix.columns import (
    AFTER_DEADLINE,
    AFTER_FINANCIAL,
    AFTER_LOCK,
    AFTER_MOVE_ATTEMPT,
    AFTER_OPENING,
    ANSWER,
    ANSWER_PENDING,
    BEFORE_DEADLINE,
    CLIENT_IP,
    FINANCIAL,
    OFFER,
    OFFER_SHOWN,
    PHASES,
    ROLES,
    TECHNICAL,
)
from tests.applications.seal_matrix.posts import check_post_cell
from tests.applications.seal_matrix.routes import ROUTES
from tests.applications.seal_matrix.world import World

__all__ = [
    "ANSWER",
    "ANSWER_PENDING",
    "AFTER_DEADLINE",
    "AFTER_FINANCIAL",
    "AFTER_LOCK",
    "AFTER_MOVE_ATTEMPT",
    "AFTER_OPENING",
    "BEFORE_DEADLINE",
    "CLIENT_IP",
    "FILLERS",
    "FINANCIAL",
    "NO_CONTENT_ROUTES",
    "OFFER",
    "OFFER_SHOWN",
    "PHASES",
    "ROLES",
    "ROUTES",
    "STAFF_NO_CONTENT_ROUTES",
    "TECHNICAL",
    "World",
    "check_cell",
    "check_post_cell",
    "targets",
]
