"""Security keys and passkeys (WebAuthn): the other second factor.

django-two-factor-auth's WebAuthn plugin enrols them (the setup wizard's
"Security key or passkey" method) and asks for one at sign-in. The pages
that ask again for a second factor (accounts.identity, the opening
confirmation) use the two functions here: ``assertion_prepare`` puts a fresh
challenge in the session, where the plugin's ``get_credential.js`` reads it
for the browser, and ``assertion_verify`` checks what the browser sent back,
once.

Browsers refuse an IP address as the relying party: passkeys work on a host
name (``localhost`` on ``make run``), TOTP works everywhere.
"""

from django.utils import timezone

# Where the plugin keeps the challenge for the browser (its get_credential.js view).
OPTIONS_KEY = "webauthn_request_options"
CHALLENGE_KEY = "webauthn_request_challenge"


def uses_passkey(user) -> bool:
    from two_factor.plugins.webauthn.models import WebauthnDevice

    return WebauthnDevice.objects.filter(user=user, confirmed=True).exists()


def _entities(request):
    # Imported late: the plugin's forms read settings its app sets when ready.
    from two_factor.plugins.webauthn.forms import WebauthnEntitiesFormMixin

    entities = WebauthnEntitiesFormMixin()
    entities.request = request
    return entities


def assertion_prepare(request, user) -> None:
    """A new challenge for ``user``'s keys, for the page about to ask for one."""
    from two_factor.plugins.webauthn.models import WebauthnDevice
    from two_factor.plugins.webauthn.utils import make_credential_request_options

    handles = WebauthnDevice.objects.filter(user=user).values_list("key_handle", flat=True)
    options, challenge = make_credential_request_options(
        _entities(request).webauthn_rp, allowed_credential_ids=list(handles)
    )
    request.session[OPTIONS_KEY] = options
    request.session[CHALLENGE_KEY] = challenge


def assertion_verify(request, user, token: str):
    """The key that signed this page's challenge, or None. The challenge is used up."""
    from two_factor.plugins.webauthn.models import WebauthnDevice
    from two_factor.plugins.webauthn.utils import verify_authentication_response
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure
    from webauthn.helpers.parse_authentication_credential_json import (
        parse_authentication_credential_json,
    )

    challenge = request.session.pop(CHALLENGE_KEY, None)
    request.session.pop(OPTIONS_KEY, None)
    if not challenge or not token:
        return None
    entities = _entities(request)
    try:
        credential_id = parse_authentication_credential_json(token).id
        device = WebauthnDevice.objects.get(user=user, key_handle=credential_id, confirmed=True)
        if not device.verify_is_allowed()[0]:
            return None
        sign_count = verify_authentication_response(
            device.public_key,
            device.sign_count,
            entities.webauthn_rp,
            entities.webauthn_origin,
            challenge,
            token,
        )
    except (InvalidJSONStructure, InvalidAuthenticationResponse, WebauthnDevice.DoesNotExist):
        return None
    except ValueError:  # not JSON at all, or a malformed field
        return None
    device.sign_count = sign_count
    device.last_used_at = timezone.now()
    device.save(update_fields=["sign_count", "last_used_at"])
    return device
