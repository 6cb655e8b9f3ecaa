/**
 * Administration calls of the NanoAuth browser client, for the server's
 * `nanoauth-admin` plugin: list and search users, create them, set roles
 * and passwords, ban and unban, manage sessions, remove, impersonate.
 * Reached as `auth.admin` of `createAuthClient`:
 *
 * ```ts
 * const auth = createAuthClient();
 * const { data } = await auth.admin.listUsers({ query: 'ada', limit: 20 });
 * await auth.admin.banUser({ userId: data!.users[0].id, reason: 'Spam', expiresIn: 7 * 86400 });
 * ```
 *
 * Every route answers `403 FORBIDDEN` to anyone but an administrator, and
 * `404 USER_NOT_FOUND` for an unknown user; like every call of the client,
 * none throws for an expected failure.
 */
import type { AuthResult, BaseUser, BasicUser, SessionData, SessionRecord, SignedIn } from './client.js';

/** A user as administrators see them: your user type, with roles and ban. */
export type AdminUserView<U extends BaseUser = BasicUser> = U & {
  roles: string[];
  banned: boolean;
  /** Shown to the user when they try to sign in. */
  banReason: string | null;
  /** When the ban lifts by itself (Unix seconds); `null`: until lifted. */
  banExpiresAt: number | null;
};

/** `admin.listUsers(query)`. */
export interface ListUsersQuery {
  /** A prefix of the email address or the name. */
  query?: string;
  /** Only users holding this role (among others). */
  role?: string;
  /** At most this many (default 50, at most 200). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of users, ordered by email address. */
export interface UserList<U extends BaseUser = BasicUser> {
  users: AdminUserView<U>[];
  /** Where the next page starts; `null` after the last. */
  nextCursor: string | null;
}

/** A session in `admin.listUserSessions`: `impersonatedBy` marks an impersonation. */
export interface AdminSession extends SessionRecord {
  impersonatedBy?: string;
}

/** `admin.createUser(body)`. */
export interface NewUserByAdmin {
  email: string;
  /** Without one, the user signs in another way (a link, a provider, a reset). */
  password?: string;
  name?: string;
  /** One role or several; the server's default role without. */
  role?: string | string[];
  /** Your sign-up fields. */
  data?: Record<string, unknown>;
}

/** The admin calls. */
export interface AdminClient<U extends BaseUser = BasicUser> {
  /** `GET /admin/users`: searched by address or name prefix, filtered by role, a page at a time. */
  listUsers(query?: ListUsersQuery): Promise<AuthResult<UserList<U>>>;
  /** `GET /admin/get-user`. */
  getUser(body: { userId: string }): Promise<AuthResult<{ user: AdminUserView<U> }>>;
  /** `POST /admin/create-user`. */
  createUser(body: NewUserByAdmin): Promise<AuthResult<{ user: AdminUserView<U> }>>;
  /** `POST /admin/set-role`: taking a role away ends the user's sessions. */
  setRole(body: { userId: string; role: string | string[] }): Promise<AuthResult<{ user: AdminUserView<U> }>>;
  /** `POST /admin/set-user-password`: ends the user's sessions. */
  setUserPassword(body: { userId: string; newPassword: string }): Promise<AuthResult<{ success: boolean; revoked: number }>>;
  /** `POST /admin/ban-user`: every sign-in refused (`BANNED`), sessions ended now; `expiresIn` in seconds. */
  banUser(body: { userId: string; reason?: string; expiresIn?: number }): Promise<AuthResult<{ user: AdminUserView<U> }>>;
  /** `POST /admin/unban-user`. */
  unbanUser(body: { userId: string }): Promise<AuthResult<{ user: AdminUserView<U> }>>;
  /** `POST /admin/remove-user`: the user and everything stored of them. */
  removeUser(body: { userId: string }): Promise<AuthResult<{ success: boolean }>>;
  /** `POST /admin/list-user-sessions`, newest first. */
  listUserSessions(body: { userId: string }): Promise<AuthResult<{ sessions: AdminSession[] }>>;
  /** `POST /admin/revoke-user-session`. */
  revokeUserSession(body: { userId: string; sessionId: string }): Promise<AuthResult<{ success: boolean }>>;
  /** `POST /admin/revoke-user-sessions`. */
  revokeUserSessions(body: { userId: string }): Promise<AuthResult<{ success: boolean; revoked: number }>>;
  /**
   * `POST /admin/impersonate-user`: this browser is signed in as the user
   * (at most an hour); the store follows.
   */
  impersonateUser(body: { userId: string }): Promise<AuthResult<SignedIn<U>>>;
  /**
   * `POST /admin/stop-impersonating`: the impersonation ends and the
   * administrator's own session comes back (the store follows); `{ success }`
   * when it could not (it had ended), and nobody is signed in.
   */
  stopImpersonating(): Promise<AuthResult<SessionData<U> | { success: boolean }>>;
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown, signsIn?: boolean) => Promise<AuthResult<any>>;

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The admin calls over a client's `call` (see `AuthClient.call`). */
export function createAdminClient<U extends BaseUser = BasicUser>(call: Call): AdminClient<U> {
  const post = (path: string, signsIn?: boolean) => (body?: object) => call('POST', path, body, signsIn);
  return {
    listUsers: (params = {}) => call('GET', `/admin/users${query({ ...params })}`),
    getUser: ({ userId }) => call('GET', `/admin/get-user${query({ userId })}`),
    createUser: post('/admin/create-user'),
    setRole: post('/admin/set-role'),
    setUserPassword: post('/admin/set-user-password'),
    banUser: post('/admin/ban-user'),
    unbanUser: post('/admin/unban-user'),
    removeUser: post('/admin/remove-user'),
    listUserSessions: post('/admin/list-user-sessions'),
    revokeUserSession: post('/admin/revoke-user-session'),
    revokeUserSessions: post('/admin/revoke-user-sessions'),
    impersonateUser: post('/admin/impersonate-user', true),
    stopImpersonating: () => call('POST', '/admin/stop-impersonating', undefined, true),
  } as AdminClient<U>;
}
