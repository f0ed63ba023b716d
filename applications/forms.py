"""The bid form, built from the call's required documents."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.money_fields import MoneyField
from applications.services.amounts import Amounts
from core.page_text import rows_with_text
from tenders.choices import Currency, Envelope


def document_field_name(requirement) -> str:
    return f"document_{requirement.pk}"


SEALED_AMOUNT = _(
    "Saved and sealed: the amount you gave is encrypted to the opening committee's keys, "
    "so nobody can show it to you again before the opening, this page included. Leave the "
    "field empty to keep it, or type it again to change it."
)


def plain_amount(value):
    """An amount as the form shows it back: "1450000", not "1450000.00"; cents only
    when there are any."""
    if value is None:
        return None
    return value.quantize(1) if value == value.to_integral_value() else value


class SubmissionForm(forms.Form):
    """One file input per required document, plus the typed amounts.

    Files are optional here: a draft may be saved half-done. Completeness,
    emptiness, types, sizes and the deadline are checked by the submission
    service, so that every refusal is known at once.
    """

    # One per rendering of the form: a second post of the same rendering (a double click)
    # is told apart from a real resubmission, which sealed amounts cannot be compared for.
    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, call, submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.submission = submission
        self.fields["form_token"].initial = secrets.token_urlsafe(16)
        self.requirements = rows_with_text(call, "required_documents")
        for requirement in self.requirements:
            types = requirement.accepted_type_list
            self.fields[document_field_name(requirement)] = forms.FileField(
                label=requirement.text.name,
                required=False,
                # An empty file is refused by the service's checks, beside the
                # other files' refusals and without costing the good ones.
                allow_empty_file=True,
                help_text=_("%(types)s, up to %(size)s MB. %(guidance)s")
                % {
                    "types": ", ".join(t.upper() for t in types),
                    "size": requirement.max_size_mb,
                    "guidance": requirement.text.description,
                },
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join(f".{t}" for t in types)}
                ),
            )
        if call.has_financial_envelope:
            self.fields["offer_amount"] = MoneyField(
                currency=call.currency,
                label=_("Total price of your financial offer (%(currency)s)")
                % {"currency": call.currency},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=plain_amount(submission.offer_amount),
                help_text=SEALED_AMOUNT if submission.amounts_sealed else "",
            )
            # One currency per call: offers are compared as they are, never converted.
            only = _("This call takes offers in %(currency)s only.") % {
                "currency": Currency(call.currency).label
            }
            # Shown as the amount's prefix, not as a select with one choice.
            self.fields["offer_currency"] = forms.ChoiceField(
                label=_("Currency"),
                required=False,
                choices=[(call.currency, Currency(call.currency).label)],
                initial=call.currency,
                widget=forms.HiddenInput,
                help_text=only,
                error_messages={
                    "invalid_choice": only + " " + _("Give your price in that currency.")
                },
            )
        elif call.is_grant:
            self.fields["amount_requested"] = MoneyField(
                currency=call.currency,
                label=_("Amount requested (%(currency)s)") % {"currency": call.currency},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=plain_amount(submission.amount_requested),
                help_text=SEALED_AMOUNT if submission.amounts_sealed else "",
            )

    def uploads(self) -> dict[int, object]:
        return {
            r.pk: self.cleaned_data[document_field_name(r)]
            for r in self.requirements
            if self.cleaned_data.get(document_field_name(r))
        }

    def amounts(self) -> Amounts:
        data = self.cleaned_data
        return Amounts(
            offer_amount=data.get("offer_amount"),
            offer_currency=data.get("offer_currency") or "",
            amount_requested=data.get("amount_requested"),
        )

    def rows(self, files):
        """For the template: each requirement with its field and current/pending files."""
        by_requirement = {}
        for f in files:
            by_requirement.setdefault(f.requirement_id, {})[
                "pending" if f.pending else "current"
            ] = f
        for requirement in self.requirements:
            yield {
                "requirement": requirement,
                "field": self[document_field_name(requirement)],
                "is_financial": requirement.envelope == Envelope.FINANCIAL,
                **by_requirement.get(requirement.pk, {}),
            }


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Questions are answered for everyone; your name is never published."),
    )


class UploadStartForm(forms.Form):
    """What the bid page's script sends to start a resumable upload, as JSON: the
    document's id, the file's name and its size in bytes. Bound to the decoded
    body; anything but an object of these (a list, a string, an infinite or a
    fractional number, a name that is not text) is not valid."""

    requirement = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    name = forms.CharField(max_length=1000, strip=False)
    size = forms.IntegerField(min_value=0)

    def __init__(self, body):
        super().__init__(body if isinstance(body, dict) else {})
        self.is_object = isinstance(body, dict)

    def clean_name(self):
        # A list or a number would be turned into text; only text is a name.
        if not isinstance(self.data.get("name"), str):
            raise forms.ValidationError("not text")
        return self.cleaned_data["name"]

    def is_valid(self):
        return self.is_object and super().is_valid()
