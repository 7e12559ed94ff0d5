import { createContext, type FormEvent, useContext, useEffect, useMemo, useState } from 'react';
import type { Client as SocketClient } from 'graphql-ws';
import { Provider, useQuery } from 'urql';
import { AuditPage } from './AuditPage';
import { AsOfPage } from './AsOfPage';
import { ClassifyBox } from './ClassifyBox';
import { createClient, session } from './client';
import { type MeQuery, MeDocument, type Permission } from './generated/graphql';
import { IspsPage } from './IspsPage';
import { LiveStatus, LiveProvider } from './live';
import { HistoryPage } from './HistoryPage';
import { PatternForm } from './PatternForm';
import { PatternsPage } from './PatternsPage';
import { href, useRoute } from './router';
import { TrashPage } from './TrashPage';

type Viewer = MeQuery['me'];
const ViewerContext = createContext<Viewer | null>(null);

/** What the signed-in token may do: the console shows only that. */
export function useCan(permission: Permission): boolean {
  return useContext(ViewerContext)?.permissions.includes(permission) ?? false;
}

export function App() {
  const [token, setToken] = useState(session.token);
  const [notice, setNotice] = useState<string | null>(null);
  const connection = useMemo(() => (token ? createClient(token) : null), [token]);
  const signOut = (why: string | null) => {
    session.signOut();
    connection?.close();
    setNotice(why);
    setToken(null);
  };
  if (!token || !connection) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(t) => {
          session.signIn(t);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Provider value={connection.client}>
      <Console socket={connection.socket} onSignOut={signOut} />
    </Provider>
  );
}

function SignIn({ notice, onSignIn }: { notice: string | null; onSignIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSignIn(token.trim());
  };
  return (
    <main className="sign-in">
      <h1>Bounce patterns</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <button type="submit">Sign in</button>
        {notice && (
          <p role="alert" className="error">
            {notice}
          </p>
        )}
        <p className="hint">
          The token is kept in this tab only (session storage) and forgotten when you sign out or close the tab. The
          first admin token is printed once by the service's first start.
        </p>
      </form>
    </main>
  );
}

const SCREENS: { path: string; label: string; permission: Permission }[] = [
  { path: 'patterns', label: 'Patterns', permission: 'readRules' },
  { path: 'trash', label: 'Trash', permission: 'readRules' },
  { path: 'isps', label: 'ISPs', permission: 'readRules' },
  { path: 'audit', label: 'Audit log', permission: 'readAudit' },
  { path: 'as-of', label: 'Rules as of', permission: 'readAudit' },
  { path: 'classify', label: 'Classify', permission: 'classify' },
];

function Console({ socket, onSignOut }: { socket: SocketClient; onSignOut: (why: string | null) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: MeDocument, requestPolicy: 'network-only' });
  const route = useRoute();
  const code = error?.graphQLErrors[0]?.extensions?.code;
  useEffect(() => {
    if (code === 'UNAUTHENTICATED') onSignOut('That token was not accepted: it is unknown or revoked.');
  }, [code, onSignOut]);
  if (error) {
    return <p role="alert">Could not reach the service: {error.message}</p>;
  }
  if (fetching || !data) return <p>Loading…</p>;
  const viewer = data.me;
  const screens = SCREENS.filter((s) => viewer.permissions.includes(s.permission));
  const [screen = screens[0]?.path, id, sub] = route;
  return (
    <ViewerContext.Provider value={viewer}>
      <LiveProvider socket={socket}>
        <header className="top">
          <h1>Bounce patterns</h1>
          <nav aria-label="Screens">
            {screens.map((s) => (
              <a key={s.path} href={href(s.path)} aria-current={screen === s.path ? 'page' : undefined}>
                {s.label}
              </a>
            ))}
          </nav>
          <div className="who">
            <LiveStatus />
            <span>
              Signed in as <strong>{viewer.name}</strong> ({viewer.role.toLowerCase()})
            </span>
            <button type="button" onClick={() => onSignOut(null)}>
              Sign out
            </button>
          </div>
        </header>
        <main>
          <Screen screen={screen} id={id} sub={sub} />
        </main>
      </LiveProvider>
    </ViewerContext.Provider>
  );
}

function Screen({ screen, id, sub }: { screen: string | undefined; id?: string; sub?: string }) {
  switch (screen) {
    case 'patterns':
      if (id === 'new') return <PatternForm />;
      if (id && sub === 'edit') return <PatternForm id={id} />;
      if (id && sub === 'history') return <HistoryPage id={id} />;
      return <PatternsPage />;
    case 'trash':
      return <TrashPage />;
    case 'isps':
      return <IspsPage id={id} />;
    case 'audit':
      return <AuditPage />;
    case 'as-of':
      return <AsOfPage />;
    case 'classify':
      return <ClassifyBox />;
    default:
      return <p>This token may not read the rules.</p>;
  }
}
