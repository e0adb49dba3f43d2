/** @jsxImportSource react */
// The playground: GraphiQL (docs, autocompletion, history, tabs) bundled
// whole and pointed at this server's /graphql. Nothing loads from a CDN.
import type { Fetcher } from '@graphiql/toolkit';
import { useEditorContext, type GraphiQLPlugin } from '@graphiql/react';
import { GraphiQL } from 'graphiql';
import { useRef } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';
import './playground.css';
import { EXAMPLES, type Example } from './examples';

const fetcher: Fetcher = async (params, opts) => {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json;q=0.9',
      ...(opts?.headers ?? {}),
    },
    body: JSON.stringify(params),
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 500)}` }] };
  }
};

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
  return (
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
  );
}

createRoot(document.getElementById('playground')!).render(<Playground />);
