// Passkeys (ADR 0031, passkeys addendum): a file, not an inline script, for the strict CSP of ADR 0024.
// Each <form data-passkey="register|sign-in"> starts hidden; where the browser can use passkeys, this shows it,
// asks the browser when it is submitted, and posts the answer as JSON in its `passkey` field. Everything is
// checked on the server; without this script the page offers the authenticator app's code instead.
(() => {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  const toBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  };
  const toText = (buffer) => {
    let binary = "";
    new Uint8Array(buffer).forEach((byte) => {
      binary += String.fromCharCode(byte);
    });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const descriptors = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

  const creationOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  });
  const requestOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  });

  const common = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
  const registration = (credential) => ({
    ...common(credential),
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      attestationObject: toText(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
  });
  const assertion = (credential) => ({
    ...common(credential),
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      authenticatorData: toText(credential.response.authenticatorData),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
    },
  });

  document.querySelectorAll("[data-passkey-fallback]").forEach((note) => {
    note.hidden = true;
  });

  document.querySelectorAll("form[data-passkey]").forEach((form) => {
    const source = document.getElementById(form.dataset.options);
    if (!source) {
      return;
    }
    const options = JSON.parse(source.textContent);
    const registering = form.dataset.passkey === "register";
    const status = form.querySelector("[data-passkey-status]");
    const button = form.querySelector("button[type=submit]");
    form.hidden = false;

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      status.textContent = form.dataset.working;
      try {
        const credential = registering
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.elements.passkey.value = JSON.stringify(registering ? registration(credential) : assertion(credential));
        form.submit();
      } catch (error) {
        // NotAllowedError: cancelled, timed out, or no passkey for this site on this device.
        status.textContent = form.dataset.cancelled;
        button.disabled = false;
      }
    });
  });
})();
