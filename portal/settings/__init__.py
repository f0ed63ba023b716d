"""Zabuni settings, one part per module; see ``base`` for how the environment decides.

Later parts read earlier ones, so the order below is the order they apply in (and
is kept out of the import sorter's hands).
"""

# ruff: noqa: I001
from portal.settings.base import *  # noqa: F403
from portal.settings.accounts import *  # noqa: F403
from portal.settings.language import *  # noqa: F403
from portal.settings.files import *  # noqa: F403
from portal.settings.services import *  # noqa: F403
from portal.settings.site import *  # noqa: F403
from portal.settings.retention import *  # noqa: F403
from portal.settings.security import *  # noqa: F403
