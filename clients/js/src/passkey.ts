/**
 * Passkeys (WebAuthn) for the NanoAuth browser client, from the server's
 * `nanoauth-passkey` plugin: register, sign in without an address (a button,
 * or the browser's autofill), re-authenticate, list, rename, delete.
 *
 * A separate entry point (`nanoauth/passkey`), so apps without passkeys do
 * not ship the WebAuthn code:
 *
 * ```ts
 * import { createAuthClient } from 'nanoauth';
 * import { createPasskeyClient } from 'nanoauth/passkey';
 *
 * const auth = createAuthClient();
 * const passkey = createPasskeyClient(auth);
 * const { data, error } = await passkey.signIn();
 * ```
 *
 * Like every call of the client, none throws for an expected failure: a
 * ceremony the person cancelled is `PASSKEY_CANCELLED`, a browser without
 * WebAuthn `PASSKEY_UNSUPPORTED`.
 */
import { AuthError } from './client.js';
import type {
  AuthClient,
  AuthResult,
  BaseUser,
  BasicUser,
  SignedIn,
  TwoFactorRequired,
  VerificationPending,
} from './client.js';

/** A passkey of the signed-in user. Times are Unix seconds. */
export interface Passkey {
  /** The credential id (base64url): what `rename` and `delete` take. */
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Options of `passkey.signIn`. */
export interface PasskeySignInOptions {
  /**
   * Offer the passkeys in the autofill of an input with
   * `autocomplete="username webauthn"` instead of a dialog; the promise
   * settles when the person picks one. Check `conditionalAvailable()` first.
   */
  conditional?: boolean;
  /** Cancels the ceremony (e.g. a pending autofill before a button's sign-in). */
  signal?: AbortSignal;
}

/** The passkey calls; see {@link createPasskeyClient}. */
export interface PasskeyClient<U extends BaseUser = BasicUser> {
  /**
   * Registers a passkey for the signed-in user. The session must be fresh
   * (a recent sign-in, or `reauthenticate()` first): else `SESSION_NOT_FRESH`.
   */
  register(options?: string | { name?: string }): Promise<AuthResult<{ passkey: Omit<Passkey, 'lastUsedAt'> }>>;
  /**
   * Creates an account with a passkey alone (the server's `PasskeySignUp`):
   * `fields` are the address and the application's sign-up fields, `name`
   * the passkey's. Signs in and updates the store as `signUp` does; the
   * answer is `{ user: null, token: null }` when the address must be
   * verified first.
   */
  signUp(
    fields: { email: string } & Record<string, unknown>,
    options?: { name?: string },
  ): Promise<AuthResult<SignedIn<U> | VerificationPending>>;
  /** Signs in with a passkey, no address needed; updates the store as `signIn` does. */
  signIn(options?: PasskeySignInOptions): Promise<AuthResult<SignedIn<U> | TwoFactorRequired>>;
  /** Confirms the signed-in user with a passkey (no new session): the session counts as fresh again. */
  reauthenticate(): Promise<AuthResult<{ verifiedAt: number; passkey: { id: string; name: string } }>>;
  list(): Promise<AuthResult<Passkey[]>>;
  rename(body: { id: string; name: string }): Promise<AuthResult<{ success: boolean }>>;
  delete(body: { id: string }): Promise<AuthResult<{ success: boolean }>>;
  /** Whether this browser can do WebAuthn at all. */
  supported(): boolean;
  /** Whether this browser offers passkeys in autofill (conditional mediation). */
  conditionalAvailable(): Promise<boolean>;
}

declare module './client.js' {
  interface SignIn<U extends BaseUser> {
    /**
     * `passkey.signIn()`, once `createPasskeyClient(auth)` has been called
     * (the WebAuthn code lives in `nanoauth/passkey`, so apps without
     * passkeys do not ship it).
     */
    passkey?: (options?: PasskeySignInOptions) => Promise<AuthResult<SignedIn<U> | TwoFactorRequired>>;
  }
}

type Json = Record<string, any>;

/** The browser's `PublicKeyCredential`, with the Level 3 JSON helpers when it has them. */
const credentialClass = (): any => (typeof PublicKeyCredential === 'function' ? PublicKeyCredential : undefined);

/** base64url text to bytes. */
export function fromBase64url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Bytes to base64url text, unpadded. */
export function toBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const withIds = (list: Json[] | undefined) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

function creationOptions(json: Json): CredentialCreationOptions['publicKey'] {
  const helper = credentialClass()?.parseCreationOptionsFromJSON;
  if (helper) return helper(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  } as any;
}

function requestOptions(json: Json): CredentialRequestOptions['publicKey'] {
  const helper = credentialClass()?.parseRequestOptionsFromJSON;
  if (helper) return helper(json);
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) } as any;
}

/** The credential as WebAuthn Level 3's `toJSON()` writes it. */
function credentialJSON(credential: any): Json {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response: Json = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
  };
}

const failed = <T>(code: string, message: string, cause?: unknown): AuthResult<T> => ({
  data: null,
  error: new AuthError(code, message, 0, { cause }),
});

/**
 * The passkey calls for `auth`, a client from `createAuthClient`. A
 * sign-in updates `auth.$session` as `auth.signIn` does.
 */
export function createPasskeyClient<U extends BaseUser = BasicUser>(auth: AuthClient<U, any>): PasskeyClient<U> {
  const supported = () => !!credentialClass() && typeof navigator !== 'undefined' && !!navigator.credentials;

  /**
   * Options from `optionsPath` (posting `body`), the browser's ceremony,
   * then `{credential, ...extra}` to `verifyPath`; `signs`: the answer
   * signs in.
   */
  async function ceremony<T>(
    create: boolean,
    optionsPath: string,
    verifyPath: string,
    extra: Json = {},
    signIn?: PasskeySignInOptions,
    body: Json = {},
    signs = !!signIn,
  ): Promise<AuthResult<T>> {
    if (!supported()) return failed('PASSKEY_UNSUPPORTED', 'This browser does not support passkeys.');
    const options = await auth.call<{ publicKey: Json }>('POST', optionsPath, body);
    if (options.error) return options;
    let credential: Credential | null;
    try {
      const publicKey = options.data.publicKey;
      credential = create
        ? await navigator.credentials.create({ publicKey: creationOptions(publicKey) })
        : await navigator.credentials.get({
            publicKey: requestOptions(publicKey),
            ...(signIn?.conditional ? { mediation: 'conditional' as CredentialMediationRequirement } : {}),
            ...(signIn?.signal ? { signal: signIn.signal } : {}),
          });
    } catch (cause: any) {
      const cancelled = cause && (cause.name === 'NotAllowedError' || cause.name === 'AbortError');
      return cancelled
        ? failed('PASSKEY_CANCELLED', 'No passkey was used.', cause)
        : failed('PASSKEY_FAILED', (cause && cause.message) || 'The passkey did not work.', cause);
    }
    if (!credential) return failed('PASSKEY_CANCELLED', 'No passkey was used.');
    return auth.call<T>('POST', verifyPath, { ...extra, credential: credentialJSON(credential) }, signs);
  }

  const client: PasskeyClient<U> = {
    register: (options = {}) => {
      const name = typeof options == 'string' ? options : options.name;
      return ceremony(true, '/passkey/register/options', '/passkey/register/verify', name ? { name } : {});
    },
    signUp: (fields, options = {}) =>
      ceremony(true, '/passkey/signup/options', '/signup/passkey', options.name ? { name: options.name } : {}, undefined, fields, true),
    signIn: (options = {}) => ceremony(false, '/passkey/signin/options', '/signin/passkey', {}, options),
    reauthenticate: () => ceremony(false, '/passkey/verify/options', '/passkey/verify'),
    list: () => auth.call('GET', '/passkeys'),
    rename: (body) => auth.call('POST', '/passkey/rename', body),
    delete: (body) => auth.call('POST', '/passkey/delete', body),
    supported,
    conditionalAvailable: async () => {
      try {
        return supported() && !!(await credentialClass().isConditionalMediationAvailable?.());
      } catch {
        return false;
      }
    },
  };
  // `auth.signIn.passkey()`, beside `signIn.social` and `signIn.magicLink`.
  auth.signIn.passkey = client.signIn;
  return client;
}
