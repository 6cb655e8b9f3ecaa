// A fake `fetch` that plays a NanoAuth server in memory: it records every
// request, can hold answers back (to have requests in flight at once), and
// can fail like a network or a misconfigured proxy would.

export interface AppUser {
  id: string;
  email: string;
  name: string;
  role: string;
}

export interface Call {
  method: string;
  url: string;
  path: string;
  init: RequestInit;
  body: unknown;
}

type Override = (call: Call) => Response | undefined | Promise<Response | undefined>;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const error = (status: number, code: string, message: string) => json(status, { error: { code, message } });

export class FakeServer {
  readonly calls: Call[] = [];
  /** Server-side state: the signed-in user of "the cookie", or null. */
  current: { user: AppUser; sessionId: string } | null = null;
  users = new Map<string, { user: AppUser; password: string }>();
  /** Users with two-factor on (by email), and the sign-in waiting for its code. */
  twoFactor = new Set<string>();
  challenge: AppUser | null = null;
  /** The code the fake accepts (authenticator, backup or emailed alike). */
  static readonly CODE = '123456';
  /** While set, every answer waits for `release()`. */
  private held: Array<() => void> | null = null;
  /** Consulted first; answering undefined falls through to the fake API. */
  override: Override | null = null;
  private nextId = 1;

  constructor(readonly base = 'http://auth.test/api/auth') {}

  /** The `fetch` to hand to the client. */
  readonly fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const call: Call = {
      method: init.method ?? 'GET',
      url,
      path: url.startsWith(this.base) ? url.slice(this.base.length) : url,
      init,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    this.calls.push(call);
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    const overridden = this.override && (await this.override(call));
    return overridden ?? this.answer(call);
  }) as typeof fetch;

  /** The calls to `METHOD path`, e.g. `count('GET /session')`. */
  count(what: string): number {
    return this.calls.filter((call) => `${call.method} ${call.path}` === what).length;
  }

  hold() {
    this.held = [];
  }

  release() {
    const waiting = this.held ?? [];
    this.held = null;
    waiting.forEach((resume) => resume());
  }

  addUser(email: string, password: string, role = 'member'): AppUser {
    const user = { id: `u${this.nextId++}`, email, name: email.split('@')[0]!, role };
    this.users.set(email, { user, password });
    return user;
  }

  signInAs(user: AppUser) {
    this.current = { user, sessionId: `s${this.nextId++}` };
  }

  private session() {
    const current = this.current!;
    return {
      id: current.sessionId,
      userId: current.user.id,
      createdAt: 1_700_000_000,
      updatedAt: 1_700_000_000,
      expiresAt: 1_700_604_800,
      ipAddress: '127.0.0.1',
      userAgent: 'vitest',
    };
  }

  private answer(call: Call): Response {
    const body = (call.body ?? {}) as Record<string, string>;
    switch (`${call.method} ${call.path}`) {
      case 'GET /session':
        return json(200, this.current ? { user: this.current.user, session: this.session() } : null);
      case 'POST /signup/email': {
        if (this.users.has(body.email!)) return error(409, 'USER_ALREADY_EXISTS', 'An account with this email already exists.');
        if ((body.password ?? '').length < 8) return error(400, 'PASSWORD_TOO_SHORT', 'The password must have at least 8 characters.');
        const user = this.addUser(body.email!, body.password!);
        if (body.name) user.name = body.name;
        this.signInAs(user);
        return json(200, { user, token: 'jwt-token' });
      }
      case 'POST /signin/email': {
        const found = this.users.get(body.email!);
        if (!found || found.password !== body.password) {
          return error(401, 'INVALID_CREDENTIALS', 'Invalid email or password.');
        }
        if (this.twoFactor.has(found.user.email)) {
          this.challenge = found.user;
          return json(200, { twoFactorRequired: true });
        }
        this.signInAs(found.user);
        return json(200, { user: found.user, token: 'jwt-token' });
      }
      case 'POST /two-factor/enable':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        if (body.password !== this.users.get(this.current.user.email)?.password) {
          return error(400, 'INVALID_PASSWORD', 'The password is not correct.');
        }
        return json(200, { totpURI: 'otpauth://totp/Test:ada?secret=MZXW6YTBOI', backupCodes: ['aaaaa-bbbbb'] });
      case 'POST /two-factor/verify-totp':
      case 'POST /two-factor/verify-backup-code':
      case 'POST /two-factor/verify-otp': {
        if (body.code !== FakeServer.CODE) return error(401, 'INVALID_CODE', 'The code is not correct.');
        if (this.current && call.path.endsWith('totp') && !this.twoFactor.has(this.current.user.email)) {
          this.twoFactor.add(this.current.user.email);
          return json(200, { enabled: true });
        }
        const user = this.challenge;
        if (!user) return error(401, 'INVALID_CHALLENGE', 'This sign-in has expired. Sign in again.');
        this.challenge = null;
        this.signInAs(user);
        return json(200, { user, token: 'jwt-token' });
      }
      case 'POST /two-factor/send-otp':
        return this.challenge ? json(200, { success: true }) : error(401, 'INVALID_CHALLENGE', 'Sign in again.');
      case 'POST /two-factor/disable':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        this.twoFactor.delete(this.current.user.email);
        return json(200, { enabled: false });
      case 'POST /two-factor/backup-codes':
        return json(200, { backupCodes: ['ccccc-ddddd'] });
      case 'GET /two-factor/status':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        return json(200, {
          enabled: this.twoFactor.has(this.current.user.email),
          pending: false,
          backupCodesLeft: 10,
          trustedDevices: [],
        });
      case 'POST /two-factor/trusted-devices/revoke':
        return body.id === 'd1' ? json(200, { success: true }) : error(404, 'DEVICE_NOT_FOUND', 'No such trusted device.');
      case 'POST /update-user': {
        if (!this.current) return error(401, 'UNAUTHORIZED', 'You must be signed in.');
        // The server's `AuthUser::Update` of this app: the name alone.
        if (typeof body.name === 'string') this.current.user.name = body.name;
        return json(200, { user: this.current.user });
      }
      case 'POST /change-email':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'You must be signed in.');
        if (!(body.newEmail ?? '').includes('@')) return error(400, 'INVALID_EMAIL', 'That is not a valid email address.');
        return json(200, { success: true });
      case 'POST /delete-user': {
        if (!this.current) return error(401, 'UNAUTHORIZED', 'You must be signed in.');
        const { email } = this.current.user;
        const stored = this.users.get(email);
        if (!stored?.password) return json(200, { deleted: false });
        if (body.password === undefined) return error(400, 'PASSWORD_REQUIRED', 'Enter your password to delete your account.');
        if (body.password !== stored.password) return error(400, 'INVALID_PASSWORD', 'The current password is not correct.');
        this.users.delete(email);
        this.current = null;
        return json(200, { deleted: true });
      }
      case 'POST /signout':
        this.current = null;
        return json(200, { success: true });
      case 'GET /sessions':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        return json(200, [{ ...this.session(), current: true }]);
      case 'POST /sessions/revoke':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        if (body.id !== this.current.sessionId) return error(404, 'SESSION_NOT_FOUND', 'No such session.');
        this.current = null;
        return json(200, { success: true });
      case 'POST /sessions/revoke-others':
        if (!this.current) return error(401, 'UNAUTHORIZED', 'Sign in first.');
        return json(200, { revoked: 2 });
      default:
        return error(404, 'NOT_FOUND', 'Not found.');
    }
  }
}
