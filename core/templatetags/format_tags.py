"""Formatting for every app: deadlines in the organisation's zone, money, lookups."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def deadline(value, seconds=False):
    """A ``<time>`` in the organisation's zone with its offset.

    For example: 26 November 2026, 23:59 EAT (UTC+03:00); with ``seconds=True``
    (a time of receipt, which a deadline was judged by to the millisecond), 26 November
    2026, 23:58:57.4 EAT (UTC+03:00).
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    offset = local.strftime("%z")
    shown = formats.date_format(local, "j F Y, H:i:s" if seconds else "j F Y, H:i")
    if seconds:
        shown += f".{tenth(local)}"
    return format_html(
        '<time datetime="{}">{} {} (UTC{}:{})</time>',
        value.isoformat(),
        shown,
        local.tzname(),
        offset[:3],
        offset[3:],
    )


@register.filter
def iso_moment(value) -> str:
    """A moment (a datetime, or ISO 8601 text as registers store it), in the
    organisation's zone, to the second: "3 December 2026, 05:33:00 EAT"."""
    if not value:
        return ""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return value
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'j F Y, H:i:s')} {local.tzname()}"


@register.filter
def money(amount, currency):
    """'KES 1,500,000'; cents are shown only when there are any."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(str(amount))
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{currency} {formats.number_format(amount, places, force_grouping=True)}"


@register.filter
def score(value) -> str:
    """A score as shown and printed: half up, two places ("84.00"); "—" for none.
    Scores are computed exactly (reviews.ranking) and rounded only here."""
    if value is None or value == "":
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, 2)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def startswith(value, prefix) -> bool:
    """A section is current only under its own URL, not wherever its slug appears."""
    return bool(prefix) and str(value).startswith(str(prefix))


@register.filter
def minutes(value) -> int:
    """A timedelta in whole minutes (at least 1)."""
    return max(1, int(value.total_seconds() // 60)) if value else 0


@register.filter
def tenth(value) -> str:
    """The tenth of a second of a moment: "4" for 14:00:00.412."""
    return "" if value is None else str(value.microsecond // 100_000)
