"""The applicant's side of a call page: the apply panel and the question form.

``tenders`` draws the call and knows nothing of bids; its template asks
these tags for the parts that do.
"""

from django import template

from applications.answers import shown_sections
from applications.forms import ClarificationForm
from applications.models import Submission
from applications.permissions import can_apply, can_ask_clarification, is_invited
from tenders.application_form import form_sections

register = template.Library()


@register.inclusion_tag("applications/includes/call_apply_panel.html", takes_context=True)
def apply_panel(context, call):
    """The visitor's own submission to ``call``, or how to start one."""
    request = context["request"]
    user = request.user
    mine = None
    if user.is_authenticated:
        mine = Submission.objects.filter(call=call, applicant=user).first()
    return {
        "request": request,
        "page": call,
        "state": call.state,
        "my_submission": mine,
        "can_apply": can_apply(user, call),
        "by_invitation": call.is_second_stage and not is_invited(user, call),
    }


@register.inclusion_tag("applications/includes/call_ask_panel.html", takes_context=True)
def clarification_panel(context, call):
    """The form to ask a question about ``call``, while questions are open."""
    request = context["request"]
    return {
        "request": request,
        "page": call,
        "state": call.state,
        "can_ask": can_ask_clarification(request.user, call),
        "by_invitation": call.is_second_stage and not is_invited(request.user, call),
        "clarification_form": ClarificationForm(),
    }


@register.inclusion_tag("applications/includes/answer_form_preview.html")
def application_form_preview(call):
    """The call's application form exactly as the bid page shows it, unanswered: for
    the editor's preview (``CallPage.serve_preview``, mode "application_form")."""
    return {
        "call": call,
        "answer_sections": shown_sections(form_sections(call), {}, {}),
        "answer_errors": {},
    }
