// The admin calls (`auth.admin.*`, the server's nanoauth-admin plugin),
// against a recorded fetch: paths, bodies, query strings, and the session
// store following an impersonation and its end.
import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createAuthClient } from '../src/client.js';
import type { AuthClient } from '../src/client.js';

type Call = { method: string; path: string; search: string; body: any };

function server(routes: Record<string, (body: any, search: string) => [number, unknown]>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/^\/api\/auth/, '');
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path, search: parsed.search, body });
    const route = routes[`${method} ${path}`];
    const [status, answer] = route ? route(body, parsed.search) : [404, { error: { code: 'NOT_FOUND', message: 'Not found' } }];
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
});

const ADA = { id: 'u1', email: 'ada@example.com', name: 'Ada', roles: ['user'], banned: false, banReason: null, banExpiresAt: null };
const ROOT = { id: 'a1', email: 'root@example.com', name: 'Root' };
const SESSION = { id: 's1', userId: 'u1', createdAt: 1, updatedAt: 1, expiresAt: 9, ipAddress: null, userAgent: null };

describe('admin', () => {
  it('lists users with the query string, and calls each route with its body', async () => {
    const user = (): [number, unknown] => [200, { user: ADA }];
    const { calls, fetch } = server({
      'GET /admin/users': () => [200, { users: [ADA], nextCursor: 'ada@example.com' }],
      'GET /admin/get-user': user,
      'POST /admin/create-user': user,
      'POST /admin/set-role': user,
      'POST /admin/set-user-password': () => [200, { success: true, revoked: 2 }],
      'POST /admin/ban-user': () => [200, { user: { ...ADA, banned: true, banReason: 'Spam' } }],
      'POST /admin/unban-user': user,
      'POST /admin/remove-user': () => [200, { success: true }],
      'POST /admin/list-user-sessions': () => [200, { sessions: [{ ...SESSION, impersonatedBy: 'a1' }] }],
      'POST /admin/revoke-user-session': () => [200, { success: true }],
      'POST /admin/revoke-user-sessions': () => [200, { success: true, revoked: 1 }],
    });
    const auth = client(fetch);
    const listed = await auth.admin.listUsers({ query: 'ad a', role: 'support', limit: 20, cursor: undefined });
    expect(listed.data).toEqual({ users: [ADA], nextCursor: 'ada@example.com' });
    expect(calls[0].search).toBe('?query=ad+a&role=support&limit=20');
    await auth.admin.listUsers();
    expect(calls[1].search).toBe('');
    expect((await auth.admin.getUser({ userId: 'u 1' })).data).toEqual({ user: ADA });
    expect(calls[2].search).toBe('?userId=u+1');

    await auth.admin.createUser({ email: 'new@example.com', password: 'long enough', role: ['user', 'support'] });
    await auth.admin.setRole({ userId: 'u1', role: 'support' });
    expect((await auth.admin.setUserPassword({ userId: 'u1', newPassword: 'long enough' })).data).toEqual({ success: true, revoked: 2 });
    const banned = await auth.admin.banUser({ userId: 'u1', reason: 'Spam', expiresIn: 3600 });
    expect(banned.data?.user.banReason).toBe('Spam');
    await auth.admin.unbanUser({ userId: 'u1' });
    await auth.admin.removeUser({ userId: 'u1' });
    const sessions = await auth.admin.listUserSessions({ userId: 'u1' });
    expect(sessions.data?.sessions[0].impersonatedBy).toBe('a1');
    await auth.admin.revokeUserSession({ userId: 'u1', sessionId: 's1' });
    await auth.admin.revokeUserSessions({ userId: 'u1' });
    expect(calls.slice(3).map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', '/admin/create-user', { email: 'new@example.com', password: 'long enough', role: ['user', 'support'] }],
      ['POST', '/admin/set-role', { userId: 'u1', role: 'support' }],
      ['POST', '/admin/set-user-password', { userId: 'u1', newPassword: 'long enough' }],
      ['POST', '/admin/ban-user', { userId: 'u1', reason: 'Spam', expiresIn: 3600 }],
      ['POST', '/admin/unban-user', { userId: 'u1' }],
      ['POST', '/admin/remove-user', { userId: 'u1' }],
      ['POST', '/admin/list-user-sessions', { userId: 'u1' }],
      ['POST', '/admin/revoke-user-session', { userId: 'u1', sessionId: 's1' }],
      ['POST', '/admin/revoke-user-sessions', { userId: 'u1' }],
    ]);
  });

  it('answers refusals as errors with their codes, never throwing', async () => {
    const { fetch } = server({
      'POST /admin/ban-user': () => [403, { error: { code: 'FORBIDDEN', message: 'Only administrators may do this.' } }],
      'GET /admin/get-user': () => [404, { error: { code: 'USER_NOT_FOUND', message: 'No such user.' } }],
    });
    const auth = client(fetch);
    const refused = await auth.admin.banUser({ userId: 'u1' });
    expect(refused.data).toBeNull();
    expect(refused.error?.code).toBe('FORBIDDEN');
    expect((await auth.admin.getUser({ userId: 'x' })).error?.code).toBe('USER_NOT_FOUND');
  });

  it('follows an impersonation and its end in the session store', async () => {
    let as = ROOT;
    const { fetch } = server({
      'POST /admin/impersonate-user': () => {
        as = ADA;
        return [200, { user: ADA, token: 'impersonation' }];
      },
      'POST /admin/stop-impersonating': () => {
        as = ROOT;
        return [200, { user: ROOT, session: { ...SESSION, userId: 'a1' } }];
      },
      'GET /session': () => [200, { user: as, session: { ...SESSION, userId: as.id } }],
    });
    const auth = client(fetch);
    const started = await auth.admin.impersonateUser({ userId: 'u1' });
    expect(started.data?.user.id).toBe('u1');
    expect(auth.$session.get().user?.id).toBe('u1');
    const stopped = await auth.admin.stopImpersonating();
    expect(stopped.error).toBeNull();
    expect(auth.$session.get().user?.id).toBe('a1');
  });
});
