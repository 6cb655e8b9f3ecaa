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
    throw new Error(message || `Request failed (${response.status}).`);
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

function onSubmit(formId, send, done = () => location.assign("/account")) {
  const form = document.getElementById(formId);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    clearError();
    button.disabled = true;
    try {
      await send();
      done();
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
onSubmit("sign-in", () => api("/signin/email", { email: value("email"), password: value("password") }));

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
  };
  if (params.get("error")) showError(codes[params.get("error")] || "Something went wrong. Try again.");
  if (params.get("reset") === "done") showNotice("Your password was changed. Sign in with the new one.");
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
