"""Formatting for every app: deadlines in the organisation's zone, money, lookups."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag
def deadline(value, seconds=False, offset=None):
    """A ``<time>`` in the organisation's zone, named once.

    For example: 26 November 2026, 23:59 EAT. With ``seconds=True`` (a time of
    receipt, which a deadline was judged by to the millisecond) it is a record, and
    says its offset from UTC too: 26 November 2026, 23:58:57.4 EAT (UTC+03:00).
    ``offset`` asks for the offset, or leaves it out, whatever ``seconds``.
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    shown = formats.date_format(local, "j F Y, H:i:s" if seconds else "j F Y, H:i")
    if seconds:
        shown += f".{tenth(local)}"
    shown = f"{shown} {local.tzname()}"
    if seconds if offset is None else offset:
        utc = local.strftime("%z")
        shown = f"{shown} (UTC{utc[:3]}:{utc[3:]})"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


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


@register.filter
def email_breaks(value) -> str:
    """An address that may break only before its "@" and its dots, never mid-word."""
    if not value:
        return ""
    text = escape(str(value))
    return mark_safe(text.replace("@", "<wbr>@").replace(".", "<wbr>."))  # noqa: S308


# The words for each currency a call may take, read after an amount in words
# (static/js/money.js).
CURRENCY_WORDS = {
    "KES": _("Kenyan shillings"),
    "USD": _("US dollars"),
    "EUR": _("euros"),
}


@register.filter
def currency_words(code) -> str:
    """ "Kenyan shillings" for KES, in the reader's language; the code if unknown."""
    return str(CURRENCY_WORDS.get(code, code))
