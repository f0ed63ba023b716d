"""Registering applicants and confirming their email addresses."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import Profile
from notifications.services import outbox_enqueue


def user_register(*, email: str, password: str, first_name: str, last_name: str, base_url: str):
    """Create an inactive account and queue the email that confirms it."""
    User = get_user_model()
    with transaction.atomic():
        user = User(
            email=email.lower(), first_name=first_name, last_name=last_name, is_active=False
        )
        user.set_password(password)
        user.save()
        Profile.objects.create(user=user, legal_name=f"{first_name} {last_name}".strip())
        user_send_verification(user=user, base_url=base_url)
    return user


def user_send_verification(*, user, base_url: str) -> None:
    """Queue the email with the link that confirms ``user``'s address (valid 24 hours)."""
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = base_url + reverse("accounts:verify", kwargs={"uidb64": uid, "token": token})
    outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",
        context={"user": user, "verify_url": link},
        dedupe_key=f"verify:{user.pk}:{token}",
    )


def user_verify_email(*, uidb64: str, token: str):
    """Activate the account if the link is genuine; return the user or None."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not default_token_generator.check_token(user, token):
        return None
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.email_verified_at = profile.email_verified_at or timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return user
