"""The language a person reads the portal and their mail in.

Anyone can switch with the switcher in the page header (``language_set``): it
remembers the choice in Django's language cookie and, for someone signed in,
on their account (``User.language``), which then follows them to any device
and into their mail (notifications.services.outbox_enqueue). Only languages
whose catalogue is complete are offered (portal/languages.py).
"""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language


def offered(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def user_language_save(*, user, language: str) -> None:
    if offered(language) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@csrf_exempt
@require_POST
def language_set(request):
    """Django's ``set_language`` (the cookie, a safe ``next``), and the account's choice.

    Visitors' pages carry no CSRF token, so their pages can be cached for everyone
    (the choice only sets a cookie in their own browser). A signed-in person's form
    carries one, and it is checked before their account is changed.
    """
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
        user_language_save(user=request.user, language=request.POST.get("language", ""))
    return set_language(request)


ADMIN_PREFIX = "/admin/"


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's (after LocaleMiddleware
    and AuthenticationMiddleware). The Wagtail admin speaks only the languages Wagtail
    itself has (``WAGTAILADMIN_PERMITTED_LANGUAGES``): anyone else reads it in the
    default language, whole, rather than half in their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if request.path.startswith(ADMIN_PREFIX):
            admin_languages = dict(settings.WAGTAILADMIN_PERMITTED_LANGUAGES)
            wanted = language or request.LANGUAGE_CODE
            language = wanted if wanted in admin_languages else settings.LANGUAGE_CODE
        if language and language != request.LANGUAGE_CODE and offered(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
