"""Template helpers for showing deadlines the way applicants read them."""

from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from tenders.choices import CallOutcome

register = template.Library()

ONE_DAY_SECONDS = 24 * 60 * 60


def _is_cancelled(call) -> bool:
    return getattr(call, "outcome", "") == CallOutcome.CANCELLED


@register.simple_tag
def deadline(value):
    """A ``<time>`` in the organisation's zone with its offset.

    For example: 26 November 2026, 23:59 EAT (UTC+03:00).
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    offset = local.strftime("%z")
    return format_html(
        '<time datetime="{}">{} {} (UTC{}:{})</time>',
        value.isoformat(),
        formats.date_format(local, "j F Y, H:i"),
        local.tzname(),
        offset[:3],
        offset[3:],
    )


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


@register.filter
def money(amount, currency):
    """'KES 1,500,000'; cents are shown only when there are any."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(str(amount))
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{currency} {formats.number_format(amount, places, force_grouping=True)}"


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def startswith(value, prefix) -> bool:
    """A section is current only under its own URL, not wherever its slug appears."""
    return bool(prefix) and str(value).startswith(str(prefix))
