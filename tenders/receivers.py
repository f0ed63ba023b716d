"""Wagtail's and Django's signals about calls, turned into the call's own records."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import copy_for_translation_done, page_published

from core.page_cache import page_cache_invalidate_on_commit, register_next_change
from core.page_text import link_copied_rows
from tenders.models import Addendum, CallPage, Clarification
from tenders.services import (
    call_record_addendum,
    call_record_cancellation,
    clarification_publish,
)
from tenders.signals import second_stage_published


def _on_call_published(sender, instance, **kwargs):
    if instance.is_translation:
        return  # a translation lends its words; addenda and cancellations are the original's
    call_record_addendum(call=instance)
    call_record_cancellation(call=instance)
    if instance.is_second_stage:
        with transaction.atomic():
            second_stage_published.send(sender=CallPage, call=instance)


def _on_translation_copied(sender, source_obj, target_obj, **kwargs):
    if isinstance(target_obj, CallPage):
        link_copied_rows(source_obj.specific, target_obj, ("criteria", "required_documents"))


def _on_clarification_saved(sender, instance, **kwargs):
    clarification_publish(clarification=instance)


def _on_notice_changed(sender, instance, **kwargs):
    """A clarification answered or an addendum recorded shows on the call page at once."""
    page_cache_invalidate_on_commit()


def connect():
    # Cached public pages expire when a call opens, its questions close or it closes.
    register_next_change(lambda now: CallPage.objects.live().originals().next_state_change(now))
    for model in (Clarification, Addendum):
        for signal in (post_save, post_delete):
            signal.connect(
                _on_notice_changed,
                sender=model,
                dispatch_uid=f"zabuni-page-cache-{model.__name__}-{signal is post_save}",
            )
    page_published.connect(_on_call_published, sender=CallPage, dispatch_uid="zabuni-addenda")
    copy_for_translation_done.connect(_on_translation_copied, dispatch_uid="zabuni-translations")
    post_save.connect(
        _on_clarification_saved, sender=Clarification, dispatch_uid="zabuni-clarifications"
    )
