"""The applicant's side of a call page: the apply panel and the question form.

``tenders`` draws the call and knows nothing of bids; its template asks
these tags for the parts that do.
"""

from django import template

from applications.forms import ClarificationForm
from applications.models import Submission
from applications.permissions import can_apply, can_ask_clarification

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
        "clarification_form": ClarificationForm(),
    }
