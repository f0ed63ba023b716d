"""Registering applicants and confirming their email addresses.

Registration answers the same for a new address and one that has an
account, in the same time: the page says a message was sent, and it was. A new address gets
its confirmation link; an account never confirmed gets a fresh link; an
active account's owner hears that someone tried to register with their
address, with a link to reset their password.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.destinations import with_next
from accounts.models import Profile
from accounts.tokens import email_verification_token
from notifications.services import outbox_enqueue


def user_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    base_url: str,
    language: str = "",
    next_path: str = "",
):
    """Register ``email``, or tell its owner; the caller cannot tell which happened.

    ``language``: the one the person registered in; the portal and their mail use it.
    ``next_path``: the page on this site they came from (accounts.destinations); the
    mail's link brings them back to it once they have signed in.

    Returns the new user, or None when the address already had an account.
    """
    User = get_user_model()
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User(
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    is_active=False,
                    language=language,
                )
                user.set_password(password)
                user.save()
                Profile.objects.create(user=user, legal_name=f"{first_name} {last_name}".strip())
                user_send_verification(user=user, base_url=base_url, next_path=next_path)
            return user
        except IntegrityError:  # registered a moment ago, by another request
            existing = User.objects.get(email__iexact=email)
    else:
        # Hashing is most of a new registration's time (about 0.3 s): without it here,
        # how long the answer takes would say that the address has an account.
        make_password(password)
    if not existing.is_active and existing.last_login is None:
        # Registered but never confirmed (the link may have expired): a fresh link.
        user_send_verification(user=existing, base_url=base_url, next_path=next_path)
    else:
        outbox_enqueue(
            to=existing.email,
            template="accounts/emails/registration_attempted",
            context={
                "user": existing,
                "login_url": base_url + with_next(reverse("accounts:login"), next_path),
                "reset_url": base_url + reverse("accounts:password_reset"),
            },
            # One such mail an hour at most: repeated attempts do not flood the owner.
            dedupe_key=f"registration-attempt:{existing.pk}:{timezone.now():%Y%m%d%H}",
        )
    return None


def user_send_verification(*, user, base_url: str, next_path: str = "") -> None:
    """Queue the email with the link that confirms ``user``'s address (and carries
    ``next_path``, a path on this site, to the sign-in after it)."""
    token = email_verification_token.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = base_url + with_next(
        reverse("accounts:verify", kwargs={"uidb64": uid, "token": token}), next_path
    )
    outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",
        context={"user": user, "verify_url": link},
        dedupe_key=f"verify:{user.pk}:{token}",
    )


def user_resend_verification(*, email: str, base_url: str) -> None:
    """A fresh link if ``email`` registered and never confirmed; otherwise nothing.
    The caller answers the same either way."""
    user = (
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=False, last_login__isnull=True)
        .first()
    )
    if user is not None:
        user_send_verification(user=user, base_url=base_url)


def user_for_verification(*, uidb64: str, token: str):
    """The user a genuine, unexpired, unused link was made for; else None. Changes nothing."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if email_verification_token.check_token(user, token) else None


def user_verify_email(*, uidb64: str, token: str):
    """Activate the account if the link is genuine; return the user or None."""
    user = user_for_verification(uidb64=uidb64, token=token)
    if user is None:
        return None
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.email_verified_at = profile.email_verified_at or timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return user
