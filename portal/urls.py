from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from two_factor.urls import urlpatterns as two_factor_urls
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.urls import serve_pattern

from portal import health, metrics, routing, views
from tenders.feeds import OpenCallsFeed

urlpatterns = [
    # For load balancers and Prometheus (portal.health, portal.metrics): first, so no
    # catch-all answers them, and without a slash, as probes are usually written.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # One sign-in for the portal and the admin: the admin's form is never served,
    # so lockouts, throttles and (later) the second factor guard one door.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include("accounts.urls")),
    path("account/privacy/", include("privacy.urls")),
    # django-two-factor-auth's setup, QR code, recovery codes and profile pages
    # (its sign-in path is served by accounts' SignInView, included just above).
    path("", include(two_factor_urls)),
    # Before "bids/": its patterns would not match these, but the order says who owns them.
    path("bids/reviews/", include("reviews.urls")),
    path("bids/", include("applications.urls")),
    path("feeds/open-calls/", OpenCallsFeed(), name="open_calls_feed"),
    path("sitemap.xml", sitemap, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's own URLs: a private page's password form, and its catch-all served
# through the default language's tree (portal.routing). Not its plain sign-in
# form: `_util/login/` goes to the one sign-in, with its second factor and lockouts.
urlpatterns += [
    *(p for p in wagtail_urls.urlpatterns if p.name == "wagtailcore_authenticate_with_password"),
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="wagtailcore_login",
    ),
    re_path(serve_pattern, routing.serve, name="wagtail_serve"),
]

handler400 = "portal.views.bad_request"
