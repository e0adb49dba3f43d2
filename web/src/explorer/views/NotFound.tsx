import { useEffect } from 'preact/hooks';
import { Link } from '../router';

export function NotFoundView({ path }: { path: string }) {
  useEffect(() => {
    document.title = 'Not found · agentgraph';
  }, []);
  return (
    <div class="page">
      <div class="state state-error" role="alert" data-testid="error-state">
        <div class="state-icon" aria-hidden="true">?</div>
        <h2>No page here</h2>
        <p class="state-message">
          The explorer has no page at <code>{path}</code>.
        </p>
        <div class="state-actions">
          <Link class="btn btn-primary" href="/">All projects</Link>
          <a class="btn" href="/playground">Playground</a>
        </div>
      </div>
    </div>
  );
}
