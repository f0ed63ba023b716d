import os

from django.core.wsgi import get_wsgi_application

from core.arrival import ArrivalStamping

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The moment each request's last byte is read from the connection is noted before
# Django parses anything (core.arrival): the time of receipt a deadline is judged by.
application = ArrivalStamping(get_wsgi_application())
