// The calls of the server's plugins (magic link, password reset, email
// verification, change password, API keys, JWT, passkeys), against a
// recorded fetch; the browser's WebAuthn API (`navigator.credentials`, `PublicKeyCredential`)
// is a stub.
import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createAuthClient } from '../src/client.js';
import type { AuthClient } from '../src/client.js';
import { createPasskeyClient, fromBase64url, toBase64url } from '../src/passkey.js';

type Call = { method: string; path: string; body: any };

/** A fetch that records each call and answers from `routes` (`METHOD /path`). */
function server(routes: Record<string, (body: any) => [number, unknown]>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const path = new URL(url).pathname.replace(/^\/api\/auth/, '');
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path, body });
    const route = routes[`${method} ${path}`];
    const [status, answer] = route ? route(body) : [404, { error: { code: 'NOT_FOUND', message: 'Not found' } }];
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  });
  return { calls, fetch: fetch as unknown as typeof globalThis.fetch };
}

const made: AuthClient<any, any>[] = [];
function client(fetch: typeof globalThis.fetch) {
  const auth = createAuthClient({ baseURL: 'http://auth.test', fetch, syncTabs: false, refetchOnFocus: false });
  made.push(auth);
  return auth;
}

afterEach(() => {
  made.forEach((auth) => cleanStores(auth.$session));
  made.length = 0;
  vi.unstubAllGlobals();
});

const KEY = { id: 'k1', name: 'ci', start: 'na_v1_abc', createdAt: 1, expiresAt: null, enabled: true, permissions: [], rateLimit: null, lastUsedAt: null, metadata: null };

const USER = { id: 'u1', email: 'ada@example.com', name: 'Ada' };
const SESSION = { id: 's1', userId: 'u1', createdAt: 1, updatedAt: 1, expiresAt: 9, ipAddress: null, userAgent: null };

describe('email links and passwords', () => {
  it('call the routes with the bodies given', async () => {
    const success = (): [number, unknown] => [200, { success: true }];
    const { calls, fetch } = server({
      'POST /signin/magic-link': success,
      'POST /request-password-reset': success,
      'POST /reset-password': success,
      'POST /send-verification-email': success,
      'POST /verify-email': success,
      'POST /change-password': success,
      'GET /session': () => [200, null],
    });
    const auth = client(fetch);
    expect((await auth.signIn.magicLink({ email: 'ada@example.com', callbackURL: '/account', name: 'Ada' })).data).toEqual({ success: true });
    expect((await auth.requestPasswordReset({ email: 'ada@example.com', redirectTo: '/reset' })).data).toEqual({ success: true });
    expect((await auth.resetPassword({ token: 't0k', newPassword: 'long enough' })).error).toBeNull();
    expect((await auth.sendVerificationEmail({ email: 'ada@example.com' })).error).toBeNull();
    expect((await auth.verifyEmail({ token: 'v3r' })).error).toBeNull();
    expect((await auth.changePassword({ currentPassword: 'old one!', newPassword: 'new one!', revokeOtherSessions: false })).error).toBeNull();
    expect(calls).toEqual([
      { method: 'POST', path: '/signin/magic-link', body: { email: 'ada@example.com', callbackURL: '/account', name: 'Ada' } },
      { method: 'POST', path: '/request-password-reset', body: { email: 'ada@example.com', redirectTo: '/reset' } },
      { method: 'POST', path: '/reset-password', body: { token: 't0k', newPassword: 'long enough' } },
      { method: 'POST', path: '/send-verification-email', body: { email: 'ada@example.com' } },
      { method: 'POST', path: '/verify-email', body: { token: 'v3r' } },
      { method: 'POST', path: '/change-password', body: { currentPassword: 'old one!', newPassword: 'new one!', revokeOtherSessions: false } },
    ]);
  });

  it('a reset or a verified address refetches the session when signed in; signed out it does not', async () => {
    let signedIn = true;
    const { calls, fetch } = server({
      'POST /signin/email': () => [200, { user: USER, token: 't' }],
      'GET /session': () => [200, signedIn ? { user: USER, session: SESSION } : null],
      'POST /reset-password': () => {
        signedIn = false; // the server ended every session of the user
        return [200, { success: true }];
      },
      'POST /verify-email': () => [200, { success: true }],
    });
    const auth = client(fetch);
    await auth.signIn('email', { email: USER.email, password: 'pw' });
    expect(auth.$session.get().user).toEqual(USER);
    await auth.verifyEmail({ token: 'v' });
    expect(auth.$session.get().user).toEqual(USER);
    await auth.resetPassword({ token: 't', newPassword: 'long enough' });
    expect(auth.$session.get().user).toBeNull();
    await auth.verifyEmail({ token: 'v' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /signin/email',
      'GET /session',
      'POST /verify-email',
      'GET /session',
      'POST /reset-password',
      'GET /session',
      'POST /verify-email',
    ]);
  });

  it('a wrong current password or a used link is an error with its code', async () => {
    const { fetch } = server({
      'POST /change-password': () => [400, { error: { code: 'INVALID_PASSWORD', message: 'The password is not correct.' } }],
      'POST /reset-password': () => [400, { error: { code: 'INVALID_TOKEN', message: 'This link is invalid.' } }],
    });
    const auth = client(fetch);
    const changed = await auth.changePassword({ currentPassword: 'nope', newPassword: 'whatever!' });
    expect([changed.data, changed.error?.code, changed.error?.status]).toEqual([null, 'INVALID_PASSWORD', 400]);
    expect((await auth.resetPassword({ token: 'used', newPassword: 'whatever!' })).error?.code).toBe('INVALID_TOKEN');
  });
});

describe('API keys and tokens', () => {
  it('call the plugin routes with the bodies given', async () => {
    const { calls, fetch } = server({
      'POST /api-key/create': () => [200, { key: 'na_v1_secret', apiKey: KEY }],
      'GET /api-key/list': () => [200, [KEY]],
      'POST /api-key/update': (body) => [200, { apiKey: { ...KEY, enabled: body.enabled } }],
      'POST /api-key/delete': () => [200, { success: true }],
      'GET /token': () => [200, { token: 'a.b.c' }],
      'GET /jwks': () => [200, { keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k', x: 'AAAA' }] }],
    });
    const auth = client(fetch);
    const created = await auth.apiKey.create({ name: 'ci', expiresIn: 86400 });
    expect(created.data?.key).toBe('na_v1_secret');
    expect((await auth.apiKey.list()).data?.[0]?.start).toBe('na_v1_abc');
    expect((await auth.apiKey.update({ keyId: 'k1', enabled: false })).data?.apiKey.enabled).toBe(false);
    expect((await auth.apiKey.delete({ keyId: 'k1' })).data).toEqual({ success: true });
    expect((await auth.token()).data).toEqual({ token: 'a.b.c' });
    expect((await auth.jwks()).data?.keys[0]?.kid).toBe('k');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api-key/create',
      'GET /api-key/list',
      'POST /api-key/update',
      'POST /api-key/delete',
      'GET /token',
      'GET /jwks',
    ]);
    expect(calls[0]!.body).toEqual({ name: 'ci', expiresIn: 86400 });
    expect(calls[2]!.body).toEqual({ keyId: 'k1', enabled: false });
  });

  it('a key session may not make keys: the error carries the code', async () => {
    const { fetch } = server({
      'POST /api-key/create': () => [403, { error: { code: 'SESSION_REQUIRED', message: 'Sign in to manage API keys.' } }],
    });
    const { data, error } = await client(fetch).apiKey.create({ name: 'more' });
    expect(data).toBeNull();
    expect([error?.code, error?.status]).toEqual(['SESSION_REQUIRED', 403]);
  });
});

describe('base64url', () => {
  it('round-trips bytes without padding', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const text = toBase64url(bytes);
    expect(text).toBe('AAEC-vv8_f7_');
    expect(Array.from(fromBase64url(text))).toEqual(Array.from(bytes));
    expect(Array.from(fromBase64url('AQ'))).toEqual([1]);
  });
});

const CREATION = { rp: { id: 'localhost', name: 'T' }, user: { id: 'dXNlcg', name: 'ada', displayName: 'Ada' }, challenge: 'AQID', pubKeyCredParams: [{ type: 'public-key', alg: -7 }], excludeCredentials: [{ type: 'public-key', id: 'BAUG' }] };
const REQUEST = { challenge: 'AQID', rpId: 'localhost', allowCredentials: [] };

/** A credential as an older browser returns it: no `toJSON()`. */
function oldCredential(kind: 'create' | 'get') {
  const response =
    kind === 'create'
      ? { clientDataJSON: new Uint8Array([1]).buffer, attestationObject: new Uint8Array([2]).buffer, getTransports: () => ['internal'] }
      : { clientDataJSON: new Uint8Array([1]).buffer, authenticatorData: new Uint8Array([3]).buffer, signature: new Uint8Array([4]).buffer, userHandle: new Uint8Array([5]).buffer };
  return { id: 'BwgJ', rawId: new Uint8Array([7, 8, 9]).buffer, type: 'public-key', response, getClientExtensionResults: () => ({}) };
}

/** Stubs WebAuthn: `modern` adds the Level 3 JSON helpers and `toJSON()`. */
function stubWebAuthn(modern: boolean, fail?: string) {
  const seen: { create?: any; get?: any } = {};
  const answer = (kind: 'create' | 'get', options: any) => {
    seen[kind] = options;
    if (fail) return Promise.reject(Object.assign(new Error('stub refused'), { name: fail }));
    const credential: any = oldCredential(kind);
    if (modern) credential.toJSON = () => ({ id: 'BwgJ', modern: true });
    return Promise.resolve(credential);
  };
  const PublicKeyCredential: any = function PublicKeyCredential() {};
  if (modern) {
    PublicKeyCredential.parseCreationOptionsFromJSON = (json: any) => ({ parsed: 'creation', json });
    PublicKeyCredential.parseRequestOptionsFromJSON = (json: any) => ({ parsed: 'request', json });
    PublicKeyCredential.isConditionalMediationAvailable = async () => true;
  }
  vi.stubGlobal('PublicKeyCredential', PublicKeyCredential);
  vi.stubGlobal('navigator', { credentials: { create: (o: any) => answer('create', o), get: (o: any) => answer('get', o) } });
  return seen;
}

function passkeyServer() {
  return server({
    'POST /passkey/register/options': () => [200, { publicKey: CREATION }],
    'POST /passkey/register/verify': (body) => [200, { passkey: { id: body.credential.id, name: body.name ?? 'Passkey', createdAt: 5 } }],
    'POST /passkey/signin/options': () => [200, { publicKey: REQUEST }],
    'POST /signin/passkey': () => [200, { user: USER, token: 't' }],
    'GET /session': () => [200, { user: USER, session: { id: 's1' } }],
    'POST /passkey/verify/options': () => [200, { publicKey: REQUEST }],
    'POST /passkey/verify': () => [200, { verifiedAt: 9, passkey: { id: 'BwgJ', name: 'Laptop' } }],
    'GET /passkeys': () => [200, [{ id: 'BwgJ', name: 'Laptop', createdAt: 5, lastUsedAt: null }]],
    'POST /passkey/rename': () => [200, { success: true }],
    'POST /passkey/delete': () => [200, { success: true }],
    'POST /passkey/signup/options': () => [200, { publicKey: CREATION }],
    'POST /signup/passkey': () => [200, { user: USER, token: 't' }],
  });
}

describe('passkeys', () => {
  it('register with the JSON helpers and toJSON() where the browser has them', async () => {
    const seen = stubWebAuthn(true);
    const { calls, fetch } = passkeyServer();
    const passkey = createPasskeyClient(client(fetch));
    const { data } = await passkey.register({ name: 'Laptop' });
    expect(data?.passkey).toEqual({ id: 'BwgJ', name: 'Laptop', createdAt: 5 });
    expect(seen.create.publicKey).toEqual({ parsed: 'creation', json: CREATION });
    expect(calls[1]!.body).toEqual({ name: 'Laptop', credential: { id: 'BwgJ', modern: true } });
  });

  it('register with base64url conversion in older browsers', async () => {
    const seen = stubWebAuthn(false);
    const { calls, fetch } = passkeyServer();
    await createPasskeyClient(client(fetch)).register();
    const publicKey = seen.create.publicKey;
    expect(Array.from(publicKey.challenge)).toEqual([1, 2, 3]);
    expect(Array.from(publicKey.user.id)).toEqual(Array.from(new TextEncoder().encode('user')));
    expect(Array.from(publicKey.excludeCredentials[0].id)).toEqual([4, 5, 6]);
    expect(calls[1]!.body).toEqual({
      credential: {
        id: 'BwgJ',
        rawId: 'BwgJ',
        type: 'public-key',
        response: { clientDataJSON: 'AQ', attestationObject: 'Ag', transports: ['internal'] },
        clientExtensionResults: {},
      },
    });
  });

  it('sign in without an address updates the store; conditional UI asks for autofill', async () => {
    const seen = stubWebAuthn(false);
    const { calls, fetch } = passkeyServer();
    const auth = client(fetch);
    const passkey = createPasskeyClient(auth);
    const controller = new AbortController();
    const { data } = await passkey.signIn({ conditional: true, signal: controller.signal });
    expect(data?.user).toEqual(USER);
    expect(seen.get.mediation).toBe('conditional');
    expect(seen.get.signal).toBe(controller.signal);
    expect(calls[1]!.body.credential.response).toEqual({ clientDataJSON: 'AQ', authenticatorData: 'Aw', signature: 'BA', userHandle: 'BQ' });
    expect(auth.$session.get().user).toEqual(USER);
  });

  it('sign up with a passkey alone: the fields go with the options, the name with the answer, and it signs in', async () => {
    const seen = stubWebAuthn(true);
    const { calls, fetch } = passkeyServer();
    const auth = client(fetch);
    const { data } = await createPasskeyClient(auth).signUp({ email: 'ada@example.com', name: 'Ada' }, { name: 'Phone' });
    expect(data?.user).toEqual(USER);
    expect(seen.create.publicKey).toEqual({ parsed: 'creation', json: CREATION });
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/passkey/signup/options', body: { email: 'ada@example.com', name: 'Ada' } });
    expect(calls[1]).toMatchObject({ method: 'POST', path: '/signup/passkey', body: { name: 'Phone', credential: { id: 'BwgJ', modern: true } } });
    expect(auth.$session.get().user).toEqual(USER);
  });

  it('auth.signIn.passkey once the passkey client is made; register takes a bare name', async () => {
    stubWebAuthn(true);
    const { calls, fetch } = passkeyServer();
    const auth = client(fetch);
    expect(auth.signIn.passkey).toBeUndefined();
    const passkey = createPasskeyClient(auth);
    const { data } = await auth.signIn.passkey!();
    expect(data?.user).toEqual(USER);
    expect(calls.map((c) => c.path).slice(0, 2)).toEqual(['/passkey/signin/options', '/signin/passkey']);
    await passkey.register('Laptop');
    expect(calls.at(-1)!.body).toEqual({ name: 'Laptop', credential: { id: 'BwgJ', modern: true } });
  });

  it('reauthenticate, list, rename and delete', async () => {
    stubWebAuthn(true);
    const { calls, fetch } = passkeyServer();
    const auth = client(fetch);
    const passkey = createPasskeyClient(auth);
    expect((await passkey.reauthenticate()).data?.verifiedAt).toBe(9);
    expect(auth.$session.get().user).toBeNull();
    expect((await passkey.list()).data?.[0]?.name).toBe('Laptop');
    await passkey.rename({ id: 'BwgJ', name: 'Desk' });
    await passkey.delete({ id: 'BwgJ' });
    expect(calls.map((c) => `${c.method} ${c.path}`).slice(-3)).toEqual(['GET /passkeys', 'POST /passkey/rename', 'POST /passkey/delete']);
    expect(calls.at(-2)!.body).toEqual({ id: 'BwgJ', name: 'Desk' });
    expect(await passkey.conditionalAvailable()).toBe(true);
  });

  it('a cancelled ceremony, an unsupported browser and a refusal are results, not throws', async () => {
    stubWebAuthn(true, 'NotAllowedError');
    const { calls, fetch } = passkeyServer();
    const passkey = createPasskeyClient(client(fetch));
    expect((await passkey.signIn()).error?.code).toBe('PASSKEY_CANCELLED');
    expect(calls.map((c) => c.path)).toEqual(['/passkey/signin/options']);
    stubWebAuthn(true, 'InvalidStateError');
    expect((await passkey.register()).error?.code).toBe('PASSKEY_FAILED');
    vi.unstubAllGlobals();
    vi.stubGlobal('PublicKeyCredential', undefined);
    expect(passkey.supported()).toBe(false);
    expect((await passkey.signIn()).error?.code).toBe('PASSKEY_UNSUPPORTED');
    const refused = server({
      'POST /passkey/signin/options': () => [200, { publicKey: REQUEST }],
      'POST /signin/passkey': () => [401, { error: { code: 'INVALID_PASSKEY', message: 'This passkey is not valid.' } }],
    });
    stubWebAuthn(true);
    const result = await createPasskeyClient(client(refused.fetch)).signIn();
    expect([result.error?.code, result.error?.status]).toEqual(['INVALID_PASSKEY', 401]);
  });
});
