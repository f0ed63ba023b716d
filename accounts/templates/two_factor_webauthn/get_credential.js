{% load i18n %}{% translate "Your security key or passkey did not answer. Press the button to try again." as retry %}// Asks the browser for the security key or passkey, and sends what it signed with
// the form that holds the key's field. (The plugin's own script submits the page's
// first form, which is not always this one.) A form marked data-webauthn-on-submit
// asks when it is sent, after its other fields are filled; any other asks at once.
(function () {
  const options = {{ credential_request_options|safe }};
  const field = document.querySelector("[data-webauthn-token]") || document.querySelector("[name$=otp_token]");
  if (!field || !window.PublicKeyCredential) {
    return;
  }
  const form = field.closest("form");
  options.challenge = b64str2ab(options.challenge);
  for (const allowed of options.allowCredentials) {
    allowed.id = b64str2ab(allowed.id);
  }

  function ask() {
    navigator.credentials.get({ publicKey: options }).then((credential) => {
      const response = credential.response;
      field.value = JSON.stringify({
        id: credential.id,
        rawId: ab2str(credential.rawId),
        response: {
          clientDataJSON: ab2str(response.clientDataJSON),
          authenticatorData: ab2str(response.authenticatorData),
          signature: ab2str(response.signature),
          userHandle: ab2str(response.userHandle),
        },
        type: credential.type,
      });
      form.submit();
    }, () => {
      let note = form.querySelector(".webauthn-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "notice notice--danger webauthn-note";
        note.setAttribute("role", "alert");
        const anchor = form.querySelector(".form-actions, button[type=submit]");
        (anchor ? anchor.parentNode : form).insertBefore(note, anchor);
      }
      note.textContent = "{{ retry|escapejs }}";
    });
  }

  form.addEventListener("submit", (event) => {
    if (!field.value) {
      event.preventDefault();
      ask();
    }
  });
  if (!form.hasAttribute("data-webauthn-on-submit")) {
    ask();
  }
})();
