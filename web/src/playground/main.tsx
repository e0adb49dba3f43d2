/** @jsxImportSource react */
// The playground: GraphiQL (docs, autocompletion, history, tabs) bundled
// whole and pointed at this server's /graphql. Nothing loads from a CDN.
import type { Fetcher } from '@graphiql/toolkit';
import { useEditorContext, type GraphiQLPlugin } from '@graphiql/react';
import { GraphiQL } from 'graphiql';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';
import './playground.css';
import { EXAMPLES, type Example } from './examples';

/** The explorer's localStorage entry of the API key (see explorer/api.ts). */
const KEY_ITEM = 'agentgraph:apiKey';
const readKey = () => {
  try {
    return localStorage.getItem(KEY_ITEM);
  } catch {
    return null;
  }
};

/**
 * Sends the stored API key unless the headers editor sets Authorization;
 * onUnauthorized is told of every 401 so the key bar can show.
 */
function makeFetcher(key: string | null, onUnauthorized: () => void): Fetcher {
  return async (params, opts) => {
    const headers: Record<string, string> = { ...(opts?.headers ?? {}) };
    const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json;q=0.9',
        ...(key && !own ? { Authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: JSON.stringify(params),
    });
    if (res.status === 401) onUnauthorized();
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 500)}` }] };
    }
  };
}

/** A bar above GraphiQL to enter or forget the API key; shown once a key is stored or needed. */
function KeyBar({ stored, onSave }: { stored: string | null; onSave: (key: string | null) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      className="ag-keybar"
      data-testid="key-bar"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSave(value.trim());
        setValue('');
      }}
    >
      <strong>{stored ? 'API key stored in this browser' : 'This server needs an API key'}</strong>
      <input
        type="password"
        aria-label="API key"
        placeholder={stored ? 'Replace the key' : 'API key'}
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" disabled={!value.trim()}>Save</button>
      {stored && <button type="button" onClick={() => onSave(null)}>Forget</button>}
      <span className="ag-keybar-hint">
        Stored in this browser and sent as Authorization: Bearer unless the Headers tab sets one. Create one with{' '}
        <code>go run ./cmd/api keys create --role read --all-projects</code>
      </span>
    </form>
  );
}

function ExamplesPanel() {
  const editor = useEditorContext({ nonNull: true });
  const latest = useRef(editor);
  latest.current = editor;
  const open = (ex: Example) => {
    const same = editor.tabs.findIndex((t) => (t.query ?? '').trim() === ex.query.trim());
    if (same >= 0) {
      editor.changeTab(same);
      return;
    }
    editor.addTab();
    // addTab empties the editors on the next render; fill them after it (and
    // after the lazily loaded editors exist, on a click right after page load).
    const started = Date.now();
    const fill = () => {
      const { queryEditor, variableEditor } = latest.current;
      if (!queryEditor) {
        if (Date.now() - started < 10_000) setTimeout(fill, 50);
        return;
      }
      queryEditor.setValue(ex.query);
      variableEditor?.setValue(ex.variables ?? '');
    };
    setTimeout(fill, 0);
  };
  return (
    <div className="ag-examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p className="ag-examples-intro">
        Each opens in its own tab and runs against the demo data. Press the run button or Ctrl+Enter.
      </p>
      <ul>
        {EXAMPLES.map((ex) => (
          <li key={ex.title}>
            <button type="button" className="ag-example" onClick={() => open(ex)}>
              <span className="ag-example-title">{ex.title}</span>
              <span className="ag-example-desc">{ex.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

const examplesPlugin: GraphiQLPlugin = {
  title: 'Examples',
  icon: () => (
    <svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path d="M4 5.5A1.5 1.5 0 0 1 5.5 4H19v14H5.5A1.5 1.5 0 0 0 4 19.5v-14Z" />
      <path d="M4 19.5A1.5 1.5 0 0 0 5.5 21H19v-3M8 8h7M8 11.5h5" strokeLinecap="round" />
    </svg>
  ),
  content: ExamplesPanel,
};

// A link from the explorer (/playground?query=…&variables=…) opens its query
// in a tab; the parameters are then dropped so a reload keeps the user's edits.
const params = new URLSearchParams(location.search);
const linkedQuery = params.get('query') ?? undefined;
const linkedVariables = params.get('variables') ?? undefined;
if (linkedQuery) history.replaceState(null, '', location.pathname);

const firstVisit = !localStorage.getItem('graphiql:tabState');
const defaultTabs = [
  ...(linkedQuery ? [{ query: linkedQuery, variables: linkedVariables ?? null }] : []),
  ...EXAMPLES.slice(0, 3).map((ex) => ({ query: ex.query, variables: ex.variables ?? null })),
];

function Playground() {
  const [key, setKey] = useState(readKey);
  const [needsKey, setNeedsKey] = useState(false);
  // A new fetcher when the key changes makes GraphiQL fetch the schema again.
  const fetcher = useMemo(() => makeFetcher(key, () => setNeedsKey(true)), [key]);
  const save = (next: string | null) => {
    try {
      if (next) localStorage.setItem(KEY_ITEM, next);
      else localStorage.removeItem(KEY_ITEM);
    } catch {
      // storage disabled: the key lasts until reload
    }
    setNeedsKey(false);
    setKey(next);
  };
  // A key saved or forgotten in the explorer (another tab) applies here too.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === KEY_ITEM || e.key === null) setKey(readKey());
    };
    addEventListener('storage', onStorage);
    return () => removeEventListener('storage', onStorage);
  }, []);
  return (
    <div className="ag-shell">
      {(key || needsKey) && <KeyBar stored={key} onSave={save} />}
      <div className="ag-graphiql">
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={defaultTabs}
          query={linkedQuery}
          variables={linkedVariables}
          plugins={[examplesPlugin]}
          visiblePlugin={firstVisit && !linkedQuery ? examplesPlugin : undefined}
          defaultEditorToolsVisibility={linkedVariables ? 'variables' : undefined}
          isHeadersEditorEnabled
          shouldPersistHeaders={false}
        >
          <GraphiQL.Logo>
            <a className="ag-logo" href="/" title="Back to the explorer">
              <img src="/favicon.svg" alt="" width="22" height="22" />
              <span>agentgraph</span>
            </a>
            <span className="ag-logo-sub">playground</span>
          </GraphiQL.Logo>
        </GraphiQL>
      </div>
    </div>
  );
}

createRoot(document.getElementById('playground')!).render(<Playground />);
