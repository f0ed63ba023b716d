from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviews.permissions import is_reviewer

# The zones an organisation in the region is likely to keep, by the name people use
# for them; any other is shown by its database name ("Africa/Lagos time").
ZONE_NAMES = {
    "Africa/Nairobi": _("East Africa Time"),
    "Africa/Dar_es_Salaam": _("East Africa Time"),
    "Africa/Kampala": _("East Africa Time"),
    "Africa/Addis_Ababa": _("East Africa Time"),
    "Africa/Mogadishu": _("East Africa Time"),
    "Africa/Kigali": _("Central Africa Time"),
    "Africa/Lusaka": _("Central Africa Time"),
    "Africa/Johannesburg": _("South Africa Time"),
    "UTC": _("UTC"),
}


def zone_name(zone: str) -> str:
    """The organisation's zone as a reader names it, in the reader's language."""
    named = ZONE_NAMES.get(zone)
    return str(named) if named else gettext("%(zone)s time") % {"zone": zone}


def organisation(request):
    """The organisation's name and zone, for every template; and whether to show
    the reviewer's link (looked up only when a template asks)."""
    user = getattr(request, "user", None)
    return {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
        "ORGANISATION_ZONE_NAME": SimpleLazyObject(lambda: zone_name(settings.TIME_ZONE)),
        # Each offered language in its own name, untranslated: the switcher's labels.
        "LANGUAGES_OFFERED": settings.LANGUAGES,
        "user_is_reviewer": SimpleLazyObject(lambda: is_reviewer(user)),
    }
