"""The blocks of a call's application form, built by editors in the call's
"Application form" tab (issue 22).

Each question block stores its words and rules only; what an applicant types is
an ``applications`` answer, tied to the question by the block's id, which
Wagtail keeps when questions are reordered (and a translation keeps it too).
``tenders.application_form`` reads a call's form as plain ``Question`` objects.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class QuestionBlock(blocks.StructBlock):
    """What every question has: its label, help, whether it must be answered, and
    whether its answer identifies the applicant (hidden from blind reviewers)."""

    label = blocks.CharBlock(label=_("Question"), max_length=300)
    help_text = blocks.TextBlock(label=_("Help text"), required=False, max_length=1000)
    required = blocks.BooleanBlock(label=_("Required"), required=False, default=True)
    identifies_applicant = blocks.BooleanBlock(
        label=_("Identifies the applicant"),
        required=False,
        default=False,
        help_text=_("Hidden from reviewers when the call is reviewed blind."),
    )

    class Meta:
        icon = "help"


class ShortAnswerBlock(QuestionBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Short answer")


class LongAnswerBlock(QuestionBlock):
    word_limit = blocks.IntegerBlock(
        label=_("Word limit"), required=False, min_value=1, max_value=10000
    )

    class Meta:
        icon = "doc-full"
        label = _("Long answer")


class NumberQuestionBlock(QuestionBlock):
    class Meta:
        icon = "order"
        label = _("Number")


class AmountQuestionBlock(QuestionBlock):
    class Meta:
        icon = "doc-full-inverse"
        label = _("Amount (in the call's currency)")


class ChoicesBlock(QuestionBlock):
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("Choice"), max_length=200), label=_("Choices"), min_num=2
    )


class SingleChoiceBlock(ChoicesBlock):
    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceBlock(ChoicesBlock):
    class Meta:
        icon = "tasks"
        label = _("Multiple choice")


class YesNoBlock(QuestionBlock):
    class Meta:
        icon = "tick-inverse"
        label = _("Yes or no")


class DateQuestionBlock(QuestionBlock):
    class Meta:
        icon = "date"
        label = _("Date")


class EmailQuestionBlock(QuestionBlock):
    class Meta:
        icon = "mail"
        label = _("Email address")


class PhoneQuestionBlock(QuestionBlock):
    class Meta:
        icon = "mobile-alt"
        label = _("Phone number")


class BudgetTableBlock(QuestionBlock):
    """Lines of item, quantity and unit cost; the portal computes the line totals and
    the grand total, in the call's currency, and checks it against the call's ceiling."""

    max_lines = blocks.IntegerBlock(
        label=_("Most lines"), default=20, min_value=1, max_value=100, required=False
    )

    class Meta:
        icon = "table"
        label = _("Budget table")


class EligibilityBlock(QuestionBlock):
    """A yes-or-no question with the answer an eligible applicant gives: another
    answer is flagged for the compliance check."""

    required_answer = blocks.ChoiceBlock(
        label=_("Answer an eligible applicant gives"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        default="yes",
    )

    class Meta:
        icon = "success"
        label = _("Eligibility question")


class SectionBlock(blocks.StructBlock):
    """A heading that starts a section of the form, with guidance under it."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    guidance = blocks.TextBlock(label=_("Guidance"), required=False, max_length=2000)

    class Meta:
        icon = "title"
        label = _("Section heading")


class ApplicationFormBlock(blocks.StreamBlock):
    section = SectionBlock()
    short_answer = ShortAnswerBlock()
    long_answer = LongAnswerBlock()
    number = NumberQuestionBlock()
    amount = AmountQuestionBlock()
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    yes_no = YesNoBlock()
    date = DateQuestionBlock()
    email = EmailQuestionBlock()
    phone = PhoneQuestionBlock()
    budget = BudgetTableBlock()
    eligibility = EligibilityBlock()

    class Meta:
        max_num = 120
