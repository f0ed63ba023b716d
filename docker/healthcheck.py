"""Container healthcheck for the web service: is gunicorn answering with Django?

It asks for the admin login page, which needs the database, the templates and
the static-files manifest, so a 200 means the portal can really serve pages.
It sends the first name in ALLOWED_HOSTS as the Host, so it passes host
validation whatever the deployment's domain, and a forwarded-proto header, so
it is not redirected when SECURE_SSL_REDIRECT is on.
"""

import os
import sys
import urllib.request

URL = "http://127.0.0.1:8000/admin/login/"


def host_header() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


request = urllib.request.Request(
    URL, headers={"Host": host_header(), "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure is "unhealthy"; docker inspect shows why
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
