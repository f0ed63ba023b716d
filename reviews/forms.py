"""Forms of the panel's pages: the conflict declaration and the score sheet."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this submission?"),
        choices=[
            ("no", _("No: I have no personal, financial or professional interest in it")),
            ("yes", _("Yes: I have a conflict and must be recused")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("If yes, explain"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not (cleaned.get("explanation") or "").strip():
            self.add_error("explanation", _("Explain the conflict, so the chair can act on it."))
        return cleaned


def points_field_name(criterion) -> str:
    return f"points_{criterion.pk}"


def comment_field_name(criterion) -> str:
    return f"comment_{criterion.pk}"


class ScoreForm(forms.Form):
    """Points (0 to the maximum, in halves) and a comment for each criterion."""

    def __init__(self, *args, criteria, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = existing or {}
        for criterion in self.criteria:
            old = existing.get(criterion.pk)
            self.fields[points_field_name(criterion)] = forms.DecimalField(
                label=_("%(title)s (0 to %(max)s)")
                % {"title": criterion.title, "max": criterion.max_points},
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal(criterion.max_points),
                step_size=Decimal("0.5"),
                decimal_places=1,
                initial=old.points if old else None,
            )
            self.fields[comment_field_name(criterion)] = forms.CharField(
                label=_("Comment on %(title)s") % {"title": criterion.title},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=old.comment if old else "",
            )

    def scores(self) -> dict[int, tuple]:
        return {
            c.pk: (
                self.cleaned_data.get(points_field_name(c)),
                (self.cleaned_data.get(comment_field_name(c)) or "").strip(),
            )
            for c in self.criteria
        }

    def total(self) -> Decimal:
        """The points given so far (as typed, or as saved), for the running total."""
        total = Decimal(0)
        for criterion in self.criteria:
            value = self[points_field_name(criterion)].value()
            try:
                total += Decimal(str(value)) if value not in (None, "") else 0
            except ArithmeticError:
                continue
        return total

    def rows(self):
        for criterion in self.criteria:
            yield {
                "criterion": criterion,
                "points": self[points_field_name(criterion)],
                "comment": self[comment_field_name(criterion)],
            }


def posted_id(request, name: str) -> int:
    """A row's id from a POST field; 0 (which matches no row, so a 404) for anything
    that is not a whole number, rather than an error page."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0
