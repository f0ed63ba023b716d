"""Wagtail's and Django's signals about calls, turned into the call's own records."""

from django.db.models.signals import post_save
from wagtail.signals import page_published

from tenders.models import CallPage, Clarification
from tenders.services import (
    call_record_addendum,
    call_record_cancellation,
    clarification_publish,
)


def _on_call_published(sender, instance, **kwargs):
    call_record_addendum(call=instance)
    call_record_cancellation(call=instance)


def _on_clarification_saved(sender, instance, **kwargs):
    clarification_publish(clarification=instance)


def connect():
    page_published.connect(_on_call_published, sender=CallPage, dispatch_uid="zabuni-addenda")
    post_save.connect(
        _on_clarification_saved, sender=Clarification, dispatch_uid="zabuni-clarifications"
    )
