/**
 * Organizations for the NanoAuth browser client, from the server's
 * `nanoauth-organization` plugin: create and switch organizations, invite
 * by email, manage members and their roles, ask what the active
 * organization's roles allow. Reached as `auth.organization.*`:
 *
 * ```ts
 * const auth = createAuthClient();
 * const { data } = await auth.organization.create({ name: 'Acme', slug: 'acme' });
 * await auth.organization.inviteMember({ email: 'bob@example.com', role: 'member' });
 * const { data: can } = await auth.organization.hasPermission({ permissions: { project: ['create'] } });
 * ```
 *
 * Calls without `organizationId` act on the session's active organization
 * (`session.activeOrganizationId`); `setActive` changes it and refreshes the
 * session store.
 */
import { atom, onMount } from 'nanostores';
import type { ReadableAtom } from 'nanostores';

import type { AuthError, AuthResult, SessionRecord, SessionState } from './client.js';

/** An organization. Times are Unix seconds. */
export interface Organization {
  id: string;
  name: string;
  /** Unique, URL-safe: lowercase letters, digits and inner hyphens. */
  slug: string;
  logo: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: number;
}

/** A user's membership of an organization. */
export interface Member {
  id: string;
  organizationId: string;
  userId: string;
  /** One role, or several comma-separated (`"admin,member"`). */
  role: string;
  /** The organization's teams the member is in. */
  teamIds: string[];
  createdAt: number;
}

/** A member with the public part of their user, as `full` lists them. */
export interface MemberWithUser extends Member {
  user: { id: string; email: string; name?: string } | null;
}

/** Where an invitation stands. */
export type InvitationStatus = 'pending' | 'accepted' | 'rejected' | 'canceled';

/** An invitation sent by email. */
export interface Invitation {
  id: string;
  organizationId: string;
  email: string;
  role: string;
  status: InvitationStatus;
  expiresAt: number;
  /** A user id, or `"system"`. */
  inviterId: string;
  teamId?: string;
  createdAt: number;
}

/** A team inside an organization. */
export interface Team {
  id: string;
  name: string;
  organizationId: string;
  createdAt: number;
}

/** An organization with its members, pending invitations and teams. */
export interface FullOrganization {
  organization: Organization;
  members: MemberWithUser[];
  invitations: Invitation[];
  teams: Team[];
}

/** A role list: one name, names comma-separated, or an array. */
export type Roles = string | string[];

/** Which actions to check: `{ project: ['create', 'update'] }`. */
export type Permissions = Record<string, string[]>;

/** A session with its active organization (and team). */
export interface SessionWithOrganization extends SessionRecord {
  activeOrganizationId?: string | null;
  activeTeamId?: string | null;
}

/** The organization calls; see the module's docs. */
export interface OrganizationClient {
  /** Creates an organization you own; it becomes the active one unless `keepCurrentActiveOrganization`. */
  create(body: {
    name: string;
    slug: string;
    logo?: string;
    metadata?: Record<string, unknown>;
    keepCurrentActiveOrganization?: boolean;
  }): Promise<AuthResult<{ organization: Organization }>>;
  /** The organizations you belong to. */
  list(): Promise<AuthResult<Organization[]>>;
  /** An organization with members, pending invitations and teams (default: the active one). */
  getFull(query?: { organizationId?: string }): Promise<AuthResult<FullOrganization>>;
  /** Changes the name, slug, logo (`""` removes it) or metadata (needs `organization:update`). */
  update(body: {
    organizationId?: string;
    data: { name?: string; slug?: string; logo?: string; metadata?: Record<string, unknown> | null };
  }): Promise<AuthResult<{ organization: Organization }>>;
  /** Deletes it with its members and invitations (owners). */
  delete(body: { organizationId: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Makes an organization the session's active one (`null` clears it); the session store is refreshed. */
  setActive(body: { organizationId: string | null }): Promise<AuthResult<{ session: SessionWithOrganization }>>;
  /** Adds an existing user (needs `member:create`, roles below your own). */
  addMember(body: { userId: string; role: Roles; organizationId?: string }): Promise<AuthResult<{ member: Member }>>;
  /** Removes a member (needs `member:delete`; yourself: leaving). */
  removeMember(body: { memberId: string; organizationId?: string }): Promise<AuthResult<{ member: Member }>>;
  /** Changes a member's roles (needs `member:update`; never at or above your own; an owner stays). */
  updateMemberRole(body: { memberId: string; role: Roles; organizationId?: string }): Promise<AuthResult<{ member: Member }>>;
  /** Leaves an organization (the last owner cannot). */
  leave(body: { organizationId: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Invites an address; a pending invitation of the same address is replaced. */
  inviteMember(body: {
    email: string;
    role: Roles;
    organizationId?: string;
    teamId?: string;
  }): Promise<AuthResult<{ invitation: Invitation }>>;
  /**
   * Accepts an invitation: with the `token` of the mail's link, or signed in
   * with the invited address verified. The organization becomes the active one.
   */
  acceptInvitation(body: { invitationId: string; token?: string }): Promise<AuthResult<{ member: Member }>>;
  /** Declines an invitation (same proof as accepting). */
  rejectInvitation(body: { invitationId: string; token?: string }): Promise<AuthResult<{ invitation: Invitation }>>;
  /** Withdraws a pending invitation (needs `invitation:cancel`). */
  cancelInvitation(body: { invitationId: string }): Promise<AuthResult<{ invitation: Invitation }>>;
  /** The pending invitations (default: of the active organization). */
  listInvitations(query?: { organizationId?: string }): Promise<AuthResult<Invitation[]>>;
  /** Whether your roles allow every listed action (default: in the active organization). */
  hasPermission(body: { permissions: Permissions; organizationId?: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Teams (when the server turns them on). */
  createTeam(body: { name: string; organizationId?: string }): Promise<AuthResult<{ team: Team }>>;
  removeTeam(body: { teamId: string; organizationId?: string }): Promise<AuthResult<{ success: boolean }>>;
  addTeamMember(body: { teamId: string; memberId: string; organizationId?: string }): Promise<AuthResult<{ member: Member }>>;
  removeTeamMember(body: { teamId: string; memberId: string; organizationId?: string }): Promise<AuthResult<{ member: Member }>>;
  /** Makes a team of the active organization (one you are in) the session's active team. */
  setActiveTeam(body: { teamId: string | null }): Promise<AuthResult<{ session: SessionWithOrganization }>>;
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<AuthResult<any>>;

function query(params?: { organizationId?: string }): string {
  return params?.organizationId ? `?organizationId=${encodeURIComponent(params.organizationId)}` : '';
}

/**
 * The organization calls over `call` (the client's own); `refresh` fetches
 * the session again after a change of the active organization.
 */
export function createOrganizationClient(call: Call, refresh: () => Promise<unknown>): OrganizationClient {
  const client: Record<string, unknown> = {
    list: () => call('GET', '/organization/list'),
    getFull: (params?: { organizationId?: string }) => call('GET', `/organization/full${query(params)}`),
    listInvitations: (params?: { organizationId?: string }) => call('GET', `/organization/list-invitations${query(params)}`),
  };
  // Each POST call is its route's name in camelCase (`addMember` is
  // `POST /organization/add-member`); the first six change the session's
  // active organization, so the session store follows them.
  'create delete setActive leave acceptInvitation setActiveTeam update addMember removeMember updateMemberRole inviteMember rejectInvitation cancelInvitation hasPermission createTeam removeTeam addTeamMember removeTeamMember'
    .split(' ')
    .forEach((name, index) => {
      const path = `/organization/${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      client[name] = async (body?: object) => {
        const result = await call('POST', path, body);
        if (index < 6 && !result.error) await refresh();
        return result;
      };
    });
  return client as unknown as OrganizationClient;
}

/** The active organization, as `useActiveOrganization()` gives it. */
export interface ActiveOrganizationState {
  /** The session's active organization with its members, or `null` (none active, signed out). */
  data: FullOrganization | null;
  /** `true` while it is being fetched. */
  isLoading: boolean;
  /** The error of the last fetch, if any. */
  error: AuthError | null;
}

/** A store of the active organization, and a way to fetch it again. */
export interface ActiveOrganizationStore extends ReadableAtom<ActiveOrganizationState> {
  /** Fetches the active organization again now (after a change of its members, say). */
  refetch(): Promise<void>;
}

/**
 * A store that follows the session's `activeOrganizationId`: while it has
 * listeners, it fetches the organization (`GET /organization/full`) each
 * time the active one changes, and clears itself when none is active.
 */
export function activeOrganizationStore(auth: {
  $session: ReadableAtom<SessionState<any>>;
  organization: Pick<OrganizationClient, 'getFull'>;
}): ActiveOrganizationStore {
  const $active = atom<ActiveOrganizationState>({ data: null, isLoading: false, error: null });
  let current: string | null = null;
  /** Answers of older fetches are dropped. */
  let generation = 0;
  async function load(id: string | null) {
    current = id;
    const mine = ++generation;
    if (!id) {
      $active.set({ data: null, isLoading: false, error: null });
      return;
    }
    $active.set({ ...$active.get(), isLoading: true });
    const result = await auth.organization.getFull({ organizationId: id });
    if (mine !== generation) return;
    $active.set(result.error ? { data: null, isLoading: false, error: result.error } : { data: result.data, isLoading: false, error: null });
  }
  const activeOf = (state: SessionState<any>): string | null =>
    ((state.session as SessionWithOrganization | null)?.activeOrganizationId ?? null) || null;
  onMount($active, () => {
    void load(activeOf(auth.$session.get()));
    return auth.$session.listen((state) => {
      const id = activeOf(state);
      if (id !== current) void load(id);
    });
  });
  return Object.assign($active, { refetch: () => load(current) });
}
