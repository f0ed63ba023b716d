"""Forms: the public call filter, and the editor's call form with its cross-checks."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from tenders.choices import CallKind, CallState, Envelope
from tenders.freeze import FROZEN_CHILDREN, FROZEN_FIELDS, frozen_fields_of

TECHNICAL_CRITERIA_TOTAL = 100

# On a translation, only the words change: the terms the freeze guards, and the
# code, the questions' deadline and the outcome, stay the original call's.
TRANSLATION_FIXED_FIELDS = (
    *FROZEN_FIELDS,
    "reference_code",
    "clarifications_close_at",
    "outcome",
    "cancellation_reason",
)
TRANSLATED_CHILD_FIELDS = {
    "criteria": ("title", "description"),
    "required_documents": ("name", "description"),
}


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + CallKind.choices
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))]
        + [
            (state.value, state.label)
            for state in (CallState.OPEN, CallState.UPCOMING, CallState.CLOSED, CallState.AWARDED)
        ],
    )


def _live_forms(formset):
    """Inline forms that will be saved: valid, not deleted, not left empty."""
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        yield form


class CallPageForm(WagtailAdminPageForm):
    """Checks that span the page and its inlines, with messages an editor can act on.

    Once a call's deadline has passed, its frozen fields (``tenders.freeze``) are
    shown read-only with the reason, and its criteria and documents cannot change.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.translation = self.instance.pk is not None and self.instance.is_translation
        if self.translation:
            self._fix_all_but_words()
        elif "reference_code" in self.fields:
            self.fields["reference_code"].required = True
        self.frozen = () if self.translation else frozen_fields_of(self.instance)
        if not self.frozen:
            return
        reason = _("Frozen since the deadline passed: it cannot change any more.")
        for name in self.frozen:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = reason
        for relation in FROZEN_CHILDREN:
            formset = self.formsets.get(relation)
            for form in formset.forms if formset is not None else ():
                for field in form.fields.values():
                    field.disabled = True

    def _fix_all_but_words(self):
        """A translation lends its words to the original call; its dates, money,
        method, outcome and the points and limits of its rows are the original's."""
        reason = _("Set on the original call: a translation changes only the words.")
        for name in TRANSLATION_FIXED_FIELDS:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = reason
        for relation, words in TRANSLATED_CHILD_FIELDS.items():
            formset = self.formsets.get(relation)
            for form in formset.forms if formset is not None else ():
                for name, field in form.fields.items():
                    if name not in words:
                        field.disabled = True

    def _frozen_children_changed(self) -> bool:
        for relation in FROZEN_CHILDREN:
            formset = self.formsets.get(relation)
            if formset is None:
                continue
            for form in formset.forms:
                if form.instance.pk is None and form.has_changed():
                    return True  # a new criterion or document
                if getattr(form, "cleaned_data", {}).get("DELETE"):
                    return True
        return False

    def clean(self):
        cleaned = super().clean()
        if self.translation and self._frozen_children_changed():
            self.add_error(
                None,
                _(
                    "A translation has the original call's criteria and documents: translate "
                    "their words here, and add or remove them on the original."
                ),
            )
        elif self.frozen and self._frozen_children_changed():
            self.add_error(
                None,
                _(
                    "The evaluation criteria and required documents are frozen since the "
                    "deadline passed: none can be added or removed."
                ),
            )
        criteria = self.formsets.get("criteria")
        if criteria is not None and criteria.is_valid():
            total = sum(f.cleaned_data.get("max_points") or 0 for f in _live_forms(criteria))
            if total != TECHNICAL_CRITERIA_TOTAL:
                self.add_error(
                    None,
                    _(
                        "The evaluation criteria must total %(expected)s points; "
                        "they total %(total)s."
                    )
                    % {"expected": TECHNICAL_CRITERIA_TOTAL, "total": total},
                )
        documents = self.formsets.get("required_documents")
        kind = cleaned.get("kind")
        if documents is not None and documents.is_valid() and kind == CallKind.GRANT:
            if any(
                f.cleaned_data.get("envelope") == Envelope.FINANCIAL
                for f in _live_forms(documents)
            ):
                self.add_error(
                    None,
                    _("A grant call has one envelope: its documents must all be technical."),
                )
        return cleaned
