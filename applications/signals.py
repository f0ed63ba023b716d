"""Connect call events in tenders/ to the notices they cause."""

from django.db.models.signals import post_save
from wagtail.signals import page_published

from applications.services.notices import call_record_addendum, clarification_publish
from tenders.models import CallPage, Clarification


def _on_call_published(sender, instance, **kwargs):
    call_record_addendum(call=instance)


def _on_clarification_saved(sender, instance, **kwargs):
    clarification_publish(clarification=instance)


def connect():
    page_published.connect(_on_call_published, sender=CallPage, dispatch_uid="zabuni-addenda")
    post_save.connect(
        _on_clarification_saved, sender=Clarification, dispatch_uid="zabuni-clarifications"
    )
