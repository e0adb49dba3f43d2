import { useEffect } from 'preact/hooks';
import { saveApiKey, useAuth } from './api';
import { KeyPrompt } from './components/KeyPrompt';
import { Link, parseRoute, useLocation } from './router';
import { ProjectsView } from './views/Projects';
import { ProjectView } from './views/Project';
import { TraceView } from './views/Trace';
import { NotFoundView } from './views/NotFound';

export function App() {
  const url = useLocation();
  const route = parseRoute(url.pathname);
  const auth = useAuth();
  useEffect(() => {
    document.body.classList.toggle('route-trace', route.name === 'trace');
  }, [route.name]);
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/" class="brand" aria-label="agentgraph: all projects">
          <img src="/favicon.svg" alt="" width="22" height="22" />
          <span>agentgraph</span>
        </Link>
        <nav class="topnav" aria-label="Main">
          <Link href="/" class={route.name !== 'notFound' ? 'active' : ''}>Explorer</Link>
          <a href="/playground">Playground</a>
        </nav>
        <span class="spacer" />
        <span class="topbar-note">GraphQL at <code>/graphql</code></span>
        {auth.key && (
          <span class="topbar-key" data-testid="api-key-control" title="An API key is stored in this browser and sent with every request">
            API key
            <button type="button" class="btn btn-small btn-topbar" onClick={() => saveApiKey(null)}>Forget</button>
          </span>
        )}
      </header>
      {/* Keyed by the API key so that the views fetch again when it changes. */}
      <main class="main" id="main" key={auth.key ?? ''}>
        {auth.error ? <KeyPrompt error={auth.error} sentKey={!!auth.key} /> : (
          <>
            {route.name === 'projects' && <ProjectsView url={url} />}
            {route.name === 'project' && <ProjectView id={route.id} url={url} />}
            {route.name === 'trace' && <TraceView id={route.id} url={url} />}
            {route.name === 'notFound' && <NotFoundView path={route.path} />}
          </>
        )}
      </main>
    </div>
  );
}
