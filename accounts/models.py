"""The user model: people sign in with their email address."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Upper
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.keys import key_fingerprint


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        """The account an address names, however it is capitalised: "A@x.org" and
        "a@x.org" are one account (a unique index on the upper-cased address), as the
        sign-in lockout already counts them (accounts.throttles)."""
        return self.get(email__iexact=str(username).strip())

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using the portal: applicant, reviewer or staff."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # Raised by "Sign out everywhere": every session signed in before then ends,
    # including any this portal does not list (accounts.sessions).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The language of the portal and of their mail, once they have chosen one (the
    # switcher, the profile) or registered in it; blank: the browser's.
    language = models.CharField(_("language"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Upper("email"),
                name="accounts_user_email_any_case_unique",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def _get_session_auth_hash(self, secret=None):
        """What a session must match to stay signed in: the password's hash and,
        once raised, the session epoch. Changing either ends the other sessions
        (Django checks it on every request); epoch 0 keeps Django's own hash."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = (
            self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        )
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class ApplicantType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual consultant")
    ORGANISATION = "organisation", _("Organisation")


class Profile(models.Model):
    """Who an applicant is, as they want to appear on their bids."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    applicant_type = models.CharField(
        _("I am applying as"),
        max_length=20,
        choices=ApplicantType.choices,
        default=ApplicantType.INDIVIDUAL,
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("Your full name, or your organisation's registered name."),
    )
    country = models.CharField(_("country"), max_length=100, blank=True, default="Kenya")
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("applicant profile")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.legal_name or self.user.get_full_name() or self.user.email


class SignedInSession(models.Model):
    """A session someone signed in with, for their list of signed-in devices.

    It holds the session's key, when it began and was last used, and which
    browser it was, in a few words. No address is kept: for people who are
    watched, a list of where they signed in from is a risk of its own.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    browser = models.CharField(max_length=120, blank=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed-in session")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} · {self.browser}"


class OpeningKey(models.Model):
    """A person's opening key (issue 23): an X25519 key pair whose private half is kept
    only encrypted under a passphrase they chose (libsodium's Argon2id, then XSalsa20-
    Poly1305). The server never holds the private half in the clear, never logs the
    passphrase, and never sends either to a browser. A replaced key is kept, marked
    replaced, so that what was sealed to it can be told apart."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="opening_keys")
    public_key = models.BinaryField(_("public key"), max_length=32)
    sealed_private_key = models.BinaryField(_("private key, encrypted"))
    salt = models.BinaryField(max_length=16)
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    passphrase_changed_at = models.DateTimeField(_("passphrase changed at"), null=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening key")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_opening_key_in_use",
            )
        ]

    def __str__(self):
        return f"Opening key of {self.user} ({self.fingerprint})"

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)
