"""Registration, profile and password-reset forms."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from two_factor.forms import BackupTokenForm

from accounts.models import Profile
from notifications.services import outbox_enqueue


class RegistrationForm(forms.Form):
    """A plain form, not the user model's: a model form checks the address is not
    taken, and saying so would tell anyone who has an account
    (accounts.services.user_register answers both cases the same way)."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def full_clean(self):
        """A mistake elsewhere on the form keeps the passwords typed, if they passed:
        nobody should type a long passphrase twice again for a missing name."""
        super().full_clean()
        keep = self.is_bound and not {"password1", "password2"} & set(self.errors)
        for name in ("password1", "password2"):
            self.fields[name].widget.render_value = keep

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "inactive": _("Confirm your email address first: follow the link we sent you."),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # Django's backend refuses inactive users before the form can say
            # why; with the right password, tell them to confirm their email. That
            # refusal was counted as a failure (django-axes); a paused account gets
            # no answer about its password at all.
            if getattr(self.request, "axes_locked_out", False):
                raise
            user = (
                get_user_model()
                .objects.filter(email__iexact=self.cleaned_data.get("username", ""))
                .first()
            )
            if (
                user
                and not user.is_active
                and user.check_password(self.cleaned_data.get("password") or "")
            ):
                raise forms.ValidationError(
                    self.error_messages["inactive"], code="inactive"
                ) from None
            raise


class LanguageSelect(forms.Select):
    """Each language in its own name, marked as such for screen readers (``lang``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language of the portal and of your email"),
        choices=(),
        required=False,
        widget=LanguageSelect,
    )

    class Meta:
        model = Profile
        fields = [
            "applicant_type",
            "legal_name",
            "country",
            "registration_number",
            "phone",
            "website",
        ]
        widgets = {"applicant_type": forms.RadioSelect}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = user.language or get_language()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("applicant_type") == "organisation" and not cleaned.get("legal_name"):
            self.add_error("legal_name", _("Give your organisation's registered name."))
        return cleaned

    def save(self, commit=True):
        self.user.first_name = self.cleaned_data["first_name"]
        self.user.last_name = self.cleaned_data["last_name"]
        self.user.language = self.cleaned_data["language"] or self.user.language
        self.user.save(update_fields=["first_name", "last_name", "language"])
        return super().save(commit)


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the outbox like every other email."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        outbox_enqueue(
            to=to_email,
            template="accounts/emails/password_reset",
            context={
                "reset_url": f"{context['protocol']}://{context['domain']}"
                + reverse(
                    "accounts:password_reset_confirm",
                    kwargs={"uidb64": context["uid"], "token": context["token"]},
                ),
                "user": context["user"],
            },
            dedupe_key=f"password-reset:{context['user'].pk}:{context['token']}",
        )


class RecoveryCodeForm(BackupTokenForm):
    def __init__(self, user, initial_device, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        self.fields["otp_token"].label = _("Recovery code")


class VerificationResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
