from django.conf import settings


def organisation(request):
    """The organisation's name and zone, for every template."""
    return {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
    }
