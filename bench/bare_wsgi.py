"""The baseline for bench_pages.py: a bare Django view behind the same stack.

Same settings module, same middleware, same gunicorn; only the URLconf is
this module's own, with one view that returns "ok" without touching the
database or a template. The distance between this and a portal page is what
the portal's own code (queries, Wagtail routing, templates) costs.

    gunicorn --chdir <repo> bench.bare_wsgi:application
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", bare)]

application = get_wsgi_application()
# Set after setup so every other setting is exactly the portal's.
settings.ROOT_URLCONF = __name__
