import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';

import { AuthError, createAuthClient } from '../src/client.js';
import type {
  AuthClient,
  AuthClientOptions,
  AuthResult,
  SessionState,
  SignedIn,
  TwoFactorRequired,
  TwoFactorStatus,
} from '../src/client.js';
import { FakeServer } from './fake-server.js';
import type { AppUser } from './fake-server.js';

const BASE = 'http://auth.test';
const PASSWORD = 'correct horse battery';

let server: FakeServer;
const clients: Array<AuthClient<AppUser, { name?: string }>> = [];

function client(options: AuthClientOptions = {}) {
  const made = createAuthClient<AppUser>({ baseURL: BASE, fetch: server.fetch, ...options });
  clients.push(made);
  return made;
}

/** Subscribes and collects every value the store takes. */
function watch<U extends AppUser>(auth: AuthClient<U, { name?: string }>) {
  const seen: Array<SessionState<U>> = [];
  const stop = auth.$session.subscribe((state) => {
    seen.push(state);
  });
  return { seen, stop };
}

/** Lets pending promises and message deliveries run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/** A stand-in for the browser's window and document (Node has neither). */
function fakeBrowser() {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  vi.stubGlobal('window', window);
  vi.stubGlobal('document', document);
  return { window, document };
}

beforeEach(() => {
  server = new FakeServer(`${BASE}/api/auth`);
});

afterEach(() => {
  // Unmounts each store at once (closing its channel, removing listeners).
  clients.forEach((made) => cleanStores(made.$session));
  clients.length = 0;
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('requests', () => {
  it('go to baseURL + /api/auth with cookies and JSON', async () => {
    const auth = client();
    server.addUser('ada@example.com', PASSWORD);
    await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    const [signIn] = server.calls;
    expect(signIn!.url).toBe('http://auth.test/api/auth/signin/email');
    expect(signIn!.init.method).toBe('POST');
    expect(signIn!.init.credentials).toBe('include');
    expect(signIn!.init.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json' });
    expect(signIn!.body).toEqual({ email: 'ada@example.com', password: PASSWORD });
    for (const call of server.calls) expect(call.init.credentials).toBe('include');
  });

  it('resolve the base URL', async () => {
    const urls: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return new Response('null');
    }) as typeof globalThis.fetch;
    const cases: Array<[AuthClientOptions, string]> = [
      [{}, '/api/auth/session'],
      [{ baseURL: 'https://example.com' }, 'https://example.com/api/auth/session'],
      [{ baseURL: 'https://example.com/' }, 'https://example.com/api/auth/session'],
      [{ baseURL: 'https://example.com/auth/' }, 'https://example.com/auth/session'],
      [{ baseURL: 'https://example.com', basePath: '/v1/auth/' }, 'https://example.com/v1/auth/session'],
      [{ baseURL: 'https://example.com/api/auth', basePath: '' }, 'https://example.com/api/auth/session'],
      [{ baseURL: '/auth' }, '/auth/session'],
    ];
    for (const [options] of cases) await createAuthClient({ ...options, fetch }).getSession();
    expect(urls).toEqual(cases.map(([, url]) => url));
  });

  it('call the given fetch without a `this` (window.fetch would throw)', async () => {
    const strictFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      return server.fetch(input, init);
    } as typeof fetch;
    const result = await client({ fetch: strictFetch }).getSession();
    expect(result).toEqual({ data: null, error: null });
  });

  it('sign-out sends no body; sign-up sends the custom fields', async () => {
    const auth = client();
    await auth.signUp('email', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    await auth.signOut();
    const signUp = server.calls.find((call) => call.path === '/signup/email')!;
    expect(signUp.body).toEqual({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    const signOut = server.calls.find((call) => call.path === '/signout')!;
    expect(signOut.init.body).toBeUndefined();
    expect(signOut.init.headers).not.toHaveProperty('content-type');
  });
});

describe('results and errors', () => {
  it('a success is { data, error: null }, with the token exposed but not kept', async () => {
    const auth = client();
    const result = await auth.signUp('email', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    expect(result.error).toBeNull();
    expect(result.data).toEqual({ user: expect.objectContaining({ email: 'ada@example.com', role: 'member' }), token: 'jwt-token' });
    expect(JSON.stringify(auth.$session.get())).not.toContain('jwt-token');
  });

  it("a server error keeps the server's code, message and status", async () => {
    const auth = client();
    server.addUser('ada@example.com', PASSWORD);
    const result = await auth.signIn('email', { email: 'ada@example.com', password: 'wrong password' });
    expect(result.data).toBeNull();
    expect(result.error).toBeInstanceOf(AuthError);
    expect(result.error).toBeInstanceOf(Error);
    expect(result.error).toMatchObject({
      name: 'AuthError',
      code: 'INVALID_CREDENTIALS',
      message: 'Invalid email or password.',
      status: 401,
    });

    const taken = await auth.signUp('email', { email: 'ada@example.com', password: PASSWORD });
    expect(taken.error?.code).toBe('USER_ALREADY_EXISTS');
    expect(taken.error?.status).toBe(409);
    const revoke = await auth.revokeSession('nope');
    expect(revoke.error?.code).toBe('UNAUTHORIZED');
  });

  it('a sign-up waiting for email verification leaves the store signed out', async () => {
    server.override = (call) => (call.path === '/signup/email' ? Response.json({ user: null, token: null }) : undefined);
    const auth = client();
    const result = await auth.signUp('email', { email: 'new@example.com', password: PASSWORD });
    expect(result).toEqual({ data: { user: null, token: null }, error: null });
    // Not treated as a sign-in: no session fetch follows.
    expect(server.calls.filter((call) => call.path === '/session')).toHaveLength(0);
    expect(auth.$session.get().user).toBeNull();
  });

  it('a network failure is NETWORK_ERROR with status 0 and the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const auth = client({ fetch: (async () => Promise.reject(cause)) as typeof fetch });
    const result = await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    expect(result.error).toBeInstanceOf(AuthError);
    expect(result.error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(result.error?.cause).toBe(cause);
  });

  it('a body that breaks off is NETWORK_ERROR too', async () => {
    const broken = new Response(
      new ReadableStream({
        start(controller) {
          controller.error(new Error('connection reset'));
        },
      }),
      { status: 200 },
    );
    const auth = client({ fetch: (async () => broken) as typeof fetch });
    const result = await auth.getSession();
    expect(result.error).toMatchObject({ code: 'NETWORK_ERROR', status: 200 });
  });

  it('answers that are not the API become HTTP_ERROR or INVALID_RESPONSE', async () => {
    const auth = client();
    server.override = (call) =>
      call.path === '/signout'
        ? new Response('<h1>502 Bad Gateway</h1>', { status: 502 })
        : new Response('<!doctype html><p>an SPA fallback</p>', { status: 200 });
    expect((await auth.signOut()).error).toMatchObject({ code: 'HTTP_ERROR', status: 502 });
    expect((await auth.getSession()).error).toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    server.override = () => new Response(JSON.stringify({ unexpected: true }));
    expect((await auth.getSession()).error?.code).toBe('INVALID_RESPONSE');
  });

  it('the session calls', async () => {
    const auth = client();
    const user = server.addUser('ada@example.com', PASSWORD);
    await auth.signIn('email', { email: user.email, password: PASSWORD });
    const listed = await auth.listSessions();
    expect(listed.data).toEqual([expect.objectContaining({ userId: user.id, current: true })]);
    expect((await auth.revokeOtherSessions()).data).toEqual({ revoked: 2 });
    expect(server.count('POST /sessions/revoke-others')).toBe(1);
  });
});

describe('social sign-in', () => {
  const AUTHORIZE = 'https://github.com/login/oauth/authorize?state=s';
  const answer = (body: unknown) =>
    new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

  beforeEach(() => {
    server.override = (call) => {
      if (call.path === '/signin/github' || call.path === '/link/google') return answer({ url: AUTHORIZE, redirect: true });
      if (call.path === '/list-accounts') return answer([{ provider: 'github', accountId: '1', createdAt: 2 }]);
      if (call.path === '/unlink/github') return answer({ success: true });
      return undefined;
    };
  });

  it('signIn.social posts the callbacks and sends the browser to the provider', async () => {
    const assign = vi.fn();
    vi.stubGlobal('window', { location: { assign } });
    const auth = client();
    const result = await auth.signIn.social('github', { callbackURL: '/account', errorCallbackURL: '/sign-in' });
    expect(result.data).toEqual({ url: AUTHORIZE, redirect: true });
    const [call] = server.calls;
    expect(`${call!.method} ${call!.path}`).toBe('POST /signin/github');
    expect(call!.body).toEqual({ callbackURL: '/account', errorCallbackURL: '/sign-in' });
    expect(assign).toHaveBeenCalledWith(AUTHORIZE);
  });

  it('redirect: false only answers the URL; errors do not navigate', async () => {
    const assign = vi.fn();
    vi.stubGlobal('window', { location: { assign } });
    const auth = client();
    expect((await auth.signIn.social('github', { redirect: false })).data?.url).toBe(AUTHORIZE);
    expect(server.calls[0]!.body).toEqual({});
    const failed = await auth.signIn.social('nope');
    expect(failed.error).toBeInstanceOf(AuthError);
    expect(assign).not.toHaveBeenCalled();
  });

  it('link, list and unlink', async () => {
    const auth = client();
    expect((await auth.linkSocial('google', { redirect: false })).data?.url).toBe(AUTHORIZE);
    expect((await auth.listAccounts()).data).toEqual([{ provider: 'github', accountId: '1', createdAt: 2 }]);
    expect((await auth.unlinkAccount('github')).data).toEqual({ success: true });
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /link/google',
      'GET /list-accounts',
      'POST /unlink/github',
    ]);
  });
});

describe('two-factor', () => {
  const CODE = FakeServer.CODE;

  /** Ada, signed up, with two-factor turned on through the client. */
  async function enrolled() {
    const auth = client();
    await auth.signUp('email', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    const enrolment = await auth.twoFactor.enable({ password: PASSWORD });
    expect(enrolment.data?.totpURI).toMatch(/^otpauth:\/\/totp\//);
    expect(enrolment.data?.backupCodes).toHaveLength(1);
    const confirmed = await auth.twoFactor.verifyTotp({ code: CODE });
    expect(confirmed).toEqual({ data: { enabled: true }, error: null });
    await auth.signOut();
    return auth;
  }

  it('a sign-in that needs a second factor leaves the store signed out', async () => {
    const auth = await enrolled();
    const { seen } = watch(auth);
    await settle();
    const before = seen.length;
    const sessionFetches = server.count('GET /session');
    const result = await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    expect(result).toEqual({ data: { twoFactorRequired: true }, error: null });
    // Not a sign-in: the store did not change, nothing was fetched.
    expect(seen).toHaveLength(before);
    expect(auth.$session.get()).toMatchObject({ user: null, isLoading: false });
    expect(server.count('GET /session')).toBe(sessionFetches);
  });

  it('the verified code signs in and fills the store; a wrong one does not', async () => {
    const auth = await enrolled();
    watch(auth);
    await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    const wrong = await auth.twoFactor.verifyTotp({ code: '000000' });
    expect(wrong.error).toMatchObject({ code: 'INVALID_CODE', status: 401 });
    expect(auth.$session.get().user).toBeNull();

    const result = await auth.twoFactor.verifyTotp({ code: CODE, trustDevice: true });
    expect(result.data).toEqual({ user: expect.objectContaining({ email: 'ada@example.com' }), token: 'jwt-token' });
    expect(auth.$session.get()).toMatchObject({
      user: { email: 'ada@example.com' },
      session: expect.objectContaining({ userId: expect.any(String) }),
      isLoading: false,
    });
    const verify = server.calls.filter((call) => call.path === '/two-factor/verify-totp').at(-1)!;
    expect(verify.body).toEqual({ code: CODE, trustDevice: true });
  });

  it('backup codes and emailed codes sign in too; a challenge that is gone is INVALID_CHALLENGE', async () => {
    const auth = await enrolled();
    await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    expect((await auth.twoFactor.verifyBackupCode({ code: CODE })).data?.user?.email).toBe('ada@example.com');
    expect(auth.$session.get().user?.email).toBe('ada@example.com');

    await auth.signOut();
    await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    expect((await auth.twoFactor.sendOtp()).data).toEqual({ success: true });
    const sendOtp = server.calls.find((call) => call.path === '/two-factor/send-otp')!;
    expect(sendOtp.init.body).toBeUndefined();
    expect((await auth.twoFactor.verifyOtp({ code: CODE })).error).toBeNull();
    expect(auth.$session.get().user?.email).toBe('ada@example.com');

    await auth.signOut();
    const gone = await auth.twoFactor.verifyBackupCode({ code: CODE });
    expect(gone.error).toMatchObject({ code: 'INVALID_CHALLENGE', status: 401 });
    expect(auth.$session.get().user).toBeNull();
  });

  it('status, backup codes, trusted devices and turning it off', async () => {
    const auth = await enrolled();
    await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    await auth.twoFactor.verifyTotp({ code: CODE });
    expect((await auth.twoFactor.status()).data).toEqual({
      enabled: true,
      pending: false,
      backupCodesLeft: 10,
      trustedDevices: [],
    });
    expect((await auth.twoFactor.generateBackupCodes({ password: PASSWORD })).data).toEqual({
      backupCodes: ['ccccc-ddddd'],
    });
    expect((await auth.twoFactor.revokeTrustedDevice({ id: 'd1' })).data).toEqual({ success: true });
    expect((await auth.twoFactor.revokeTrustedDevice({ id: 'nope' })).error?.code).toBe('DEVICE_NOT_FOUND');
    expect((await auth.twoFactor.disable({ password: PASSWORD })).data).toEqual({ enabled: false });
    expect((await auth.twoFactor.status()).data?.enabled).toBe(false);
    // Enabling with the wrong password is refused with the server's code.
    expect((await auth.twoFactor.enable({ password: 'wrong' })).error?.code).toBe('INVALID_PASSWORD');
    const calls = server.calls.map((call) => `${call.method} ${call.path}`).filter((c) => c.includes('two-factor'));
    expect(calls.slice(-7)).toEqual([
      'GET /two-factor/status',
      'POST /two-factor/backup-codes',
      'POST /two-factor/trusted-devices/revoke',
      'POST /two-factor/trusted-devices/revoke',
      'POST /two-factor/disable',
      'GET /two-factor/status',
      'POST /two-factor/enable',
    ]);
  });

  it('results are typed: the sign-in answer is a discriminated union', async () => {
    const auth = await enrolled();
    const result = await auth.signIn('email', { email: 'ada@example.com', password: PASSWORD });
    if (result.error) throw result.error;
    if ('twoFactorRequired' in result.data) {
      expectTypeOf(result.data).toEqualTypeOf<TwoFactorRequired>();
      const verified = await auth.twoFactor.verifyTotp({ code: CODE });
      if (verified.error) throw verified.error;
      if ('user' in verified.data) expectTypeOf(verified.data.user.role).toEqualTypeOf<string>();
    } else {
      expectTypeOf(result.data.user.role).toEqualTypeOf<string>();
      throw new Error('expected a second factor to be required');
    }
    expectTypeOf(auth.twoFactor.status).returns.resolves.toEqualTypeOf<AuthResult<TwoFactorStatus>>();
  });
});

describe('account management', () => {
  it('updateUser sends the fields and the store holds the user the server answered', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const result = await auth.updateUser({ name: 'Ada L.' });
    expect(result.error).toBeNull();
    expect(result.data?.user).toEqual({ ...user, name: 'Ada L.' });
    expect(server.calls.at(-1)).toMatchObject({ method: 'POST', path: '/update-user', body: { name: 'Ada L.' } });
    expect(seen.at(-1)?.user?.name).toBe('Ada L.');
    expect(seen.at(-1)?.session).toEqual(expect.objectContaining({ userId: user.id }));
  });

  it('updateUser signed out is UNAUTHORIZED and leaves the store alone', async () => {
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const result = await auth.updateUser({ name: 'x' });
    expect(result.error?.code).toBe('UNAUTHORIZED');
    expect(seen.at(-1)?.user).toBeNull();
  });

  it('changeEmail posts the new address and callback and changes nothing yet', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const result = await auth.changeEmail({ newEmail: 'ada@new.example', callbackURL: '/account' });
    expect(result).toEqual({ data: { success: true }, error: null });
    expect(server.calls.at(-1)).toMatchObject({
      path: '/change-email',
      body: { newEmail: 'ada@new.example', callbackURL: '/account' },
    });
    expect(seen.at(-1)?.user?.email).toBe('ada@example.com');
    expect((await auth.changeEmail({ newEmail: 'nope' })).error?.code).toBe('INVALID_EMAIL');
  });

  it('deleteUser with the password signs out; a wrong or missing one keeps the session', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    expect((await auth.deleteUser({ password: 'wrong password' })).error?.code).toBe('INVALID_PASSWORD');
    expect((await auth.deleteUser()).error?.code).toBe('PASSWORD_REQUIRED');
    expect(server.calls.at(-1)?.body).toEqual({});
    expect(seen.at(-1)?.user).toEqual(user);
    const deleted = await auth.deleteUser({ password: PASSWORD });
    expect(deleted).toEqual({ data: { deleted: true }, error: null });
    expect(seen.at(-1)).toEqual({ user: null, session: null, isLoading: false, error: null });
  });

  it('deleteUser of an account without a password mails a link and keeps the session', async () => {
    const user = server.addUser('nopass@example.com', '');
    server.signInAs(user);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const result = await auth.deleteUser({ callbackURL: '/goodbye' });
    expect(result).toEqual({ data: { deleted: false }, error: null });
    expect(server.calls.at(-1)?.body).toEqual({ callbackURL: '/goodbye' });
    expect(seen.at(-1)?.user).toEqual(user);
  });
});

describe('the session store', () => {
  it('starts loading, and the first subscriber fetches once', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    expect(server.calls).toHaveLength(0); // nothing before a subscriber
    const a = watch(auth);
    const b = watch(auth);
    auth.$session.listen(() => {});
    await settle();
    expect(server.count('GET /session')).toBe(1);
    expect(a.seen).toEqual([
      { user: null, session: null, isLoading: true, error: null },
      { user, session: expect.objectContaining({ userId: user.id }), isLoading: false, error: null },
    ]);
    expect(b.seen.at(-1)).toEqual(a.seen.at(-1));
  });

  it('signed out: user null, not loading', async () => {
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    expect(seen.at(-1)).toEqual({ user: null, session: null, isLoading: false, error: null });
  });

  it('concurrent getSession calls share one request', async () => {
    const auth = client();
    server.hold();
    const calls = [auth.getSession(), auth.getSession(), auth.getSession()];
    watch(auth); // mounting asks too
    await settle();
    server.release();
    const results = await Promise.all(calls);
    expect(server.count('GET /session')).toBe(1);
    expect(results[0]).toBe(results[1]);
    expect(results[1]).toBe(results[2]);
    // Once it answered, a new call is a new request.
    await auth.getSession();
    expect(server.count('GET /session')).toBe(2);
  });

  it('sign-in fills the store without a reload: user at once, then the session', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const before = server.calls.length;
    const result = await auth.signIn('email', { email: user.email, password: PASSWORD });
    expect(result.data?.user).toEqual(user);
    expect(seen.slice(-2)).toEqual([
      { user, session: null, isLoading: false, error: null },
      { user, session: expect.objectContaining({ userId: user.id }), isLoading: false, error: null },
    ]);
    // One sign-in request and one session fetch.
    expect(server.calls.slice(before).map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /signin/email',
      'GET /session',
    ]);
  });

  it('a failed sign-in leaves the store alone', async () => {
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    const count = seen.length;
    const result = await auth.signIn('email', { email: 'nobody@example.com', password: PASSWORD });
    expect(result.error?.code).toBe('INVALID_CREDENTIALS');
    expect(seen).toHaveLength(count);
    expect(server.count('GET /session')).toBe(1);
  });

  it('sign-out clears the store without another request', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    const { seen } = watch(auth);
    await settle();
    expect(seen.at(-1)?.user).toEqual(user);
    const result = await auth.signOut();
    expect(result).toEqual({ data: { success: true }, error: null });
    expect(seen.at(-1)).toEqual({ user: null, session: null, isLoading: false, error: null });
    expect(server.count('GET /session')).toBe(1);
  });

  it('a failed sign-out keeps the user', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    watch(auth);
    await settle();
    server.override = () => new Response(JSON.stringify({ error: { code: 'INVALID_ORIGIN', message: 'no' } }), { status: 403 });
    const result = await auth.signOut();
    expect(result.error).toMatchObject({ code: 'INVALID_ORIGIN', status: 403 });
    expect(auth.$session.get().user).toEqual(user);
  });

  it('revoking the current session signs out; another one does not', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    watch(auth);
    await settle();
    const current = auth.$session.get().session!.id;
    expect((await auth.revokeSession('other')).error?.code).toBe('SESSION_NOT_FOUND');
    expect(auth.$session.get().user).toEqual(user);
    expect((await auth.revokeSession(current)).data).toEqual({ success: true });
    expect(auth.$session.get().user).toBeNull();
  });

  it('a session fetch that started before a sign-in is neither joined nor applied', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    const auth = client();
    server.hold();
    const stale = auth.getSession(); // will answer null: nobody is signed in yet
    await settle();
    server.release();
    // Sign in while the old answer is on its way: the server state changes
    // first, so hold the old answer artificially.
    let releaseStale!: () => void;
    const staleGate = new Promise<void>((resolve) => (releaseStale = resolve));
    server.override = async (call) => {
      if (call.path === '/session' && server.count('GET /session') === 1) {
        await staleGate;
        return new Response('null');
      }
      return undefined;
    };
    const signedIn = auth.signIn('email', { email: user.email, password: PASSWORD });
    await signedIn;
    expect(server.count('GET /session')).toBe(2); // the sign-in did not join the old fetch
    releaseStale();
    expect((await stale).data).toBeNull();
    expect(auth.$session.get().user).toEqual(user); // and the stale null was not applied
  });

  it('a failed refetch keeps the last user and reports the error', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const auth = client();
    watch(auth);
    await settle();
    server.override = () => Promise.reject(new TypeError('offline'));
    const result = await auth.getSession();
    expect(result.error?.code).toBe('NETWORK_ERROR');
    expect(auth.$session.get()).toMatchObject({ user, isLoading: false, error: { code: 'NETWORK_ERROR' } });
    server.override = null;
    await auth.getSession();
    expect(auth.$session.get()).toMatchObject({ user, error: null });
  });
});

describe('refetch on focus', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });

  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

  it('refetches when the tab comes back, at most once per cooldown', async () => {
    const { window, document } = fakeBrowser();
    const auth = client({ focusCooldownMs: 5000 });
    watch(auth);
    await settle();
    expect(server.count('GET /session')).toBe(1);

    // Within the cooldown: nothing.
    window.dispatchEvent(new Event('focus'));
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(server.count('GET /session')).toBe(1);

    // After it: focus and visibilitychange of one tab switch make one fetch.
    advance(5001);
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('focus'));
    await settle();
    expect(server.count('GET /session')).toBe(2);

    // A signed-in user elsewhere (another device) shows up on the next focus.
    server.signInAs(server.addUser('ada@example.com', PASSWORD));
    advance(5001);
    window.dispatchEvent(new Event('focus'));
    await settle();
    expect(server.count('GET /session')).toBe(3);
    expect(auth.$session.get().user?.email).toBe('ada@example.com');
  });

  it('a hidden tab does not refetch; refetchOnFocus: false never does', async () => {
    const { window, document } = fakeBrowser();
    const auth = client();
    const quiet = createAuthClient<AppUser>({ baseURL: 'http://quiet.test', fetch: server.fetch, refetchOnFocus: false });
    clients.push(quiet);
    watch(auth);
    watch(quiet);
    await settle();
    expect(server.calls).toHaveLength(2);
    advance(60_000);
    document.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(server.calls).toHaveLength(2);
    document.visibilityState = 'visible';
    window.dispatchEvent(new Event('focus'));
    await settle();
    expect(server.calls).toHaveLength(3); // only `auth`
  });

  it('a focus while a fetch is in flight joins it', async () => {
    const { window } = fakeBrowser();
    const auth = client({ focusCooldownMs: 0 });
    server.hold();
    watch(auth);
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('focus'));
    await settle();
    server.release();
    await settle();
    expect(server.count('GET /session')).toBe(1);
  });

  it('stops listening once the last subscriber left', async () => {
    const { window } = fakeBrowser();
    const auth = client({ focusCooldownMs: 0 });
    const { stop } = watch(auth);
    await settle();
    stop();
    cleanStores(auth.$session); // what nanostores does 1 s after the last unsubscribe
    window.dispatchEvent(new Event('focus'));
    await settle();
    expect(server.count('GET /session')).toBe(1);
  });
});

describe('sync across tabs', () => {
  it('BroadcastChannel: sign-out in one tab clears the other without a request; sign-in fills it', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    // Two clients of the same server = two tabs (one cookie jar: the fake server).
    const tabA = client();
    const tabB = client();
    watch(tabA);
    const b = watch(tabB);
    await settle();
    expect(tabB.$session.get().user).toEqual(user);
    const sessionFetches = server.count('GET /session');

    await tabA.signOut();
    await vi.waitFor(() => expect(tabB.$session.get().user).toBeNull());
    expect(server.count('GET /session')).toBe(sessionFetches); // none for the sign-out

    await tabA.signIn('email', { email: user.email, password: PASSWORD });
    await vi.waitFor(() => expect(tabB.$session.get().session?.userId).toBe(user.id));
    // One fetch for tab A's own session record, one for tab B.
    expect(server.count('GET /session')).toBe(sessionFetches + 2);
    expect(b.seen.at(-1)).toMatchObject({ user, isLoading: false, error: null });
  });

  it('clients of other servers are not affected', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const tabA = client();
    const otherServer = new FakeServer('http://other.test/api/auth');
    otherServer.signInAs(user);
    const other = createAuthClient<AppUser>({ baseURL: 'http://other.test', fetch: otherServer.fetch });
    clients.push(other);
    watch(tabA);
    watch(other);
    await settle();
    await tabA.signOut();
    await settle();
    expect(tabA.$session.get().user).toBeNull();
    expect(other.$session.get().user).toEqual(user);
    expect(otherServer.count('GET /session')).toBe(1);
  });

  it('syncTabs: false neither sends nor listens', async () => {
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const tabA = client({ syncTabs: false });
    const tabB = client();
    watch(tabA);
    watch(tabB);
    await settle();
    await tabA.signOut();
    await settle();
    expect(tabB.$session.get().user).toEqual(user);
  });

  it('falls back to the storage event without BroadcastChannel', async () => {
    const { window } = fakeBrowser();
    const stored = new Map<string, string>();
    vi.stubGlobal('BroadcastChannel', undefined);
    vi.stubGlobal('localStorage', { setItem: (key: string, value: string) => stored.set(key, value) });
    const user = server.addUser('ada@example.com', PASSWORD);
    server.signInAs(user);
    const tab = client();
    watch(tab);
    await settle();
    expect(tab.$session.get().user).toEqual(user);

    // This tab's own sign-out is written for the others to see...
    await tab.signOut();
    const [[key, value]] = [...stored];
    expect(key).toBe('nanoauth:http://auth.test/api/auth');
    expect(JSON.parse(value!)).toMatchObject({ type: 'signout' });

    // ...and another tab's sign-in arrives as a storage event.
    server.signInAs(user);
    const event = Object.assign(new Event('storage'), {
      key,
      newValue: JSON.stringify({ type: 'signin', at: 1, n: 0.5 }),
    });
    window.dispatchEvent(event);
    await vi.waitFor(() => expect(tab.$session.get().user).toEqual(user));
    // Unrelated keys and junk are ignored.
    window.dispatchEvent(Object.assign(new Event('storage'), { key: 'other', newValue: '{"type":"signout"}' }));
    window.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: 'not json' }));
    await settle();
    expect(tab.$session.get().user).toEqual(user);
  });
});

describe('types', () => {
  it('the user type and sign-up fields are generic parameters', () => {
    const auth = createAuthClient<AppUser, { name: string; inviteCode?: string }>({ fetch: server.fetch });
    expectTypeOf(auth.$session.get().user).toEqualTypeOf<AppUser | null>();
    expectTypeOf(auth.signIn).returns.resolves.toEqualTypeOf<AuthResult<SignedIn<AppUser> | TwoFactorRequired>>();
    expectTypeOf<Parameters<typeof auth.signUp<'email'>>[1]>().toEqualTypeOf<
      { email: string; password: string } & { name: string; inviteCode?: string }
    >();
    const basic = createAuthClient({ fetch: server.fetch });
    expectTypeOf(basic.$session.get().user).toEqualTypeOf<{ id: string; email: string; name: string } | null>();
    if (false as boolean) {
      // @ts-expect-error `name` is required by these sign-up fields
      void auth.signUp('email', { email: 'a@b.c', password: PASSWORD });
      // @ts-expect-error no such provider
      void auth.signIn('github', {});
      const role: string = auth.$session.get().user!.role;
      void role;
    }
    cleanStores(auth.$session, basic.$session);
  });

  it('narrowing on error gives data its type', async () => {
    const auth = client();
    const result = await auth.signUp('email', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    if (result.error) {
      expectTypeOf(result.data).toEqualTypeOf<null>();
      throw result.error;
    }
    // A server that requires email verification answers without a user.
    if (!result.data.user) throw new Error('verify your email first');
    expectTypeOf(result.data.user.role).toEqualTypeOf<string>();
    expect(result.data.user.role).toBe('member');
  });
});
