"""The kinds of article the organisation publishes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleCategory(models.TextChoices):
    PRESS_RELEASE = "press_release", _("Press release")
    STATEMENT = "statement", _("Statement")
    REPORT = "report", _("Report")
    UPDATE = "update", _("Update")
    URGENT_APPEAL = "urgent_appeal", _("Urgent appeal")
