// The demo's only script, an ES module: forms and buttons call the server
// through the NanoAuth browser client (clients/js, bundled as
// /nanoauth-client.js; `npm run build:demo` in clients/js rebuilds it) and
// show its error messages. The one request it makes itself is to the demo's
// own HTML route for the two-factor enrolment (not the auth API).
import { createAuthClient, createPasskeyClient } from "/nanoauth-client.js";

// Same origin: the routes are under /api/auth. The pages are rendered on
// the server, so the store is never subscribed to and fetches nothing on
// its own; each page navigates after a call.
const auth = createAuthClient();
const passkey = createPasskeyClient(auth);

/** The data of a call's `{ data, error }`; the error (an AuthError, with `code`) is thrown. */
async function must(call) {
  const { data, error } = await call;
  if (error) throw error;
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

/** A button that calls `send`, then reloads the page (the server renders the change). */
function onClickReload(selector, send) {
  for (const button of document.querySelectorAll(selector)) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await must(send(button));
        location.reload();
      } catch (error) {
        showError(error.message);
        button.disabled = false;
      }
    });
  }
}

// An account with two-factor on answers `{twoFactorRequired: true}`: no
// session yet, the code is asked for on /two-factor.
const afterSignIn = (answer) =>
  location.assign(answer && answer.twoFactorRequired ? "/two-factor?callbackURL=%2Faccount" : "/account");

onSubmit("sign-up", () =>
  must(auth.signUp("email", { name: value("name"), email: value("email"), password: value("password") })),
);
onSubmit("sign-in", () => must(auth.signIn("email", { email: value("email"), password: value("password") })), afterSignIn);

// Email flows: the demo prints the mail in the server's console.
const SENT =
  "If an account exists for that address, a link is on its way. (Demo: the server prints it in its console.)";
onSubmit(
  "magic-link",
  () => must(auth.signIn.magicLink({ email: value("magic-email"), callbackURL: "/account" })),
  () => showNotice(SENT),
);
onSubmit(
  "forgot",
  () => must(auth.requestPasswordReset({ email: value("email"), redirectTo: "/reset-password" })),
  () => showNotice(SENT),
);
onSubmit(
  "reset",
  () =>
    must(
      auth.resetPassword({
        token: new URLSearchParams(location.search).get("token") || "",
        newPassword: value("password"),
      }),
    ),
  () => location.assign("/sign-in?reset=done"),
);

// Social sign-in: the server answers the provider's URL and the client
// sends the browser there; the provider sends it back to /account, or
// here with ?error=CODE.
for (const button of document.querySelectorAll("button.social")) {
  button.addEventListener("click", async () => {
    clearError();
    button.disabled = true;
    const { error } = await auth.signIn.social(button.dataset.provider, {
      callbackURL: "/account",
      errorCallbackURL: "/sign-in",
    });
    if (error) {
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
    CONFLICT: "That address belongs to another account now.",
  };
  if (params.get("error")) showError(codes[params.get("error")] || "Something went wrong. Try again.");
  if (params.get("reset") === "done") showNotice("Your password was changed. Sign in with the new one.");
  if (params.get("two-factor") === "on") showNotice("Two-factor authentication is on.");
  if (params.get("two-factor") === "off") showNotice("Two-factor authentication is off.");
  if (params.get("passkey") === "added") showNotice("Your passkey was added.");
  if (params.get("emailChanged") === "true") showNotice("Your email address was changed.");
  if (params.get("deleted") === "true") showNotice("Your account was deleted.");
}

document.getElementById("sign-out")?.addEventListener("click", async () => {
  const { error } = await auth.signOut();
  if (error) showError(error.message);
  else location.assign("/sign-in");
});

onClickReload("button.revoke", (button) => auth.revokeSession(button.dataset.id));

// --- Managing the account (the account page) ---------------------------------

onSubmit(
  "edit-name",
  () => must(auth.updateUser({ name: value("new-name") })),
  () => location.reload(),
);

onSubmit(
  "change-email",
  () => must(auth.changeEmail({ newEmail: value("new-email"), callbackURL: "/account" })),
  () => {
    document.getElementById("new-email").value = "";
    showNotice(
      "Open the link we sent to the new address to finish (the demo prints it in its console). " +
        "Until then your address stays as it is.",
    );
  },
);

onSubmit(
  "delete-account",
  () => {
    if (!confirm("Delete your account and everything stored for it? This cannot be undone.")) {
      return { cancelled: true };
    }
    const password = value("delete-password");
    return must(auth.deleteUser(password ? { password } : { callbackURL: "/sign-in" }));
  },
  (answer) => {
    if (answer.cancelled) return;
    if (answer.deleted) location.assign("/sign-in?deleted=true");
    else showNotice("Open the link we emailed you to delete the account (the demo prints it in its console).");
  },
);

// --- Two-factor: the challenge page (/two-factor) ----------------------------

{
  const form = document.getElementById("two-factor-verify");
  const kinds = {
    totp: {
      verify: auth.twoFactor.verifyTotp,
      prompt: "Enter the code from your authenticator app.",
      label: "Code",
    },
    backup: {
      verify: auth.twoFactor.verifyBackupCode,
      prompt: "Enter one of your backup codes. Each one works once.",
      label: "Backup code",
    },
    email: {
      verify: auth.twoFactor.verifyOtp,
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
      const { error } = await auth.twoFactor.sendOtp();
      button.disabled = false;
      if (error) return showError(error.message);
      use("email");
      showNotice("A code is on its way to your email address. (Demo: the server prints it in its console.)");
    });
    onSubmit(
      "two-factor-verify",
      () =>
        must(
          kinds[form.dataset.kind].verify({
            code: value("two-factor-code"),
            trustDevice: document.getElementById("trust-device").checked,
          }),
        ),
      // A path on this site: the server checked it before writing it here.
      () => location.assign(form.dataset.next || "/account"),
    );
  }
}

// --- Two-factor: the account page ---------------------------------------------

onSubmit(
  "two-factor-enable",
  // The demo's own route answers the enrolment as HTML rendered on the
  // server (QR code, key, backup codes), so no QR code library ships to
  // the browser. It calls the same plugin as `auth.twoFactor.enable`.
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
  () => must(auth.twoFactor.verifyTotp({ code: value("two-factor-confirm-code") })),
  () => location.assign("/account?two-factor=on"),
);
onSubmit(
  "two-factor-backup-codes",
  () => must(auth.twoFactor.generateBackupCodes({ password: value("two-factor-backup-password") })),
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
  () => must(auth.twoFactor.disable({ password: value("two-factor-disable-password") })),
  () => location.assign("/account?two-factor=off"),
);
onClickReload("button.revoke-device", (button) => auth.twoFactor.revokeTrustedDevice({ id: button.dataset.id }));

// --- Passkeys -------------------------------------------------------------------

// Sign-in page: the button (the browser lists the passkeys it holds for
// this site, no address needed) and, where the browser can, the same
// passkeys offered in the email field's autofill (conditional UI).
{
  const button = document.getElementById("passkey-sign-in");
  let pending = null; // the autofill request, cancelled before the button's

  if (button && !passkey.supported()) {
    button.hidden = true;
  } else if (button) {
    button.addEventListener("click", async () => {
      clearError();
      button.disabled = true;
      pending?.abort();
      pending = null;
      const { data, error } = await passkey.signIn();
      button.disabled = false;
      if (!error) afterSignIn(data);
      else if (error.code === "PASSKEY_CANCELLED") showError("No passkey was used. Try again, or sign in with your password.");
      else showError(error.message);
    });
    passkey.conditionalAvailable().then(async (available) => {
      if (!available) return;
      pending = new AbortController();
      const { data, error } = await passkey.signIn({ conditional: true, signal: pending.signal });
      if (!error) afterSignIn(data);
      // Aborted for the button, or nothing picked: stay quiet.
      else if (error.code !== "PASSKEY_CANCELLED") showError(error.message);
    });
  }
}

// Sign-up page: an account with a passkey alone, no password (the
// server's PasskeySignUp); the address is confirmed by email later.
{
  const button = document.getElementById("passkey-sign-up");
  if (button && !passkey.supported()) {
    button.hidden = true;
  } else if (button) {
    button.addEventListener("click", async () => {
      clearError();
      const email = document.getElementById("email");
      if (!email.value.trim() || !email.checkValidity()) return showError("Enter your email address first.");
      button.disabled = true;
      const { data, error } = await passkey.signUp({ email: value("email"), name: value("name") }, { name: "This device" });
      button.disabled = false;
      if (error) return showError(error.code === "PASSKEY_CANCELLED" ? "No passkey was created. Try again." : error.message);
      if (!data.user) return showNotice("Check your email to finish signing up.");
      location.assign("/account");
    });
  }
}

// Account page: add a passkey. A session older than the server's fresh
// age must first be confirmed with a passkey the person already has (or
// by signing in again, when they have none).
async function registerPasskey(name) {
  const registered = await passkey.register({ name });
  if (registered.error?.code !== "SESSION_NOT_FRESH") return registered;
  if (document.querySelector("#passkeys tr.passkey") === null) {
    throw new Error("For your safety, sign out and sign in again before adding a passkey.");
  }
  const confirmed = await passkey.reauthenticate();
  return confirmed.error ? confirmed : passkey.register({ name });
}

if (document.getElementById("passkey-register") && !passkey.supported()) {
  document.getElementById("passkey-register").hidden = true;
}
onSubmit(
  "passkey-register",
  async () => {
    const { data, error } = await registerPasskey(value("passkey-name").trim());
    if (error?.code === "PASSKEY_CANCELLED") throw new Error("No passkey was added.");
    if (error) throw error;
    return data;
  },
  () => location.assign("/account?passkey=added"),
);
for (const form of document.querySelectorAll("form.passkey-rename")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const { error } = await passkey.rename({ id: form.dataset.id, name: form.querySelector("input").value });
    if (error) showError(error.message);
    else location.reload();
  });
}
onClickReload("button.passkey-delete", (button) => passkey.delete({ id: button.dataset.id }));

// --- API keys -------------------------------------------------------------------

onSubmit(
  "api-key-create",
  () => {
    const days = value("api-key-expires").trim();
    const body = { name: value("api-key-name") };
    if (days) body.expiresIn = Number(days) * 24 * 60 * 60;
    return must(auth.apiKey.create(body));
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
onClickReload("button.api-key-toggle", (button) =>
  auth.apiKey.update({ keyId: button.dataset.id, enabled: button.dataset.enabled !== "true" }),
);
onClickReload("button.api-key-delete", (button) => auth.apiKey.delete({ keyId: button.dataset.id }));
