"""Unused accounts: the warning mail, and signing in calling the deletion off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from notifications.services import outbox_enqueue
from privacy.models import InactivityWarning


def accounts_warn(*, user_ids, now) -> int:
    """Mail each account that it will be deleted unless its owner signs in; the count."""
    sign_in_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("accounts:login")
    days = settings.RETENTION_INACTIVE_WARNING.days
    warned = 0
    for user in get_user_model().objects.filter(pk__in=user_ids):
        with transaction.atomic():
            _, made = InactivityWarning.objects.get_or_create(
                user=user, defaults={"warned_at": now}
            )
            if not made:
                continue
            outbox_enqueue(
                to=user.email,
                template="privacy/emails/inactive_warning",
                context={"days": days, "sign_in_url": sign_in_url},
                dedupe_key=f"inactive-warning:{user.pk}:{now:%Y-%m-%d}",
                language=user.language,
            )
        warned += 1
    return warned


@receiver(user_logged_in)
def signing_in_keeps_the_account(sender, request, user, **kwargs):
    InactivityWarning.objects.filter(user=user).delete()
