from django.conf import settings
from django.utils.functional import SimpleLazyObject

from reviews.permissions import is_reviewer


def organisation(request):
    """The organisation's name and zone, for every template; and whether to show
    the reviewer's link (looked up only when a template asks)."""
    user = getattr(request, "user", None)
    return {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
        # Each offered language in its own name, untranslated: the switcher's labels.
        "LANGUAGES_OFFERED": settings.LANGUAGES,
        "user_is_reviewer": SimpleLazyObject(lambda: is_reviewer(user)),
    }
