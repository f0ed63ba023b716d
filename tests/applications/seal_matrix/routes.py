"""The rows: every URL pattern that can reach a submission, read from the URL configuration."""

import inspect
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# The apps whose pages touch submissions: every URL they name or serve joins the matrix.
SUBMISSION_APPS = {"applications", "reviews"}
SUBMISSION_WORDS = {"submission", "submissions", "bid", "bids", "application", "envelope"}
FILE_PARAMETERS = {"file_id", "file_pk", "file_uuid"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]

    def __str__(self):
        return self.name


def _parameters(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    regex = pattern.regex
    unnamed = regex.groups - len(regex.groupindex)
    return list(regex.groupindex) + [f"<unnamed group {i + 1}>" for i in range(unnamed)]


def _view_module(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return view_class.__module__
    return getattr(inspect.unwrap(callback), "__module__", "") or ""


def _walk(patterns, namespaces=(), prefix="", params=()):
    for pattern in patterns:
        here = tuple(params) + tuple(_parameters(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern), here)
        else:
            name = ":".join(namespaces + (pattern.name or f"<unnamed {prefix}{pattern.pattern}>",))
            yield name, prefix + str(pattern.pattern), here, _view_module(pattern.callback)


def _names_a_submission_or_file(param: str) -> bool:
    return param in FILE_PARAMETERS or bool(set(param.lower().split("_")) & SUBMISSION_WORDS)


def sealed_routes() -> list[Route]:
    """Every URL pattern that could show a submission's content."""
    found = {}
    for name, route, params, module in _walk(get_resolver().url_patterns):
        if (
            name.split(":")[0] in SUBMISSION_APPS
            or module.split(".")[0] in SUBMISSION_APPS
            or any(_names_a_submission_or_file(p) for p in params)
        ):
            found[name] = Route(name, route, params)
    return sorted(found.values(), key=lambda r: r.name)


ROUTES = sealed_routes()
