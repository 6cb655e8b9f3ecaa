// The e2e test page: a small React app on nanoauth/react, against the demo
// server (same origin through e2e/server.mjs). Two components use the
// session, under StrictMode, to show they share one store and one request.
import { StrictMode, useState } from 'react';
import type { FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { createAuthClient } from 'nanoauth/react';
import type { AuthError } from 'nanoauth/react';

/** The demo's user type: `role` is its own field. */
interface DemoUser {
  id: string;
  email: string;
  name: string;
  role: string;
}

// Same origin: baseURL defaults to the page's own, /api/auth.
const auth = createAuthClient<DemoUser, { name: string }>();

function Header() {
  const { user, isLoading } = auth.useSession();
  return (
    <header>
      <strong>nanoauth/react</strong>
      <span id="header-user">{isLoading ? '…' : user ? user.email : 'guest'}</span>
    </header>
  );
}

function Account() {
  const { user, session, isLoading, error, signOut } = auth.useSession();
  const [failure, setFailure] = useState<AuthError | null>(null);

  if (isLoading) return <p id="status">loading</p>;
  if (!user) return <SignedOut />;
  // `role` is typed: DemoUser is the client's generic parameter.
  const role: string = user.role;
  return (
    <section>
      <p id="status">signed-in</p>
      <dl>
        <dt>Email</dt>
        <dd id="user-email">{user.email}</dd>
        <dt>Name</dt>
        <dd id="user-name">{user.name}</dd>
        <dt>Role</dt>
        <dd id="user-role">{role}</dd>
        <dt>Session</dt>
        <dd id="session-id">{session ? session.id : ''}</dd>
      </dl>
      {error && <p id="store-error">{error.code}</p>}
      <button
        id="signout"
        onClick={async () => {
          const result = await signOut();
          setFailure(result.error);
        }}
      >
        Sign out
      </button>
      {failure && <p id="error">{`${failure.code}: ${failure.message}`}</p>}
      <ChangePassword />
    </section>
  );
}

/** `changePassword`: the answer's code, or "changed". */
function ChangePassword() {
  const [outcome, setOutcome] = useState('');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { error } = await auth.changePassword({
      currentPassword: String(form.get('current')),
      newPassword: String(form.get('new')),
    });
    setOutcome(error ? error.code : 'changed');
  };
  return (
    <form id="change-password" onSubmit={submit}>
      <strong>Change password</strong>
      <input name="current" type="password" placeholder="Current password" required />
      <input name="new" type="password" placeholder="New password" required />
      <button>Change</button>
      {outcome && <p id="change-password-outcome">{outcome}</p>}
    </form>
  );
}

function SignedOut() {
  const [failure, setFailure] = useState<AuthError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (kind: 'up' | 'in') => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setBusy(true);
    const result =
      kind === 'up'
        ? await auth.signUp('email', { email, password, name: String(form.get('name')) })
        : await auth.signIn('email', { email, password });
    setBusy(false);
    setFailure(result.error);
  };

  return (
    <section>
      <p id="status">signed-out</p>
      <form id="signup" onSubmit={submit('up')}>
        <strong>Sign up</strong>
        <input name="name" placeholder="Name" />
        <input name="email" type="email" placeholder="Email" required />
        <input name="password" type="password" placeholder="Password" required />
        <button disabled={busy}>Sign up</button>
      </form>
      <form id="signin" onSubmit={submit('in')}>
        <strong>Sign in</strong>
        <input name="email" type="email" placeholder="Email" required />
        <input name="password" type="password" placeholder="Password" required />
        <button disabled={busy}>Sign in</button>
      </form>
      {failure && <p id="error">{`${failure.code}: ${failure.message}`}</p>}
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Header />
    <Account />
  </StrictMode>,
);
