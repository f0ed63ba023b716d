"""The language a message is written in: the one its recipient chose, if offered."""

from django.conf import settings
from django.contrib.auth import get_user_model


def offered_or_default(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def recipient_language(email: str) -> str:
    """The language the person with this address chose, if it is offered; else the
    portal's default."""
    chosen = (
        get_user_model()
        .objects.filter(email__iexact=email)
        .values_list("language", flat=True)
        .first()
    )
    return offered_or_default(chosen or "")
