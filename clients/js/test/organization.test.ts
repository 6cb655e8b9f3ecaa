// The organization calls (`nanoauth-organization` on the server) against a
// recorded fetch: paths, bodies, the session refetch after a switch, and
// the store behind `useActiveOrganization()`.
import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createAuthClient } from '../src/client.js';
import type { AuthClient } from '../src/client.js';
import { activeOrganizationStore } from '../src/organization.js';

type Call = { method: string; path: string; body: any };

function server(routes: Record<string, (body: any, query: URLSearchParams) => [number, unknown]>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/^\/api\/auth/, '');
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: path + parsed.search, body });
    const route = routes[`${method} ${path}`];
    const [status, answer] = route ? route(body, parsed.searchParams) : [404, { error: { code: 'NOT_FOUND', message: 'Not found' } }];
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

const USER = { id: 'u1', email: 'ada@example.com', name: 'Ada' };
const SESSION = { id: 's1', userId: 'u1', createdAt: 1, updatedAt: 1, expiresAt: 9, ipAddress: null, userAgent: null };
const ORG = { id: 'o1', name: 'Acme', slug: 'acme', logo: null, metadata: null, createdAt: 1 };
const MEMBER = { id: 'm1', organizationId: 'o1', userId: 'u1', role: 'owner', teamIds: [], createdAt: 1 };
const FULL = { organization: ORG, members: [{ ...MEMBER, user: USER }], invitations: [], teams: [] };

describe('organization calls', () => {
  it('use the wire paths and bodies', async () => {
    const { calls, fetch } = server({
      'POST /organization/create': () => [200, { organization: ORG }],
      'GET /organization/list': () => [200, [ORG]],
      'GET /organization/full': () => [200, FULL],
      'POST /organization/invite-member': (body) => [200, { invitation: { id: 'i1', organizationId: 'o1', email: body.email, role: body.role, status: 'pending', expiresAt: 9, inviterId: 'u1', createdAt: 1 } }],
      'POST /organization/update-member-role': (body) => [200, { member: { ...MEMBER, role: body.role } }],
      'POST /organization/remove-member': () => [200, { member: MEMBER }],
      'POST /organization/has-permission': () => [200, { success: true }],
      'GET /session': () => [200, { user: USER, session: { ...SESSION, activeOrganizationId: 'o1' } }],
    });
    const auth = client(fetch);
    expect((await auth.organization.create({ name: 'Acme', slug: 'acme' })).data).toEqual({ organization: ORG });
    expect((await auth.organization.list()).data).toEqual([ORG]);
    expect((await auth.organization.getFull({ organizationId: 'o 1' })).data).toEqual(FULL);
    const invited = await auth.organization.inviteMember({ email: 'bob@example.com', role: 'member' });
    expect(invited.data?.invitation.status).toBe('pending');
    expect((await auth.organization.updateMemberRole({ memberId: 'm1', role: ['admin', 'member'] })).data?.member.role).toEqual(['admin', 'member']);
    await auth.organization.removeMember({ memberId: 'm1' });
    expect((await auth.organization.hasPermission({ permissions: { project: ['create'] } })).data).toEqual({ success: true });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /organization/create',
      // Creating switches the active organization: the session follows.
      'GET /session',
      'GET /organization/list',
      'GET /organization/full?organizationId=o%201',
      'POST /organization/invite-member',
      'POST /organization/update-member-role',
      'POST /organization/remove-member',
      'POST /organization/has-permission',
    ]);
    expect(calls[4]!.body).toEqual({ email: 'bob@example.com', role: 'member' });
    expect(calls[7]!.body).toEqual({ permissions: { project: ['create'] } });
    expect(auth.$session.get().session).toMatchObject({ activeOrganizationId: 'o1' });
  });

  it('report refusals as errors with their codes', async () => {
    const { fetch } = server({
      'POST /organization/update-member-role': () => [409, { error: { code: 'LAST_OWNER', message: 'keep one' } }],
      'POST /organization/accept-invitation': () => [403, { error: { code: 'INVITATION_RECIPIENT_MISMATCH', message: 'not yours' } }],
    });
    const auth = client(fetch);
    const demoted = await auth.organization.updateMemberRole({ memberId: 'm1', role: 'member' });
    expect(demoted.error?.code).toBe('LAST_OWNER');
    expect(demoted.error?.status).toBe(409);
    const accepted = await auth.organization.acceptInvitation({ invitationId: 'i1' });
    expect(accepted.error?.code).toBe('INVITATION_RECIPIENT_MISMATCH');
  });

  it('set-active refreshes the session store', async () => {
    let active: string | null = null;
    const { fetch } = server({
      'POST /organization/set-active': (body) => {
        active = body.organizationId;
        return [200, { session: { ...SESSION, activeOrganizationId: active } }];
      },
      'GET /session': () => [200, { user: USER, session: { ...SESSION, activeOrganizationId: active } }],
    });
    const auth = client(fetch);
    await auth.organization.setActive({ organizationId: 'o1' });
    expect(auth.$session.get().session).toMatchObject({ activeOrganizationId: 'o1' });
    await auth.organization.setActive({ organizationId: null });
    expect(auth.$session.get().session).toMatchObject({ activeOrganizationId: null });
  });
});

describe('the active organization store (useActiveOrganization)', () => {
  it('follows the session’s active organization', async () => {
    let active: string | null = 'o1';
    const { calls, fetch } = server({
      'GET /session': () => [200, { user: USER, session: { ...SESSION, activeOrganizationId: active } }],
      'GET /organization/full': (_, query) => [200, { ...FULL, organization: { ...ORG, id: query.get('organizationId') } }],
      'POST /organization/set-active': (body) => {
        active = body.organizationId;
        return [200, { session: { ...SESSION, activeOrganizationId: active } }];
      },
    });
    const auth = client(fetch);
    await auth.getSession();
    const $active = activeOrganizationStore(auth);
    const seen: (string | null)[] = [];
    const stop = $active.listen((state) => {
      if (!state.isLoading) seen.push(state.data?.organization.id ?? null);
    });
    await vi.waitFor(() => expect($active.get().data?.organization.id).toBe('o1'));
    await auth.organization.setActive({ organizationId: 'o2' });
    await vi.waitFor(() => expect($active.get().data?.organization.id).toBe('o2'));
    await auth.organization.setActive({ organizationId: null });
    await vi.waitFor(() => expect($active.get().data).toBeNull());
    expect(seen).toEqual(['o1', 'o2', null]);
    const fulls = calls.filter((c) => c.path.startsWith('/organization/full')).length;
    await $active.refetch();
    expect(calls.filter((c) => c.path.startsWith('/organization/full')).length).toBe(fulls);
    stop();
    cleanStores($active);
  });
});
