/**
 * React bindings: `createAuthClient` returns the client of `nanoauth/client`
 * plus a `useSession()` hook that re-renders when the session changes.
 *
 * ```tsx
 * import { createAuthClient } from 'nanoauth/react';
 * export const auth = createAuthClient<MyUser>();
 *
 * function Header() {
 *   const { user, isLoading, signOut } = auth.useSession();
 *   if (isLoading) return null;
 *   return user ? <button onClick={signOut}>Sign out {user.email}</button> : <a href="/sign-in">Sign in</a>;
 * }
 * ```
 */
import { useMemo, useSyncExternalStore } from 'react';

import { createAuthClient as createVanillaClient } from './client.js';
import type { AuthClient, AuthClientOptions, AuthResult, BaseUser, BasicUser, SessionData, SessionState } from './client.js';
import { activeOrganizationStore } from './organization.js';
import type { ActiveOrganizationState } from './organization.js';

export { AuthError } from './client.js';
export type {
  AuthClient,
  AuthClientOptions,
  AuthErrorCode,
  AuthResult,
  BaseUser,
  BasicUser,
  ListedSession,
  SessionData,
  SessionRecord,
  SessionState,
  SignedIn,
  SignInBodies,
  SignUpBodies,
  Reauthentication,
  TrustedDevice,
  TwoFactorClient,
  TwoFactorCode,
  TwoFactorEnrolment,
  TwoFactorRequired,
  TwoFactorStatus,
} from './client.js';
export type {
  ActiveOrganizationState,
  FullOrganization,
  Invitation,
  Member,
  MemberWithUser,
  Organization,
  OrganizationClient,
  Team,
} from './organization.js';

/** What `useSession()` returns: the store's state plus two actions. */
export interface UseSession<U extends BaseUser = BasicUser> extends SessionState<U> {
  /** Signs out; every component using the session re-renders signed-out. */
  signOut: () => Promise<AuthResult<{ success: boolean }>>;
  /** Fetches the session again now (deduplicated with any fetch in flight). */
  refetch: () => Promise<AuthResult<SessionData<U> | null>>;
}

/** The client of `nanoauth/client` with React's `useSession`. */
export interface ReactAuthClient<U extends BaseUser = BasicUser, F extends object = { name?: string }>
  extends AuthClient<U, F> {
  /**
   * The session, kept current: re-renders on sign-in and sign-out (in this
   * tab or another one) and after a refetch on focus. Any number of
   * components may use it; they share one store and one request.
   */
  useSession(): UseSession<U>;
  /**
   * The session's active organization with its members, invitations and
   * teams (`null` when none is active), fetched again whenever the active
   * organization changes (`organization.setActive`, accepting an
   * invitation, another tab).
   */
  useActiveOrganization(): UseActiveOrganization;
}

/** What `useActiveOrganization()` returns. */
export interface UseActiveOrganization extends ActiveOrganizationState {
  /** Fetches it again now (after changing its members, say). */
  refetch: () => Promise<void>;
}

/**
 * Creates a client for one NanoAuth server, with `useSession()`. Create it
 * once, at module level, and import it where needed.
 */
export function createAuthClient<U extends BaseUser = BasicUser, F extends object = { name?: string }>(
  options?: AuthClientOptions,
): ReactAuthClient<U, F> {
  const client = createVanillaClient<U, F>(options);
  const { $session, signOut, getSession } = client;
  // `listen` mounts the store (first fetch, focus and tab listeners); the
  // snapshot reads the value without mounting, so rendering has no effects.
  const subscribe = (onChange: () => void) => $session.listen(onChange);
  const snapshot = () => $session.value!;
  const $active = activeOrganizationStore(client);
  const subscribeActive = (onChange: () => void) => $active.listen(onChange);
  const activeSnapshot = () => $active.get();
  return {
    ...client,
    useActiveOrganization() {
      // Listening to the session too keeps the session store mounted.
      useSyncExternalStore(subscribe, snapshot, snapshot);
      const state = useSyncExternalStore(subscribeActive, activeSnapshot, activeSnapshot);
      return useMemo(() => ({ ...state, refetch: $active.refetch }), [state]);
    },
    useSession() {
      const state = useSyncExternalStore(subscribe, snapshot, snapshot);
      return { ...state, signOut, refetch: getSession };
    },
  };
}
