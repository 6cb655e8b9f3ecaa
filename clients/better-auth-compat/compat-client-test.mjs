// better-auth's own client (createAuthClient from better-auth/client, the
// version pinned in package.json) against the NanoAuth demo started with
// --better-auth-compat: sign up, getSession, sign out, sign in, useSession
// through its vanilla store, the error code of a wrong password, the
// session list, and a password-reset request. Exits non-zero on the first failed check.
//
// DEMO_URL: where the demo answers (http://127.0.0.1:<port>). Run by run.sh.
import assert from "node:assert/strict";
import { createAuthClient } from "better-auth/client";

const DEMO_URL = process.env.DEMO_URL;
if (!DEMO_URL) {
  console.error("DEMO_URL is not set (run.sh starts the demo and sets it)");
  process.exit(2);
}
const COOKIE = "better-auth.session_token";

// Node's fetch keeps no cookies: this one does, as a browser on DEMO_URL
// would (and sends Origin on state-changing requests, as browsers do).
const jar = new Map();
async function browserFetch(input, init = {}) {
  const request = new Request(input, init);
  const headers = new Headers(request.headers);
  if (jar.size > 0) {
    headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
  }
  if (!["GET", "HEAD"].includes(request.method)) headers.set("origin", DEMO_URL);
  const response = await fetch(new Request(request, { headers }));
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || value === "";
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
  return response;
}

const client = createAuthClient({
  baseURL: `${DEMO_URL}/api/auth`,
  fetchOptions: { customFetchImpl: browserFetch },
});

/** The session store's next value that satisfies `predicate` (5 s at most). */
function storeValue(predicate, what) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`useSession never showed ${what}; last: ${JSON.stringify(client.useSession.get())}`));
    }, 5000);
    unsubscribe = client.useSession.subscribe((value) => {
      if (!value.isPending && !value.isRefetching && predicate(value)) {
        clearTimeout(timer);
        queueMicrotask(() => unsubscribe());
        resolve(value);
      }
    });
  });
}

let passed = 0;
async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok ${passed} - ${name}`);
  } catch (error) {
    console.error(`not ok - ${name}\n`, error);
    process.exit(1);
  }
}

const email = `ada-${Date.now()}@example.com`;
const password = "correct horse battery staple";
let userId;

// Keeps the store mounted, so sign-in, sign-up and sign-out signal it as
// they do in a browser app.
const keepMounted = client.useSession.listen(() => {});

await check("no session before signing up", async () => {
  const { data, error } = await client.getSession();
  assert.equal(error, null);
  assert.equal(data, null);
});

await check("signUp.email: {token, user}, better-auth's cookie", async () => {
  const { data, error } = await client.signUp.email({ email, password, name: "Ada" });
  assert.equal(error, null, JSON.stringify(error));
  assert.equal(typeof data.token, "string");
  assert.equal(data.user.email, email);
  assert.equal(data.user.name, "Ada");
  assert.equal(data.user.emailVerified, false);
  assert.equal(data.user.image, null);
  assert.ok(jar.has(COOKIE), `cookie ${COOKIE} set (jar: ${[...jar.keys()]})`);
  userId = data.user.id;
});

await check("getSession: {session, user}, dates parsed", async () => {
  const { data, error } = await client.getSession();
  assert.equal(error, null);
  assert.equal(data.user.id, userId);
  assert.equal(data.session.userId, userId);
  assert.ok(data.session.expiresAt instanceof Date, "expiresAt is a Date");
  assert.ok(data.session.expiresAt.getTime() > Date.now());
  assert.ok(data.session.createdAt instanceof Date, "createdAt is a Date");
});

await check("useSession (vanilla store) holds the signed-up user", async () => {
  await client.useSession.get().refetch();
  const value = await storeValue((v) => v.data?.user?.id === userId, "the user");
  assert.equal(value.error, null);
  assert.equal(value.data.user.email, email);
});

await check("signOut: {success: true}, cookie cleared, session gone", async () => {
  const { data, error } = await client.signOut();
  assert.equal(error, null);
  assert.equal(data.success, true);
  assert.ok(!jar.has(COOKIE), "cookie cleared");
  const session = await client.getSession();
  assert.equal(session.data, null);
});

await check("useSession follows the sign-out", async () => {
  await storeValue((v) => v.data === null, "no session");
});

await check("a wrong password: INVALID_EMAIL_OR_PASSWORD, 401", async () => {
  const { data, error } = await client.signIn.email({ email, password: "not the password" });
  assert.equal(data, null);
  assert.equal(error.status, 401);
  assert.equal(error.code, "INVALID_EMAIL_OR_PASSWORD");
  assert.equal(error.message, "Invalid email or password");
  assert.ok(!jar.has(COOKIE));
});

await check("a taken address: USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", async () => {
  const { error } = await client.signUp.email({ email, password, name: "Again" });
  assert.equal(error.status, 422);
  assert.equal(error.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
});

await check("signIn.email: {redirect, token, user}", async () => {
  const { data, error } = await client.signIn.email({ email, password });
  assert.equal(error, null, JSON.stringify(error));
  assert.equal(data.user.id, userId);
  assert.equal(data.redirect, false);
  assert.equal(typeof data.token, "string");
  assert.ok(jar.has(COOKIE));
});

await check("useSession follows the sign-in", async () => {
  const value = await storeValue((v) => v.data?.user?.id === userId, "the user again");
  assert.ok(value.data.session.expiresAt instanceof Date);
});

await check("listSessions and revokeSession", async () => {
  const listed = await client.listSessions();
  assert.equal(listed.error, null);
  assert.equal(listed.data.length, 1, "only the current session (the first was signed out)");
  const current = (await client.getSession()).data.session;
  assert.equal(listed.data[0].token, current.token);
  const others = await client.revokeOtherSessions();
  assert.equal(others.data.status, true);
  assert.equal((await client.getSession()).data.user.id, userId, "the current session stays");
  const revoked = await client.revokeSession({ token: current.token });
  assert.equal(revoked.data.status, true);
  assert.equal((await client.getSession()).data, null);
});

await check("requestPasswordReset reaches NanoAuth's reset: {status: true}", async () => {
  const { data, error } = await client.requestPasswordReset({ email, redirectTo: "/reset" });
  assert.equal(error, null, JSON.stringify(error));
  assert.equal(data.status, true);
});

keepMounted();
console.log(`all ${passed} checks passed against ${DEMO_URL}`);
process.exit(0);
