// The organizations pages of the demo (/organizations, /accept-invitation),
// an ES module like app.js: every action is a call of the NanoAuth browser
// client's `organization.*` (bundled in /nanoauth-client.js), and the page
// is drawn again from the answers. User text goes in as text, never HTML.
import { createAuthClient } from "/nanoauth-client.js";

const auth = createAuthClient();
const ROLES = ["owner", "admin", "editor", "member"];

async function must(call) {
  const { data, error } = await call;
  if (error) throw error;
  return data;
}

function show(id, message) {
  const box = document.getElementById(id);
  box.textContent = message;
  box.hidden = false;
}

function hide(id) {
  document.getElementById(id).hidden = true;
}

/** Runs `action`, showing its error (the server's message) if it fails. */
async function attempt(action) {
  hide("error");
  try {
    await action();
  } catch (error) {
    show("error", error.message || String(error));
  }
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// --- /organizations ---------------------------------------------------------

async function drawOrganizations() {
  const session = await must(auth.getSession());
  const active = session && session.session.activeOrganizationId;
  const list = document.getElementById("org-list");
  const organizations = await must(auth.organization.list());
  list.replaceChildren();
  if (organizations.length === 0) list.append(element("li", "None yet: create one below.", { class: "hint", id: "no-organizations" }));
  for (const organization of organizations) {
    const item = element("li", undefined, { "data-slug": organization.slug });
    item.append(element("span", `${organization.name} (${organization.slug})`, { class: "org-name" }));
    if (organization.id === active) {
      item.append(" ", element("span", "Active", { class: "badge" }));
    } else {
      const button = element("button", "Switch", { class: "secondary switch", "data-id": organization.id });
      button.addEventListener("click", () =>
        attempt(async () => {
          await must(auth.organization.setActive({ organizationId: organization.id }));
          await drawOrganizations();
        }),
      );
      item.append(" ", button);
    }
    list.append(item);
  }
  await drawActive(active, session.user.id);
}

async function drawActive(active, userId) {
  const section = document.getElementById("org-active");
  if (!active) {
    section.hidden = true;
    return;
  }
  const full = await must(auth.organization.getFull({ organizationId: active }));
  section.hidden = false;
  document.getElementById("org-active-name").textContent = full.organization.name;
  const rows = document.querySelector("#org-members tbody");
  rows.replaceChildren();
  for (const member of full.members) {
    const email = member.user ? member.user.email : member.userId;
    const row = element("tr", undefined, { class: "member", "data-email": email, "data-id": member.id });
    row.append(element("td", email));
    const roleCell = element("td");
    const select = element("select", undefined, { class: "member-role", "aria-label": `Role of ${email}` });
    for (const role of ROLES) select.append(element("option", role, { value: role }));
    // Several roles show as their first; the select changes to one role.
    select.value = member.role.split(",")[0];
    select.addEventListener("change", () =>
      attempt(async () => {
        await must(auth.organization.updateMemberRole({ organizationId: active, memberId: member.id, role: select.value }));
        show("notice", `${email} is now ${select.value}.`);
        // Drawn again either way (a refused change puts the old role
        // back), keeping the refusal's message on screen.
      }).then(() => drawOrganizations().catch((error) => show("error", error.message || String(error)))),
    );
    roleCell.append(select);
    row.append(roleCell);
    const actions = element("td");
    const remove = element("button", member.userId === userId ? "Leave" : "Remove", { class: "secondary remove-member" });
    remove.addEventListener("click", () =>
      attempt(async () => {
        if (member.userId === userId) await must(auth.organization.leave({ organizationId: active }));
        else await must(auth.organization.removeMember({ organizationId: active, memberId: member.id }));
        await drawOrganizations();
      }),
    );
    actions.append(remove);
    row.append(actions);
    rows.append(row);
  }
  const invitations = document.getElementById("org-invitations");
  invitations.replaceChildren();
  if (full.invitations.length === 0) invitations.append(element("li", "None.", { class: "hint" }));
  for (const invitation of full.invitations) {
    const item = element("li", `${invitation.email} as ${invitation.role} `, { class: "invitation", "data-email": invitation.email });
    const cancel = element("button", "Cancel", { class: "secondary" });
    cancel.addEventListener("click", () =>
      attempt(async () => {
        await must(auth.organization.cancelInvitation({ invitationId: invitation.id }));
        await drawOrganizations();
      }),
    );
    item.append(cancel);
    invitations.append(item);
  }
}

function organizationsPage() {
  document.getElementById("org-create").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const name = document.getElementById("org-name-input").value;
      const slug = document.getElementById("org-slug").value;
      await must(auth.organization.create({ name, slug }));
      event.target.reset();
      show("notice", `${name} created; it is your active organization.`);
      await drawOrganizations();
    });
  });
  document.getElementById("org-invite").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const email = document.getElementById("invite-email").value;
      const role = document.getElementById("invite-role").value;
      await must(auth.organization.inviteMember({ email, role }));
      event.target.reset();
      show("notice", `Invitation sent to ${email} (see the server's console).`);
      await drawOrganizations();
    });
  });
  document.getElementById("check-permission").addEventListener("click", () =>
    attempt(async () => {
      const { success } = await must(auth.organization.hasPermission({ permissions: { project: ["create"] } }));
      document.getElementById("permission-result").textContent = success ? "Yes: allowed" : "No: not allowed";
    }),
  );
  attempt(drawOrganizations);
}

// --- /accept-invitation -------------------------------------------------------

function invitationPage() {
  const query = new URLSearchParams(location.search);
  const invitationId = query.get("invitationId") || "";
  const token = query.get("token") || undefined;
  const answer = (call, done) => () =>
    attempt(async () => {
      const session = await must(auth.getSession());
      if (!session) {
        const back = `${location.pathname}${location.search}`;
        document.getElementById("invitation-sign-in-link").href = `/sign-in?callbackURL=${encodeURIComponent(back)}`;
        show("invitation-sign-in", document.getElementById("invitation-sign-in").textContent);
        return;
      }
      await must(call({ invitationId, token }));
      done();
    });
  document.getElementById("accept-invitation").addEventListener(
    "click",
    answer(
      (body) => auth.organization.acceptInvitation(body),
      () => location.assign("/organizations"),
    ),
  );
  document.getElementById("reject-invitation").addEventListener(
    "click",
    answer(
      (body) => auth.organization.rejectInvitation(body),
      () => show("notice", "Invitation declined."),
    ),
  );
}

if (document.getElementById("org-create")) organizationsPage();
if (document.getElementById("accept-invitation")) invitationPage();
