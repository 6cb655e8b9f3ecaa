// The demo's only script: forms and buttons call the JSON API under
// /api/auth and show its error messages. (Issue 5 replaces this with the
// NanoAuth JavaScript client.)
"use strict";

async function api(path, body) {
  const response = await fetch("/api/auth" + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: fall through to the generic message.
  }
  if (!response.ok) {
    const message = data && data.error && data.error.message;
    const error = new Error(message || `Request failed (${response.status}).`);
    // Some answers call for another step (SESSION_NOT_FRESH: confirm first).
    error.code = data && data.error && data.error.code;
    throw error;
  }
  return data;
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
}

function showNotice(message) {
  const box = document.getElementById("notice");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  const box = document.getElementById("error");
  box.textContent = "";
  box.hidden = true;
}

function value(id) {
  return document.getElementById(id).value;
}

// The HTML our own server renders for a JSON request (the two-factor
// enrolment); errors come as the API's JSON.
async function fragment(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.ok) return response.text();
  let message = null;
  try {
    const data = await response.json();
    message = data && data.error && data.error.message;
  } catch {
    // Not JSON: fall through to the generic message.
  }
  throw new Error(message || `Request failed (${response.status}).`);
}

function onSubmit(formId, send, done = () => location.assign("/account")) {
  const form = document.getElementById(formId);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    clearError();
    button.disabled = true;
    try {
      done(await send());
    } catch (error) {
      showError(error.message);
    } finally {
      button.disabled = false;
    }
  });
}

onSubmit("sign-up", () =>
  api("/signup/email", { name: value("name"), email: value("email"), password: value("password") }),
);
// An account with two-factor on answers `{twoFactorRequired: true}`: no
// session yet, the code is asked for on /two-factor.
onSubmit(
  "sign-in",
  () => api("/signin/email", { email: value("email"), password: value("password") }),
  (answer) =>
    location.assign(answer && answer.twoFactorRequired ? "/two-factor?callbackURL=%2Faccount" : "/account"),
);

// Email flows: the demo prints the mail in the server's console.
const SENT =
  "If an account exists for that address, a link is on its way. (Demo: the server prints it in its console.)";
onSubmit(
  "magic-link",
  () => api("/signin/magic-link", { email: value("magic-email"), callbackURL: "/account" }),
  () => showNotice(SENT),
);
onSubmit(
  "forgot",
  () => api("/request-password-reset", { email: value("email"), redirectTo: "/reset-password" }),
  () => showNotice(SENT),
);
onSubmit(
  "reset",
  () =>
    api("/reset-password", {
      token: new URLSearchParams(location.search).get("token") || "",
      newPassword: value("password"),
    }),
  () => location.assign("/sign-in?reset=done"),
);

// Social sign-in: the server answers the provider's URL; the provider
// sends the browser back to /account, or here with ?error=CODE.
for (const button of document.querySelectorAll("button.social")) {
  button.addEventListener("click", async () => {
    clearError();
    button.disabled = true;
    try {
      const { url } = await api("/signin/" + encodeURIComponent(button.dataset.provider), {
        callbackURL: "/account",
        errorCallbackURL: "/sign-in",
      });
      location.assign(url);
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}

// Messages carried in the address bar (a failed link, a finished reset,
// a social sign-in that did not work).
{
  const params = new URLSearchParams(location.search);
  const codes = {
    INVALID_TOKEN: "This link is invalid or has already been used.",
    TOKEN_EXPIRED: "This link has expired. Ask for a new one.",
    ACCESS_DENIED: "Sign-in was cancelled at the provider.",
    ACCOUNT_NOT_LINKED:
      "An account with this email already exists. Sign in to it first, then link the provider.",
    EMAIL_REQUIRED: "The provider did not share an email address.",
    INVALID_STATE: "That sign-in attempt expired. Try again.",
    PROVIDER_UNAVAILABLE: "The sign-in provider is unavailable. Try again later.",
    INVALID_CHALLENGE: "That sign-in expired before its code was entered. Sign in again.",
  };
  if (params.get("error")) showError(codes[params.get("error")] || "Something went wrong. Try again.");
  if (params.get("reset") === "done") showNotice("Your password was changed. Sign in with the new one.");
  if (params.get("two-factor") === "on") showNotice("Two-factor authentication is on.");
  if (params.get("two-factor") === "off") showNotice("Two-factor authentication is off.");
  if (params.get("passkey") === "added") showNotice("Your passkey was added.");
}

document.getElementById("sign-out")?.addEventListener("click", async () => {
  try {
    await api("/signout");
    location.assign("/sign-in");
  } catch (error) {
    showError(error.message);
  }
});

for (const button of document.querySelectorAll("button.revoke")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/sessions/revoke", { id: button.dataset.id });
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}

// --- Two-factor: the challenge page (/two-factor) ----------------------------

{
  const form = document.getElementById("two-factor-verify");
  const kinds = {
    totp: {
      path: "/two-factor/verify-totp",
      prompt: "Enter the code from your authenticator app.",
      label: "Code",
    },
    backup: {
      path: "/two-factor/verify-backup-code",
      prompt: "Enter one of your backup codes. Each one works once.",
      label: "Backup code",
    },
    email: {
      path: "/two-factor/verify-otp",
      prompt: "Enter the code we emailed you. (Demo: the server prints it in its console.)",
      label: "Emailed code",
    },
  };
  function use(kind) {
    form.dataset.kind = kind;
    document.getElementById("two-factor-prompt").textContent = kinds[kind].prompt;
    document.getElementById("two-factor-code-label").textContent = kinds[kind].label;
    document.getElementById("use-totp").hidden = kind === "totp";
    document.getElementById("use-backup-code").hidden = kind === "backup";
    const input = document.getElementById("two-factor-code");
    input.value = "";
    input.inputMode = kind === "backup" ? "text" : "numeric";
    input.focus();
  }
  if (form) {
    document.getElementById("use-totp").addEventListener("click", () => use("totp"));
    document.getElementById("use-backup-code").addEventListener("click", () => use("backup"));
    document.getElementById("send-email-code")?.addEventListener("click", async (event) => {
      const button = event.currentTarget;
      clearError();
      button.disabled = true;
      try {
        await api("/two-factor/send-otp");
        use("email");
        showNotice("A code is on its way to your email address. (Demo: the server prints it in its console.)");
      } catch (error) {
        showError(error.message);
      } finally {
        button.disabled = false;
      }
    });
    onSubmit(
      "two-factor-verify",
      () =>
        api(kinds[form.dataset.kind].path, {
          code: value("two-factor-code"),
          trustDevice: document.getElementById("trust-device").checked,
        }),
      // A path on this site: the server checked it before writing it here.
      () => location.assign(form.dataset.next || "/account"),
    );
  }
}

// --- Two-factor: the account page ---------------------------------------------

onSubmit(
  "two-factor-enable",
  // The demo's own route answers the enrolment as HTML rendered on the
  // server (QR code, key, backup codes): the secret is never sent back.
  () => fragment("/account/two-factor/enable", { password: value("two-factor-enable-password") }),
  (html) => {
    const box = document.getElementById("two-factor-enrolment");
    box.innerHTML = html;
    box.hidden = false;
    document.getElementById("two-factor-enable-password").value = "";
    document.getElementById("two-factor-confirm").hidden = false;
    document.getElementById("two-factor-confirm-code").focus();
  },
);
onSubmit(
  "two-factor-confirm",
  () => api("/two-factor/verify-totp", { code: value("two-factor-confirm-code") }),
  () => location.assign("/account?two-factor=on"),
);
onSubmit(
  "two-factor-backup-codes",
  () => api("/two-factor/backup-codes", { password: value("two-factor-backup-password") }),
  ({ backupCodes }) => {
    const list = document.getElementById("backup-codes");
    list.replaceChildren(
      ...backupCodes.map((code) => {
        const item = document.createElement("li");
        item.append(Object.assign(document.createElement("code"), { textContent: code }));
        return item;
      }),
    );
    document.getElementById("new-backup-codes").hidden = false;
    document.getElementById("two-factor-backup-password").value = "";
  },
);
onSubmit(
  "two-factor-disable",
  () => api("/two-factor/disable", { password: value("two-factor-disable-password") }),
  () => location.assign("/account?two-factor=off"),
);
for (const button of document.querySelectorAll("button.revoke-device")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/two-factor/trusted-devices/revoke", { id: button.dataset.id });
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}

// --- Passkeys -------------------------------------------------------------------

// The server speaks WebAuthn's JSON (binary fields in base64url); browsers
// with the Level 3 helpers convert it themselves, older ones get this.
const passkeys = {
  supported: typeof PublicKeyCredential === "function" && !!navigator.credentials,
  toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  },
  toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return {
      ...json,
      challenge: this.toBytes(json.challenge),
      user: { ...json.user, id: this.toBytes(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: this.toBytes(c.id) })),
    };
  },
  requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return {
      ...json,
      challenge: this.toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: this.toBytes(c.id) })),
    };
  },
  toJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: this.toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = this.toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = this.toText(r.authenticatorData);
      response.signature = this.toText(r.signature);
      if (r.userHandle) response.userHandle = this.toText(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: this.toText(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  },
  // A ceremony the person cancelled (or that timed out) is no error to show.
  cancelled(error) {
    return error && (error.name === "NotAllowedError" || error.name === "AbortError");
  },
};

// Sign-in page: the button (the browser lists the passkeys it holds for
// this site, no address needed) and, where the browser can, the same
// passkeys offered in the email field's autofill (conditional UI).
{
  const button = document.getElementById("passkey-sign-in");
  let pending = null; // the autofill request, cancelled before the button's

  async function signInWithPasskey(conditional) {
    const { publicKey } = await api("/passkey/signin/options", {});
    const options = { publicKey: passkeys.requestOptions(publicKey) };
    if (conditional) {
      pending = new AbortController();
      options.mediation = "conditional";
      options.signal = pending.signal;
    }
    const credential = await navigator.credentials.get(options);
    const answer = await api("/signin/passkey", { credential: passkeys.toJSON(credential) });
    location.assign(answer && answer.twoFactorRequired ? "/two-factor?callbackURL=%2Faccount" : "/account");
  }

  if (button && !passkeys.supported) {
    button.hidden = true;
  } else if (button) {
    button.addEventListener("click", async () => {
      clearError();
      button.disabled = true;
      pending?.abort();
      pending = null;
      try {
        await signInWithPasskey(false);
      } catch (error) {
        if (passkeys.cancelled(error)) showError("No passkey was used. Try again, or sign in with your password.");
        else showError(error.message);
      } finally {
        button.disabled = false;
      }
    });
    PublicKeyCredential.isConditionalMediationAvailable?.().then((available) => {
      if (!available) return;
      signInWithPasskey(true).catch((error) => {
        // Aborted for the button, or nothing picked: stay quiet.
        if (!passkeys.cancelled(error)) showError(error.message);
      });
    }, () => {});
  }
}

// Account page: add a passkey. A session older than the server's fresh
// age must first be confirmed with a passkey the person already has (or
// by signing in again, when they have none).
async function confirmWithPasskey() {
  const { publicKey } = await api("/passkey/verify/options", {});
  const credential = await navigator.credentials.get({ publicKey: passkeys.requestOptions(publicKey) });
  await api("/passkey/verify", { credential: passkeys.toJSON(credential) });
}

async function registerPasskey(name) {
  let start;
  try {
    start = await api("/passkey/register/options", {});
  } catch (error) {
    if (error.code !== "SESSION_NOT_FRESH") throw error;
    if (document.querySelector("#passkeys tr.passkey") === null) {
      throw new Error("For your safety, sign out and sign in again before adding a passkey.");
    }
    await confirmWithPasskey();
    start = await api("/passkey/register/options", {});
  }
  const credential = await navigator.credentials.create({ publicKey: passkeys.creationOptions(start.publicKey) });
  const body = { credential: passkeys.toJSON(credential) };
  if (name) body.name = name;
  return api("/passkey/register/verify", body);
}

if (document.getElementById("passkey-register") && !passkeys.supported) {
  document.getElementById("passkey-register").hidden = true;
}
onSubmit(
  "passkey-register",
  async () => {
    try {
      return await registerPasskey(value("passkey-name").trim());
    } catch (error) {
      if (passkeys.cancelled(error)) throw new Error("No passkey was added.");
      throw error;
    }
  },
  () => location.assign("/account?passkey=added"),
);
for (const form of document.querySelectorAll("form.passkey-rename")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    try {
      await api("/passkey/rename", { id: form.dataset.id, name: form.querySelector("input").value });
      location.reload();
    } catch (error) {
      showError(error.message);
    }
  });
}
for (const button of document.querySelectorAll("button.passkey-delete")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/passkey/delete", { id: button.dataset.id });
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}

// --- API keys -------------------------------------------------------------------

onSubmit(
  "api-key-create",
  () => {
    const days = value("api-key-expires").trim();
    const body = { name: value("api-key-name") };
    if (days) body.expiresIn = Number(days) * 24 * 60 * 60;
    return api("/api-key/create", body);
  },
  ({ key }) => {
    // Shown once: the server keeps only its hash.
    document.getElementById("new-api-key").textContent = key;
    document.getElementById("api-key-created").hidden = false;
    document.getElementById("api-key-create").hidden = true;
  },
);
document.getElementById("api-key-copy")?.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(document.getElementById("new-api-key").textContent);
    showNotice("Copied.");
  } catch {
    showNotice("Select the key and copy it yourself.");
  }
});
document.getElementById("api-key-done")?.addEventListener("click", () => location.assign("/account"));
for (const button of document.querySelectorAll("button.api-key-toggle")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/api-key/update", { keyId: button.dataset.id, enabled: button.dataset.enabled !== "true" });
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}
for (const button of document.querySelectorAll("button.api-key-delete")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/api-key/delete", { keyId: button.dataset.id });
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}
