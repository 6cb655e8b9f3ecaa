/**
 * The NanoAuth browser client: typed calls to a NanoAuth server and a
 * reactive session store built on nanostores.
 *
 * Entry points `nanoauth` and `nanoauth/client` (the same module). React
 * bindings are in `nanoauth/react`, passkeys in `nanoauth/passkey`.
 *
 * Convention: no call throws for an expected failure. Every call resolves to
 * `{ data, error }`: either `data` is set and `error` is `null`, or `data` is
 * `null` and `error` is an {@link AuthError} that carries the server's `code`
 * (or `NETWORK_ERROR`, `INVALID_RESPONSE`, `HTTP_ERROR` when there was no
 * usable answer).
 */
import { atom, onMount } from 'nanostores';
import type { ReadableAtom } from 'nanostores';

import { createAdminClient } from './admin.js';
import type { AdminClient } from './admin.js';

export type {
  AdminClient,
  AdminSession,
  AdminUserView,
  ListUsersQuery,
  NewUserByAdmin,
  UserList,
} from './admin.js';
import { createOrganizationClient } from './organization.js';
import type { OrganizationClient } from './organization.js';

export type {
  FullOrganization,
  Invitation,
  InvitationStatus,
  Member,
  MemberWithUser,
  Organization,
  OrganizationClient,
  Permissions,
  Roles,
  SessionWithOrganization,
  Team,
} from './organization.js';

// ---------------------------------------------------------------------------
// Wire types

/** What every NanoAuth user has; your own user type extends it. */
export interface BaseUser {
  id: string;
  email: string;
}

/** The server's ready-made user type (`nanoauth::BasicUser`). */
export interface BasicUser extends BaseUser {
  name: string;
}

/** A session as the server shows it. Times are Unix seconds. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  ipAddress: string | null;
  userAgent: string | null;
}

/** `GET /session` when signed in. */
export interface SessionData<U extends BaseUser = BasicUser> {
  user: U;
  session: SessionRecord;
}

/** One entry of `GET /sessions`. */
export interface ListedSession extends SessionRecord {
  /** Whether this is the session of this browser. */
  current: boolean;
}

/**
 * A successful sign-in or sign-up. `token` is the session token, for
 * non-browser use as `Authorization: Bearer <token>`; in a browser the
 * HttpOnly cookie already carries the session and this client neither reads
 * nor stores the token.
 */
export interface SignedIn<U extends BaseUser = BasicUser> {
  user: U;
  token: string;
}

/**
 * A sign-in that needs a second factor first (the account has two-factor
 * authentication on): no session exists yet, the store is unchanged, and
 * the server set an HttpOnly challenge cookie for five minutes. Finish it
 * with `twoFactor.verifyTotp`, `verifyBackupCode` or `verifyOtp`.
 */
export interface TwoFactorRequired {
  twoFactorRequired: true;
  user?: undefined;
  token?: undefined;
}

/**
 * A sign-up that must verify its email address before any session (the
 * server requires verification): no user, no token, no cookie. A taken
 * address is answered the same, so the answer reveals no account.
 */
export interface VerificationPending {
  user: null;
  token: null;
}

/**
 * The bodies of `signIn(provider, body)`, by provider. Augment this
 * interface (declaration merging) when a server plugin adds a provider.
 */
export interface SignInBodies {
  email: { email: string; password: string };
}

/** Options of `signIn.social(provider)` and `linkSocial(provider)`. */
export interface SocialOptions {
  /** Where the browser lands when it worked (a path, or a trusted origin's URL). Default `/`. */
  callbackURL?: string;
  /** Where it lands when it failed, with `?error=CODE`. Default `callbackURL`. */
  errorCallbackURL?: string;
  /** Send the browser to the provider at once (when there is a `window`). Default `true`. */
  redirect?: boolean;
}

/** The provider's authorization URL, where the browser goes next. */
export interface SocialRedirect {
  url: string;
  redirect: boolean;
}

/** A provider account linked to the signed-in user. */
export interface LinkedAccount {
  provider: string;
  accountId: string;
  /** Unix seconds. */
  createdAt: number;
}

/** `signIn(provider, body)`, and `signIn.social(provider)` for OAuth / OpenID Connect providers. */
export interface SignIn<U extends BaseUser> {
  /**
   * Signs in. For an account with two-factor on, `data` is
   * `{ twoFactorRequired: true }` and nobody is signed in yet.
   */
  <P extends keyof SignInBodies>(provider: P, body: SignInBodies[P]): Promise<AuthResult<SignedIn<U> | TwoFactorRequired>>;
  /**
   * Starts a social sign-in (`github`, `google`, ...): the browser goes to
   * the provider and comes back to `callbackURL`, signed in.
   */
  social(provider: string, options?: SocialOptions): Promise<AuthResult<SocialRedirect>>;
  /**
   * Emails a sign-in link (`POST /signin/magic-link`, the server's magic
   * link plugin). The answer is the same whether or not an account exists;
   * a first link for a new address creates the account, with `fields` as
   * its sign-up fields. The link's own page signs in (no call here).
   */
  magicLink(body: MagicLinkRequest): Promise<AuthResult<{ success: boolean }>>;
}

/** `signIn.magicLink(body)`. Other fields are sign-up fields, for a link that creates the account. */
export interface MagicLinkRequest {
  email: string;
  /** Where the link lands signed in (a path, or a trusted origin's URL). Default `/`. */
  callbackURL?: string;
  [field: string]: unknown;
}

/** `changePassword(body)`. */
export interface ChangePassword {
  currentPassword: string;
  newPassword: string;
  /** Sign out every other session of the user. Default `true`. */
  revokeOtherSessions?: boolean;
}

/**
 * `updateUser(fields)`: the fields of the user the server lets a user change
 * (its `AuthUser::Update`). Typed from your user type; `id` and `email` are
 * never among them, and the server ignores any field it does not declare.
 */
export type UserUpdate<U extends BaseUser> = Partial<Omit<U, 'id' | 'email'>>;

/** `changeEmail(body)`. */
export interface ChangeEmail {
  newEmail: string;
  /** Where the link sent to the new address lands, with `?emailChanged=true` (or `?error=CODE`). Default `/`. */
  callbackURL?: string;
}

/** `deleteUser(body)`. */
export interface DeleteUser {
  /** The current password, for an account that has one. */
  password?: string;
  /** For an account without a password: where the emailed link lands, with `?deleted=true`. Default `/`. */
  callbackURL?: string;
}

/** A public key of the server's `/jwks` (RFC 7517); the fields depend on `kty`. */
export interface Jwk {
  kty: string;
  kid: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/**
 * The bodies of `signUp(provider, body)`, by provider; `F` is your sign-up
 * fields (the server's `AuthUser::SignUp`), `{ name?: string }` by default.
 */
export interface SignUpBodies<F extends object = { name?: string }> {
  email: { email: string; password: string } & F;
}

/** A code for a two-factor call. */
export interface TwoFactorCode {
  /** From the authenticator app (6 digits), a backup code, or the emailed code. */
  code: string;
  /** Skip the challenge in this browser from now on (30 days by default). */
  trustDevice?: boolean;
}

/**
 * Proof that the signed-in user is at the keyboard, before a change to
 * their second factor: the password; for an account without one, nothing
 * within the session's first minutes, or else an authenticator `code`.
 */
export interface Reauthentication {
  password?: string;
  code?: string;
}

/**
 * A new authenticator enrolment, pending until `verifyTotp` confirms it.
 * `totpURI` holds the secret: show it as a QR code to this user only, and
 * the backup codes once. Keep neither.
 */
export interface TwoFactorEnrolment {
  totpURI: string;
  backupCodes: string[];
}

/** A browser that skips the challenge. Times are Unix seconds. */
export interface TrustedDevice {
  id: string;
  createdAt: number;
  expiresAt: number | null;
  userAgent: string | null;
  ipAddress: string | null;
}

/** `twoFactor.status()`. */
export interface TwoFactorStatus {
  /** Sign-in asks for a second factor. */
  enabled: boolean;
  /** An enrolment waits for its first code. */
  pending: boolean;
  backupCodesLeft: number;
  trustedDevices: TrustedDevice[];
}

/**
 * The two-factor plugin's calls (`nanoauth-two-factor` on the server).
 * Calls that complete a sign-in update the store as `signIn` does.
 */
export interface TwoFactorClient<U extends BaseUser = BasicUser> {
  /** Starts turning it on for the signed-in user; sign-in is unchanged until `verifyTotp` confirms. */
  enable(body?: Reauthentication): Promise<AuthResult<TwoFactorEnrolment>>;
  /**
   * A code from the app: confirms a pending enrolment of the signed-in user
   * (`{ enabled: true }`), or else answers the sign-in's challenge and signs in.
   */
  verifyTotp(body: TwoFactorCode): Promise<AuthResult<{ enabled: true } | SignedIn<U>>>;
  /** Answers the sign-in's challenge with a backup code (each works once). */
  verifyBackupCode(body: TwoFactorCode): Promise<AuthResult<SignedIn<U>>>;
  /** Emails a code for the sign-in's challenge, when the server offers it. */
  sendOtp(): Promise<AuthResult<{ success: boolean }>>;
  /** Answers the sign-in's challenge with the emailed code. */
  verifyOtp(body: TwoFactorCode): Promise<AuthResult<SignedIn<U>>>;
  /** Turns it off: the secret, backup codes and trusted devices go. */
  disable(body?: Reauthentication): Promise<AuthResult<{ enabled: false }>>;
  /** A new set of backup codes; the old set stops working. */
  generateBackupCodes(body?: Reauthentication): Promise<AuthResult<{ backupCodes: string[] }>>;
  /** The signed-in user's state and trusted devices. */
  status(): Promise<AuthResult<TwoFactorStatus>>;
  /** Stops trusting one of the user's devices. */
  revokeTrustedDevice(body: { id: string }): Promise<AuthResult<{ success: boolean }>>;
}

/** An API key as lists show it (never the key itself). Times are Unix seconds. */
export interface ApiKey {
  id: string;
  name: string;
  /** The key's first characters (`na_v1_AbCdEf`), to recognise it. */
  start: string;
  createdAt: number;
  expiresAt: number | null;
  enabled: boolean;
  permissions: string[];
  rateLimit: { max: number; window: number } | null;
  lastUsedAt: number | null;
  metadata: unknown;
  /** Who it belongs to; an organization's key signs in as `createdBy` with the organization attached. */
  ownerType: 'user' | 'organization' | 'service';
  userId?: string;
  organizationId?: string;
  serviceName?: string;
  /** The user who made it; `null` for a key server code made. */
  createdBy: string | null;
}

/**
 * Whose keys a call is about, when not the signed-in user's own: at most
 * one. `organizationId` needs the organization's `apiKey` permission;
 * `userId` (another user) and `serviceName` (a service identity with no
 * user) need an administrator.
 */
export interface ApiKeyOwnerSelector {
  organizationId?: string;
  userId?: string;
  serviceName?: string;
}

/** `apiKey.create(body)`. */
export interface NewApiKey extends ApiKeyOwnerSelector {
  name: string;
  /** Seconds until it stops working; none: never. */
  expiresIn?: number;
  permissions?: string[];
  rateLimit?: { max: number; window: number };
  metadata?: unknown;
}

/**
 * The API key plugin's calls (`nanoauth-api-key` on the server), from a
 * signed-in session: a session made from a key cannot manage keys.
 */
export interface ApiKeyClient {
  /** Makes a key. `key` is in this answer only: show it once, keep it nowhere. */
  create(body: NewApiKey): Promise<AuthResult<{ key: string; apiKey: ApiKey }>>;
  /** The signed-in user's keys, or the named owner's. */
  list(owner?: ApiKeyOwnerSelector): Promise<AuthResult<ApiKey[]>>;
  /** Renames, enables or disables a key, or moves its expiry (`expiresIn` from now). */
  update(body: { keyId: string; name?: string; enabled?: boolean; expiresIn?: number } & ApiKeyOwnerSelector): Promise<AuthResult<{ apiKey: ApiKey }>>;
  /** Deletes a key: refused from the next request on. */
  delete(body: { keyId: string } & ApiKeyOwnerSelector): Promise<AuthResult<{ success: boolean }>>;
}

// ---------------------------------------------------------------------------
// Errors and results

/**
 * Every code the server and its plugins answer (test/error-codes.test.ts
 * checks this list against the Rust sources), plus the client's own.
 */
export type AuthErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'INVALID_BODY'
  | 'INVALID_EMAIL'
  /** A `callbackURL` or `redirectTo` outside the server's trusted origins. */
  | 'INVALID_REDIRECT'
  /** An emailed link's token: wrong or used. */
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'INVALID_ORIGIN'
  /** The server requires a verified address before signing in. */
  | 'EMAIL_NOT_VERIFIED'
  | 'UNAUTHORIZED'
  | 'INVALID_CREDENTIALS'
  | 'USER_ALREADY_EXISTS'
  | 'SESSION_NOT_FOUND'
  | 'DATABASE_UNAVAILABLE'
  | 'INVALID_INPUT'
  | 'CONFLICT'
  | 'PLUGIN_NOT_ENABLED'
  | 'INTERNAL_ERROR'
  /** The app's routes could not find NanoAuth (a server misconfiguration). */
  | 'AUTH_NOT_MOUNTED'
  | 'RATE_LIMITED'
  | 'SERVER_BUSY'
  | 'INVALID_PASSWORD'
  | 'SESSION_NOT_FRESH'
  /** Deleting an account that has a password needs it. */
  | 'PASSWORD_REQUIRED'
  /** Social sign-in: these mostly come back as `?error=CODE` on `errorCallbackURL`. */
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_ERROR'
  | 'ACCOUNT_NOT_FOUND'
  | 'LAST_ACCOUNT'
  | 'INVALID_STATE'
  | 'STATE_MISMATCH'
  | 'INVALID_CALLBACK'
  | 'ACCESS_DENIED'
  | 'EMAIL_REQUIRED'
  | 'ACCOUNT_NOT_LINKED'
  | 'ACCOUNT_ALREADY_LINKED'
  | 'ISSUER_MISMATCH'
  | 'INVALID_ID_TOKEN'
  | 'ID_TOKEN_INVALID_SIGNATURE'
  | 'ID_TOKEN_INVALID_ISSUER'
  | 'ID_TOKEN_INVALID_AUDIENCE'
  | 'ID_TOKEN_EXPIRED'
  | 'ID_TOKEN_INVALID_NONCE'
  /** Two-factor: a wrong, used or expired code (social sign-in: the provider's code). */
  | 'INVALID_CODE'
  /** Two-factor: the sign-in expired or failed too often; sign in again. */
  | 'INVALID_CHALLENGE'
  | 'TWO_FACTOR_NOT_ENABLED'
  | 'NO_PENDING_TWO_FACTOR'
  | 'EMAIL_OTP_NOT_ENABLED'
  | 'DEVICE_NOT_FOUND'
  /** Passkeys: the assertion did not verify, or the passkey is unknown or deleted. */
  | 'INVALID_PASSKEY'
  /** Passkeys: the ceremony expired (5 minutes) or was used. */
  | 'INVALID_PASSKEY_CHALLENGE'
  | 'PASSKEY_NOT_FOUND'
  | 'INVALID_PASSKEY_NAME'
  | 'TOO_MANY_PASSKEYS'
  | 'NO_PASSKEYS'
  | 'PASSKEY_REGISTRATION_FAILED'
  | 'PASSKEY_ALREADY_REGISTERED'
  /** Passkeys: the authenticator cannot keep a discoverable credential. */
  | 'PASSKEY_NOT_DISCOVERABLE'
  /** Passkeys (client): the person cancelled, or the browser refused (`NotAllowedError`, `AbortError`). */
  | 'PASSKEY_CANCELLED'
  /** Passkeys (client): this browser has no WebAuthn. */
  | 'PASSKEY_UNSUPPORTED'
  /** Passkeys (client): the authenticator failed otherwise (`InvalidStateError`: already registered, ...). */
  | 'PASSKEY_FAILED'
  /** API keys: managed from a signed-in session, never with a key. */
  | 'SESSION_REQUIRED'
  | 'API_KEY_NOT_FOUND'
  | 'TOO_MANY_API_KEYS'
  | 'ORGANIZATION_KEYS_UNAVAILABLE'
  /** Admin: not an administrator (or an API key, or an impersonation session). */
  | 'FORBIDDEN'
  | 'USER_NOT_FOUND'
  /** Admin: an administrator may not ban, remove or change the roles of their own account. */
  | 'CANNOT_ACT_ON_SELF'
  | 'INVALID_ROLE'
  /** Sign-in of a banned user; the message carries the reason. */
  | 'BANNED'
  | 'CANNOT_IMPERSONATE'
  | 'NOT_IMPERSONATING'
  /** Organizations (`nanoauth-organization`): see its errors table. */
  | 'FORBIDDEN'
  | 'ORGANIZATION_NOT_FOUND'
  | 'MEMBER_NOT_FOUND'
  | 'INVITATION_NOT_FOUND'
  | 'TEAM_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'SLUG_TAKEN'
  | 'ALREADY_MEMBER'
  /** The change would leave the organization without an owner. */
  | 'LAST_OWNER'
  | 'INVITATION_NOT_PENDING'
  | 'INVITATION_EXPIRED'
  /** Signed in with another address than the invited one (and no link token). */
  | 'INVITATION_RECIPIENT_MISMATCH'
  | 'CONCURRENT_UPDATE'
  | 'ORGANIZATION_LIMIT_REACHED'
  | 'MEMBER_LIMIT_REACHED'
  | 'INVITATION_LIMIT_REACHED'
  | 'TEAM_LIMIT_REACHED'
  | 'NO_ACTIVE_ORGANIZATION'
  | 'UNKNOWN_ROLE'
  | 'UNKNOWN_PERMISSION'
  /** No answer: offline, DNS, CORS, connection reset (`status` is 0). */
  | 'NETWORK_ERROR'
  /** A success status whose body is not the JSON the API answers. */
  | 'INVALID_RESPONSE'
  /** An error status without NanoAuth's error body (a proxy's 502, say). */
  | 'HTTP_ERROR'
  // Codes of plugins the client does not know yet, still typed as strings.
  | (string & {});

/** A failed call: the server's `{"error":{"code","message"}}`, or the client's own. */
export class AuthError extends Error {
  /** Stable, machine-readable: branch on this, not on `message`. */
  readonly code: AuthErrorCode;
  /** The HTTP status, or 0 when no answer arrived. */
  readonly status: number;

  constructor(code: AuthErrorCode, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    this.status = status;
  }
}

/** What every call resolves to. Exactly one of `data` and `error` is set. */
export type AuthResult<T> = { data: T; error: null } | { data: null; error: AuthError };

// ---------------------------------------------------------------------------
// The session store

/** The value of `$session`. */
export interface SessionState<U extends BaseUser = BasicUser> {
  /** The signed-in user, or `null`. */
  user: U | null;
  /** The current session, or `null`. */
  session: SessionRecord | null;
  /** `true` until the first answer about the session arrived. */
  isLoading: boolean;
  /**
   * The error of the last session fetch, `null` after a successful one. On
   * an error the last known `user` and `session` are kept.
   */
  error: AuthError | null;
}

/** Options of {@link createAuthClient}. */
export interface AuthClientOptions {
  /**
   * Where the server is: its origin (`https://example.com`, then `basePath`
   * is added) or the full URL of the auth routes (`https://example.com/api/auth`,
   * used as given). Default: the page's own origin (relative requests).
   */
  baseURL?: string;
  /** The server's base path, when `baseURL` is an origin. Default `/api/auth`. */
  basePath?: string;
  /** A `fetch` to use instead of the global one (tests, SSR, instrumentation). */
  fetch?: typeof fetch;
  /** Refetch the session when the tab becomes visible or focused again. Default `true`. */
  refetchOnFocus?: boolean;
  /**
   * The least time between two session fetches triggered by focus or by
   * remounting the store, in milliseconds. Default 5000.
   */
  focusCooldownMs?: number;
  /**
   * Keep the tabs of this origin in sync: a sign-in or sign-out in one tab
   * updates the store in the others (BroadcastChannel, else the `storage`
   * event). Default `true`.
   */
  syncTabs?: boolean;
}

/** The client that {@link createAuthClient} returns. */
export interface AuthClient<U extends BaseUser = BasicUser, F extends object = { name?: string }> {
  /**
   * The session store: subscribe from vanilla JS (`$session.subscribe(fn)`),
   * Svelte (it is a Svelte store), Vue (`@nanostores/vue`), or React
   * (`nanoauth/react`). The first subscriber triggers the first fetch.
   */
  readonly $session: ReadableAtom<SessionState<U>>;
  /**
   * Signs in; on success the store holds the user (and, once fetched, the
   * session). `signIn.social('github')` starts a social sign-in instead.
   */
  readonly signIn: SignIn<U>;
  /**
   * Creates an account and signs it in; the store is updated as by
   * `signIn`. When the server requires a verified email first, `data` is
   * `VerificationPending` and the store is left as it was.
   */
  signUp<P extends keyof SignUpBodies<F>>(
    provider: P,
    body: SignUpBodies<F>[P],
  ): Promise<AuthResult<SignedIn<U> | VerificationPending>>;
  /** Signs out (the server clears the cookie); the store becomes signed-out in every tab. */
  signOut(): Promise<AuthResult<{ success: boolean }>>;
  /**
   * Fetches the session now and updates the store. Concurrent calls share
   * one request. `data` is `null` when signed out.
   */
  getSession(): Promise<AuthResult<SessionData<U> | null>>;
  /** The signed-in user's sessions, newest first. */
  listSessions(): Promise<AuthResult<ListedSession[]>>;
  /** Revokes one of the user's sessions; revoking the current one signs out. */
  revokeSession(id: string): Promise<AuthResult<{ success: boolean }>>;
  /** Revokes every session of the user except the current one. */
  revokeOtherSessions(): Promise<AuthResult<{ revoked: number }>>;
  /** Links a provider account to the signed-in user (the browser goes to the provider). */
  linkSocial(provider: string, options?: SocialOptions): Promise<AuthResult<SocialRedirect>>;
  /** Unlinks the signed-in user's account at `provider`. */
  unlinkAccount(provider: string): Promise<AuthResult<{ success: boolean }>>;
  /** The provider accounts linked to the signed-in user. */
  listAccounts(): Promise<AuthResult<LinkedAccount[]>>;
  /**
   * Changes the signed-in user's password (`POST /change-password`); this
   * session stays, the others are signed out unless `revokeOtherSessions`
   * is `false`. A wrong current password is `INVALID_PASSWORD`.
   */
  changePassword(body: ChangePassword): Promise<AuthResult<{ success: boolean }>>;
  /**
   * Saves the signed-in user's own fields (`POST /update-user`, the server's
   * account plugin); the store holds the user as the server answered it.
   */
  updateUser(fields: UserUpdate<U>): Promise<AuthResult<{ user: U }>>;
  /**
   * Asks to move the account to `newEmail` (`POST /change-email`): a link
   * goes to the new address, a notice to the current one, and nothing
   * changes until the link is followed (then other sessions end). The same
   * answer whether or not the address is taken.
   */
  changeEmail(body: ChangeEmail): Promise<AuthResult<{ success: boolean }>>;
  /**
   * Deletes the account (`POST /delete-user`; the session must be fresh).
   * With the password: `{ deleted: true }`, and the store becomes
   * signed-out in every tab. An account without a password gets an emailed
   * link instead: `{ deleted: false }`. A wrong password is
   * `INVALID_PASSWORD`, a missing one `PASSWORD_REQUIRED`.
   */
  deleteUser(body?: DeleteUser): Promise<AuthResult<{ deleted: boolean }>>;
  /**
   * Emails a link to choose a new password (`POST /request-password-reset`);
   * it leads to `redirectTo?token=...`. The same answer whether or not an
   * account exists.
   */
  requestPasswordReset(body: { email: string; redirectTo: string }): Promise<AuthResult<{ success: boolean }>>;
  /**
   * Sets a new password with the token of the emailed link (`POST
   * /reset-password`); the server ends the user's sessions (unless set up
   * to keep them), so the store is refetched when signed in.
   */
  resetPassword(body: { token: string; newPassword: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Emails a link that verifies the address (`POST /send-verification-email`). */
  sendVerificationEmail(body: { email: string; callbackURL?: string }): Promise<AuthResult<{ success: boolean }>>;
  /**
   * Verifies an address with the token of the emailed link (`POST
   * /verify-email`), for an app that handles the link itself; the store is
   * refetched when signed in.
   */
  verifyEmail(body: { token: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Two-factor authentication: turning it on and off, and finishing a sign-in with a code. */
  readonly twoFactor: TwoFactorClient<U>;
  /** API keys for the user's scripts and services. */
  readonly apiKey: ApiKeyClient;
  /** Administration (the server's `nanoauth-admin` plugin): users, roles, bans, impersonation. */
  readonly admin: AdminClient<U>;
  /** Organizations, members, invitations and permissions (`nanoauth-organization`). */
  readonly organization: OrganizationClient;
  /**
   * A short-lived JWT for the signed-in user (`GET /token`, the server's
   * `nanoauth-jwt` plugin), for other services that verify it with the
   * server's `/jwks`. NanoAuth itself never takes it as a session.
   */
  token(): Promise<AuthResult<{ token: string }>>;
  /** The public keys that verify those tokens (`GET /jwks`), for anyone. */
  jwks(): Promise<AuthResult<{ keys: Jwk[] }>>;
  /**
   * Low level: calls any endpoint with this client's base URL, credentials
   * and error handling; with `signsIn`, an answer with a user updates the
   * store as `signIn` does. For plugin entry points such as `nanoauth/passkey`.
   */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signsIn?: boolean): Promise<AuthResult<T>>;
}

const CHANNEL = 'nanoauth:';

type TabMessage = { type: 'signin' | 'signout' };

function authBase(baseURL = '', basePath?: string): string {
  const url = baseURL.replace(/\/+$/, '');
  if (basePath === undefined) {
    const hasPath = url.startsWith('/') || /^[a-z][a-z\d+.-]*:\/\/[^/]+\//i.test(url);
    return hasPath ? url : `${url}/api/auth`;
  }
  const path = basePath.replace(/^\/+|\/+$/g, '');
  return path ? `${url}/${path}` : url;
}

const ok = <T>(data: T): AuthResult<T> => ({ data, error: null });
const fail = <T>(error: AuthError): AuthResult<T> => ({ data: null, error });

/**
 * Creates a client for one NanoAuth server. `U` is your user type (custom
 * fields such as `role` come back typed), `F` your extra sign-up fields.
 *
 * ```ts
 * const auth = createAuthClient<{ id: string; email: string; role: string }>({ baseURL: 'https://example.com' });
 * const { data, error } = await auth.signIn('email', { email, password });
 * if (error) console.log(error.code); // e.g. 'INVALID_CREDENTIALS'
 * ```
 */
export function createAuthClient<U extends BaseUser = BasicUser, F extends object = { name?: string }>(
  options: AuthClientOptions = {},
): AuthClient<U, F> {
  const base = authBase(options.baseURL, options.basePath);
  const cooldown = options.focusCooldownMs ?? 5000;
  const refetchOnFocus = options.refetchOnFocus ?? true;
  const syncTabs = options.syncTabs ?? true;
  const channelName = CHANNEL + base;
  // Called as a plain function: a browser's fetch refuses another `this`.
  const fetchImpl = options.fetch;

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AuthResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status = 0;
    let text: string;
    let response: Response;
    try {
      response = await (fetchImpl ?? fetch)(base + path, {
        method,
        headers,
        credentials: 'include',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      return fail(new AuthError('NETWORK_ERROR', 'The server could not be reached.', status, { cause }));
    }
    let payload: any;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
    if (!response.ok) {
      const error = payload && payload.error;
      return fail(
        error && typeof error.code === 'string'
          ? new AuthError(error.code, typeof error.message === 'string' ? error.message : error.code, status)
          : new AuthError('HTTP_ERROR', `The server answered ${status}.`, status),
      );
    }
    return payload === undefined
      ? fail(new AuthError('INVALID_RESPONSE', 'The server answered with something other than JSON.', status))
      : ok(payload as T);
  }

  // --- the store ------------------------------------------------------------

  const signedOut: SessionState<U> = { user: null, session: null, isLoading: false, error: null };
  const $session = atom<SessionState<U>>({ user: null, session: null, isLoading: true, error: null });
  let loaded = false;
  // Bumped by every sign-in or sign-out (here or in another tab): a session
  // fetch that started before it may answer for the old state and is neither
  // joined nor applied.
  let epoch = 0;
  let inflight: { epoch: number; promise: Promise<AuthResult<SessionData<U> | null>> } | null = null;
  let lastFetch = -Infinity;

  const set = (state: SessionState<U>) => {
    loaded = !state.isLoading;
    $session.set(state);
  };

  function getSession(): Promise<AuthResult<SessionData<U> | null>> {
    if (inflight && inflight.epoch === epoch) return inflight.promise;
    const started = epoch;
    lastFetch = Date.now();
    const promise = request<SessionData<U> | null>('GET', '/session').then((result) => {
      if (result.data !== null && !(typeof result.data === 'object' && result.data.user)) {
        result = fail(new AuthError('INVALID_RESPONSE', 'The session answer has no user.', 200));
      }
      if (inflight && inflight.promise === promise) inflight = null;
      if (started === epoch) {
        const state = $session.value!;
        set(
          result.error
            ? { ...state, isLoading: false, error: result.error }
            : { user: result.data?.user ?? null, session: result.data?.session ?? null, isLoading: false, error: null },
        );
      }
      return result;
    });
    inflight = { epoch: started, promise };
    return promise;
  }

  /** A fetch that focus or a remount asks for: skipped within the cooldown. */
  function refresh() {
    if (!loaded || Date.now() - lastFetch >= cooldown) void getSession();
  }

  // --- other tabs -------------------------------------------------------------

  let channel: BroadcastChannel | null = null;

  function broadcast(type: TabMessage['type']) {
    if (!syncTabs) return;
    const message: TabMessage = { type };
    if (typeof BroadcastChannel === 'function') {
      const out = channel ?? new BroadcastChannel(channelName);
      out.postMessage(message);
      if (out !== channel) out.close();
    } else {
      try {
        // A fresh value every time, so that the other tabs get a `storage` event.
        localStorage.setItem(channelName, JSON.stringify({ ...message, at: Date.now(), n: Math.random() }));
      } catch {
        // No storage (private mode, SSR): no cross-tab sync.
      }
    }
  }

  function received(message: unknown) {
    const type = message && (message as TabMessage).type;
    if (type !== 'signin' && type !== 'signout') return;
    epoch++;
    // Tabs share the cookie jar: a sign-out elsewhere is one here too, no
    // request needed. A sign-in needs the new user and session.
    if (type === 'signout') set(signedOut);
    else void getSession();
  }

  onMount($session, () => {
    refresh();
    const cleanups: Array<() => void> = [];
    const listen = (target: EventTarget, name: string, fn: (event: any) => void) => {
      target.addEventListener(name, fn);
      cleanups.push(() => target.removeEventListener(name, fn));
    };
    if (refetchOnFocus && typeof window !== 'undefined' && typeof document !== 'undefined') {
      const onFocus = () => {
        if (document.visibilityState !== 'hidden') refresh();
      };
      listen(window, 'focus', onFocus);
      listen(document, 'visibilitychange', onFocus);
    }
    if (syncTabs) {
      if (typeof BroadcastChannel === 'function') {
        const own = new BroadcastChannel(channelName);
        channel = own;
        listen(own, 'message', (event: MessageEvent) => received(event.data));
        cleanups.push(() => {
          own.close();
          if (channel === own) channel = null;
        });
      } else if (typeof window !== 'undefined') {
        listen(window, 'storage', (event: StorageEvent) => {
          if (event.key !== channelName || !event.newValue) return;
          try {
            received(JSON.parse(event.newValue));
          } catch {
            // Not ours.
          }
        });
      }
    }
    return () => cleanups.forEach((cleanup) => cleanup());
  });

  // --- calls -----------------------------------------------------------------

  // Only an answer with a user is a sign-in: not `twoFactorRequired`, not
  // a confirmed enrolment, not a sign-up waiting for its email.
  async function signedIn<R extends { user?: U | null }>(result: AuthResult<R>): Promise<AuthResult<R>> {
    if (result.error || !result.data.user) return result;
    epoch++;
    // The user at once; the session record (not in this answer) right after.
    set({ user: result.data.user, session: null, isLoading: false, error: null });
    broadcast('signin');
    await getSession();
    return result;
  }

  function endedSession() {
    epoch++;
    set(signedOut);
    broadcast('signout');
  }

  async function social(path: string, provider: string, options: SocialOptions = {}) {
    const { redirect = true, ...body } = options;
    const result = await request<SocialRedirect>('POST', `/${path}/${encodeURIComponent(provider)}`, body);
    if (!result.error && redirect && typeof window != 'undefined' && window.location) {
      window.location.assign(result.data.url);
    }
    return result;
  }

  /** Any endpoint; with `signs`, an answer with a user signs in. */
  const call = (method: 'GET' | 'POST', path: string, body?: unknown, signs?: boolean): Promise<AuthResult<any>> => {
    const sent = request<any>(method, path, body);
    return signs ? sent.then(signedIn) : sent;
  };
  /** `POST path`, as a call taking the body. */
  const post = (path: string, signs?: boolean) => (body?: object) => call('POST', path, body, signs);

  /**
   * `POST path`, then a session fetch when signed in: the call may have
   * ended this session (a reset) or changed the user (a verified address).
   */
  const refetching = (path: string) => async (body: object) => {
    const result = await call('POST', path, body);
    if (!result.error && $session.value!.user) await getSession();
    return result;
  };

  const signIn: SignIn<U> = Object.assign(
    <P extends keyof SignInBodies>(provider: P, body: SignInBodies[P]) =>
      request<SignedIn<U> | TwoFactorRequired>('POST', `/signin/${String(provider)}`, body).then(signedIn),
    {
      social: (provider: string, options?: SocialOptions) => social('signin', provider, options),
      magicLink: post('/signin/magic-link'),
    },
  );

  return {
    $session,
    signIn,
    signUp: (provider, body) =>
      request<SignedIn<U> | VerificationPending>('POST', `/signup/${String(provider)}`, body).then(signedIn),
    async signOut() {
      const result = await request<{ success: boolean }>('POST', '/signout');
      if (!result.error) endedSession();
      return result;
    },
    getSession,
    listSessions: () => request<ListedSession[]>('GET', '/sessions'),
    async revokeSession(id) {
      const current = $session.value!.session;
      const result = await request<{ success: boolean }>('POST', '/sessions/revoke', { id });
      if (!result.error && current && current.id === id) endedSession();
      return result;
    },
    revokeOtherSessions: () => request<{ revoked: number }>('POST', '/sessions/revoke-others'),
    linkSocial: (provider, options) => social('link', provider, options),
    unlinkAccount: (provider) => request<{ success: boolean }>('POST', `/unlink/${encodeURIComponent(provider)}`),
    listAccounts: () => request<LinkedAccount[]>('GET', '/list-accounts'),
    changePassword: post('/change-password'),
    async updateUser(fields) {
      const result = await request<{ user: U }>('POST', '/update-user', fields);
      const state = $session.value!;
      if (!result.error && state.user && state.user.id === result.data.user.id) {
        set({ ...state, user: result.data.user });
      }
      return result;
    },
    changeEmail: post('/change-email'),
    async deleteUser(body = {}) {
      const result = await request<{ deleted: boolean }>('POST', '/delete-user', body);
      if (!result.error && result.data.deleted) endedSession();
      return result;
    },
    requestPasswordReset: post('/request-password-reset'),
    resetPassword: refetching('/reset-password'),
    sendVerificationEmail: post('/send-verification-email'),
    verifyEmail: refetching('/verify-email'),
    twoFactor: {
      enable: post('/two-factor/enable'),
      verifyTotp: post('/two-factor/verify-totp', true),
      verifyBackupCode: post('/two-factor/verify-backup-code', true),
      sendOtp: post('/two-factor/send-otp'),
      verifyOtp: post('/two-factor/verify-otp', true),
      disable: post('/two-factor/disable'),
      generateBackupCodes: post('/two-factor/backup-codes'),
      status: () => request('GET', '/two-factor/status'),
      revokeTrustedDevice: post('/two-factor/trusted-devices/revoke'),
    },
    apiKey: {
      create: post('/api-key/create'),
      // JSON drops the fields left `undefined`.
      list: (owner?: ApiKeyOwnerSelector) => request('GET', `/api-key/list?${new URLSearchParams(JSON.parse(JSON.stringify(owner ?? {})))}`),
      update: post('/api-key/update'),
      delete: post('/api-key/delete'),
    },
    admin: createAdminClient<U>(call),
    organization: createOrganizationClient(call, getSession),
    token: () => request('GET', '/token'),
    jwks: () => request('GET', '/jwks'),
    call,
  };
}
