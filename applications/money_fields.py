"""Money as people write it (issue 26, item 4): a text box behind the currency, with the
digits grouped as the reader's language groups them, that takes "1,450,000",
"1 450 000" and "1450000" alike, never a number box with spinner arrows; the bid
page's script groups the digits while they are typed and reads the amount back in
words (static/js/money.js)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.templatetags.format_tags import currency_words

# What may stand between groups of digits: a comma, a space (plain, no-break or the
# narrow no-break that some keyboards and locales type), an apostrophe or underscore.
_GROUPING = re.compile(r"[,\s\u00a0\u202f'_]")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


class MoneyInput(forms.TextInput):
    template_name = "applications/widgets/money_input.html"

    def __init__(self, currency: str, attrs=None):
        super().__init__(
            {
                "inputmode": "decimal",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "money__input",
                **(attrs or {}),
            }
        )
        self.currency = currency

    def format_value(self, value):
        if value in (None, ""):
            return ""
        try:
            amount = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            return str(value)  # what was typed, back as it was, with its error
        places = 0 if amount == amount.to_integral_value() else 2
        return formats.number_format(amount, places, use_l10n=True, force_grouping=True)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["currency"] = self.currency
        context["widget"]["currency_words"] = currency_words(self.currency)
        return context


class MoneyField(forms.DecimalField):
    """A DecimalField that reads grouped digits."""

    def __init__(self, *, currency: str, **kwargs):
        kwargs.setdefault("widget", MoneyInput(currency))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # Not DecimalField's: no step or min, which only a number box uses.
        return {}

    def to_python(self, value):
        if isinstance(value, str):
            value = _GROUPING.sub("", value.strip())
            if value and not _PLAIN.match(value):
                raise forms.ValidationError(
                    _("Write the amount in figures, for example 1,450,000 or 1450000.50."),
                    code="invalid",
                )
        return super().to_python(value)
