"""RSS feed of open calls, soonest deadline first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tenders.models import CallPage


class OpenCallsFeed(Feed):
    def title(self):
        return _("%(organisation)s: open calls") % {"organisation": settings.ORGANISATION_NAME}

    def description(self):
        return _("Calls for consultancy and grant calls open for applications.")

    def link(self):
        return "/"

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def items(self):
        return CallPage.objects.live().originals().open_now().order_by("closes_at")[:50]

    def item_title(self, item):
        return f"{item.title} ({item.reference_code})"

    def item_description(self, item):
        deadline = formats.date_format(timezone.localtime(item.closes_at), "j F Y, H:i T")
        return _("%(summary)s Deadline: %(deadline)s.") % {
            "summary": item.summary,
            "deadline": deadline,
        }

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_categories(self, item):
        return [item.get_kind_display()]
