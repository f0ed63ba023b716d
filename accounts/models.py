"""The user model: people sign in with their email address."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


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
