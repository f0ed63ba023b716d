from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
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


@hooks.register("insert_global_admin_css")
def editor_on_a_phone():
    """The call editor usable at 390 px: a scrolling tab bar that shows there is more,
    and selects no wider than the screen (tenders/static/tenders/admin/editor.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("tenders/admin/editor.css"))
