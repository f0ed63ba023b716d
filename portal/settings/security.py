"""Content-Security-Policy: what a page may load and run (django-csp; issue 21).

The portal's pages run no inline script or style and load nothing from another
origin, so their policy is strict and enforced: everything from this origin only,
never framed. The Wagtail admin gets the same policy less what Wagtail's own
scripts still need (inline scripts and styles, data: and blob: images), enforced;
and the strict policy again as report-only, so what remains shows in the browser's
console. README.md lists what the admin still needs. portal.csp chooses by path.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE

# The portal's pages: enforced. No nonce is used anywhere, so the header is the same
# on every response and a cached page (core.page_cache) stays valid.
PORTAL_CSP = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

# The Wagtail admin (and its previews of portal pages): enforced where Wagtail
# allows it. Inline scripts and styles because Wagtail's own need them (README.md).
# frame-ancestors follows each response's X-Frame-Options (portal.csp): only
# Wagtail's preview, marked SAMEORIGIN, may be framed, by this origin alone.
ADMIN_CSP = {
    **PORTAL_CSP,
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}
# ... and what the admin would be held to if Wagtail needed nothing more: reported only.
ADMIN_CSP_REPORT_ONLY = PORTAL_CSP
# Where the admin's policies apply instead of the portal's.
ADMIN_CSP_PATHS = ("/admin/",)

CONTENT_SECURITY_POLICY = {"DIRECTIVES": PORTAL_CSP}
CONTENT_SECURITY_POLICY_REPORT_ONLY = None
