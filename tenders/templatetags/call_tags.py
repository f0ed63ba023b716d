"""Template helpers for showing deadlines the way applicants read them."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def deadline(value):
    """``<time>`` in the organisation's zone with its offset: 26 November 2026, 23:59 EAT (UTC+03:00)."""
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
    """'closes in 3 days', 'opens in 2 hours', 'closed 5 days ago'."""
    now = now or timezone.now()
    if now < call.opens_at:
        return _("opens in %(span)s") % {"span": timeuntil(call.opens_at, now, depth=1)}
    if now < call.closes_at:
        return _("closes in %(span)s") % {"span": timeuntil(call.closes_at, now, depth=2)}
    return _("closed %(span)s ago") % {"span": timesince(call.closes_at, now, depth=1)}


@register.simple_tag
def closes_within_a_day(call):
    now = timezone.now()
    return now < call.closes_at and (call.closes_at - now).total_seconds() < 86400


@register.filter
def money(amount, currency):
    if amount is None:
        return ""
    return f"{currency} {formats.number_format(amount, 0, force_grouping=True)}"
