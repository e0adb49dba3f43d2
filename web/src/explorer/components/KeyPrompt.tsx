import { useEffect, useState } from 'preact/hooks';
import { saveApiKey, type ApiError } from '../api';

/** Shown in place of a view when the server refused the call for want of a valid API key. */
export function KeyPrompt({ error, sentKey }: { error: ApiError; sentKey: boolean }) {
  const [value, setValue] = useState('');
  useEffect(() => {
    document.title = 'API key · agentgraph';
  }, []);
  const save = (e: Event) => {
    e.preventDefault();
    if (value.trim()) saveApiKey(value.trim());
  };
  return (
    <div class="page">
      <form class="panel key-panel" data-testid="key-prompt" onSubmit={save}>
        <div class="state-icon" aria-hidden="true">
          <svg viewBox="0 0 16 16" width="18" height="18"><path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2M3.5 7h9v7h-9Z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" /></svg>
        </div>
        <h2>This server needs an API key</h2>
        {/* Without a key the server's message is the expected one; with a key it says what is wrong with it. */}
        <p class={sentKey ? 'callout callout-error key-error' : 'state-message muted'} role={sentKey ? 'alert' : undefined} data-testid="key-error">
          {error.message}
        </p>
        <div class="key-row">
          <label class="sr-only" for="api-key">API key</label>
          <input id="api-key" class="input key-input" type="password" name="api-key" autoComplete="off" spellcheck={false}
            placeholder="API key" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoFocus />
          <button class="btn btn-primary" type="submit" disabled={!value.trim()}>Save</button>
        </div>
        <p class="key-hint muted">
          Create one with <code>go run ./cmd/api keys create --role read --all-projects</code>.
          The key is stored in this browser (localStorage) and sent as <code>Authorization: Bearer</code> with every request.
        </p>
      </form>
    </div>
  );
}
