"""Template helpers for a call's dates, the way applicants read them."""

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from tenders.choices import CallOutcome

register = template.Library()

ONE_DAY_SECONDS = 24 * 60 * 60


def _is_cancelled(call) -> bool:
    return getattr(call, "outcome", "") == CallOutcome.CANCELLED


@register.simple_tag
def relative_deadline(call, now=None):
    """'closes in 3 days', 'opens in 2 hours', 'closed 5 days ago'.

    Empty for a cancelled call: its dates no longer mean anything to applicants.
    """
    if _is_cancelled(call):
        return ""
    now = now or timezone.now()
    if now < call.opens_at:
        return _("opens in %(span)s") % {"span": timeuntil(call.opens_at, now, depth=1)}
    if now < call.closes_at:
        return _("closes in %(span)s") % {"span": timeuntil(call.closes_at, now, depth=2)}
    return _("closed %(span)s ago") % {"span": timesince(call.closes_at, now, depth=1)}


@register.simple_tag
def closes_within_a_day(call, now=None):
    """True while the call is open and its deadline is less than 24 hours away."""
    if _is_cancelled(call):
        return False
    now = now or timezone.now()
    if now < call.opens_at:
        return False
    return now < call.closes_at and (call.closes_at - now).total_seconds() < ONE_DAY_SECONDS
