/** The shell: login gate, navigation, and the page for the current path. */
import { useEffect, useState } from 'preact/hooks';
import { MeDocument, type Role } from '../../sdk/index.ts';
import { errorMessage, onLoginChange, session } from './api.ts';
import { onLinkClick, usePath } from './router.ts';
import { AdminPage } from './pages/admin.tsx';
import { DevicePage } from './pages/device.tsx';
import { DevicesPage } from './pages/devices.tsx';
import { LoginPage } from './pages/login.tsx';
import { ReadingsPage } from './pages/readings.tsx';

export interface Me {
  username: string;
  role: Role;
}

export function Link({ href, children, class: className }: { href: string; children: preact.ComponentChildren; class?: string }) {
  return (
    <a href={href} class={className} onClick={onLinkClick}>
      {children}
    </a>
  );
}

function Page({ me }: { me: Me }) {
  const { path, query } = usePath();
  const device = /^\/devices\/([A-Z]{1,20})\/(\d+)$/.exec(path);
  if (device) return <DevicePage key={path} me={me} deviceCode={device[1]!} deviceNumber={Number(device[2])} />;
  if (path === '/readings') return <ReadingsPage me={me} query={query} />;
  if (path === '/admin' && me.role === 'ADMIN') return <AdminPage />;
  if (path === '/' || path === '/devices') return <DevicesPage query={query} />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        Nothing here. <Link href="/">Devices</Link>
      </p>
    </main>
  );
}

function Nav({ me }: { me: Me }) {
  const { path } = usePath();
  const current = (prefix: string) => (prefix === '/' ? path === '/' || path.startsWith('/devices') : path.startsWith(prefix)) ? 'current' : undefined;
  const [leaving, setLeaving] = useState(false);
  return (
    <header class="top">
      <nav>
        <span class="brand">Sensors</span>
        <Link href="/" class={current('/')}>
          Devices
        </Link>
        <Link href="/readings" class={current('/readings')}>
          Readings
        </Link>
        {me.role === 'ADMIN' && (
          <Link href="/admin" class={current('/admin')}>
            Admin
          </Link>
        )}
      </nav>
      <div class="who">
        <span data-testid="whoami">
          {me.username} <span class="role">{me.role.toLowerCase()}</span>
        </span>
        <button
          type="button"
          class="quiet"
          disabled={leaving}
          onClick={() => {
            setLeaving(true);
            void session.logout();
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}

export function App() {
  const [loggedIn, setLoggedIn] = useState(session.current !== null);
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => onLoginChange(setLoggedIn), []);
  useEffect(() => {
    if (!loggedIn) return setMe(null);
    if (me) return;
    // A resumed session: ask who we are (this also refreshes an expired access token).
    session.request(MeDocument).then(
      ({ me: user }) => (user ? setMe({ username: user.username, role: user.role }) : void session.logout()),
      (error: unknown) => {
        setProblem(errorMessage(error));
        void session.logout();
      },
    );
  }, [loggedIn, me]);

  if (!loggedIn) return <LoginPage problem={problem} onLoggedIn={(user) => (setProblem(null), setMe(user))} />;
  if (!me) return <p class="loading">Loading…</p>;
  return (
    <>
      <Nav me={me} />
      <Page me={me} />
    </>
  );
}
