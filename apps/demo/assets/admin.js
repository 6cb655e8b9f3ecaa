// The Admin page's buttons (and the account page's "Stop impersonating"):
// each calls the admin plugin's route through the NanoAuth client and
// reloads or moves on. Errors show in the page's #error box.
import { createAuthClient } from "/nanoauth-client.js";

const auth = createAuthClient();

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
}

const actions = {
  async ban(userId) {
    const reason = document.getElementById("ban-reason")?.value.trim();
    return auth.admin.banUser({ userId, reason: reason || undefined });
  },
  unban: (userId) => auth.admin.unbanUser({ userId }),
  impersonate: (userId) => auth.admin.impersonateUser({ userId }),
  "stop-impersonating": () => auth.admin.stopImpersonating(),
};

const after = {
  ban: () => location.reload(),
  unban: () => location.reload(),
  impersonate: () => location.assign("/account"),
  "stop-impersonating": () => location.assign("/admin"),
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const action = button.dataset.action;
  button.disabled = true;
  const { error } = await actions[action](button.dataset.id);
  if (error) {
    showError(error.message);
    button.disabled = false;
    return;
  }
  after[action]();
});
