"""The Content-Security-Policy of each response, chosen by path.

django-csp gives one policy (and one report-only policy) for the whole site. The
Wagtail admin cannot keep the portal's policy yet (portal/settings/security.py), so
its paths get theirs: a looser policy enforced, and the portal's strict one as
report-only.

``frame-ancestors`` follows the X-Frame-Options each response already carries
(XFrameOptionsMiddleware runs inside this one): 'none' for DENY, the site's
default, and 'self' for the few views Django or Wagtail mark SAMEORIGIN, such as
Wagtail's preview, which its editor shows in a frame. A browser that reads the
policy ignores X-Frame-Options, so the two must agree.
"""

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


class PolicyByPathMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if parts.config is None and request.path_info.startswith(settings.ADMIN_CSP_PATHS):
            directives = settings.ADMIN_CSP_REPORT_ONLY if report_only else settings.ADMIN_CSP
            parts.config = default_config(directives)
        framed_by = SELF if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else NONE
        parts.replace = {**(parts.replace or {}), "frame-ancestors": [framed_by]}
        return parts
