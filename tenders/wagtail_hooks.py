from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from tenders.models import Clarification


class ClarificationViewSet(SnippetViewSet):
    """Staff answer applicants' questions and publish the answers."""

    model = Clarification
    icon = "help"
    menu_label = _("Clarifications")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["question", "call", "asked_at", "published_at"]
    list_filter = ["publish"]
    panels = [
        FieldPanel("call"),
        FieldPanel("question"),
        FieldPanel("answer"),
        FieldPanel("publish"),
    ]


register_snippet(ClarificationViewSet)
