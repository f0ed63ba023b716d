"""Views a script calls, not a person: every answer is JSON with a ``message``.

``answers_json`` marks such a view. Answers Django gives before the view runs
(a failed CSRF check, in ``portal.views.csrf_failure``) ask ``answers_json_for``
and answer in JSON too, so the script can show the message and stop, instead
of reading an HTML page as a dropped connection.
"""

from functools import wraps

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


def answers_json(view):
    view.answers_json = True
    return view


def answers_json_for(request) -> bool:
    """Whether the view this request reached, or will reach, is marked with
    ``answers_json``. Middleware that answers before the URL is resolved (the size
    limit, the session and second-factor rules) resolves the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return bool(getattr(match.func, "answers_json", False))


def json_refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message}, status=status)


def json_methods(*methods: str):
    """Like ``require_http_methods``, with a JSON 405 that says which methods."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = JsonResponse(
                    {
                        "message": _("This address takes %(methods)s requests only.")
                        % {"methods": ", ".join(methods)}
                    },
                    status=405,
                )
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
