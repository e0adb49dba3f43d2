// The explorer's only way to the server: one POST /graphql per view.
import { useEffect, useRef, useState } from 'preact/hooks';

/** The localStorage entry of the API key; the playground shares it. */
const KEY_ITEM = 'agentgraph:apiKey';

export interface Auth {
  /** The stored API key, sent as Authorization: Bearer. */
  key: string | null;
  /** The UNAUTHENTICATED error of the last call made with that key, if any. */
  error?: ApiError;
}

function storedKey(): string | null {
  try {
    return localStorage.getItem(KEY_ITEM);
  } catch {
    return null; // storage disabled: the key lives only until reload
  }
}

let auth: Auth = { key: storedKey() };
const listeners = new Set<() => void>();
function setAuth(next: Auth) {
  auth = next;
  listeners.forEach((l) => l());
}

/** Stores the key (null forgets it); the views then fetch again with it. */
export function saveApiKey(key: string | null) {
  try {
    if (key) localStorage.setItem(KEY_ITEM, key);
    else localStorage.removeItem(KEY_ITEM);
  } catch {
    // storage disabled: keep the key in memory only
  }
  setAuth({ key });
}

// A key saved or forgotten in another tab (or the playground) applies here too.
addEventListener('storage', (e) => {
  if (e.key === KEY_ITEM || e.key === null) setAuth({ key: storedKey() });
});

/** The current key and auth error; re-renders when either changes. */
export function useAuth(): Auth {
  const [, render] = useState(0);
  useEffect(() => {
    const l = () => render((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return auth;
}

export class ApiError extends Error {
  constructor(
    message: string,
    /** extensions.code of the GraphQL error (NOT_FOUND, INVALID_ARGUMENT…), or NETWORK / HTTP. */
    readonly code: string,
    readonly status?: number,
    /** The response path of the field that failed (["project", "traces"]), when the API says. */
    readonly path?: (string | number)[],
    /** extensions.field: the argument that was refused (after, filter…), when the API says. */
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
}

export async function gql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  const key = auth.key;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json;q=0.9',
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('The API did not answer. Is the server running?', 'NETWORK');
  }
  let body: GraphQLResponse<T>;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The API answered HTTP ${res.status} without a GraphQL response.`, 'HTTP', res.status);
  }
  // Resolvers run concurrently, so errors arrive in any order: report the one
  // closest to the root (a missing project before the list inside it).
  const depth = (e: { path?: unknown[] }) => e.path?.length ?? 0;
  const first = body.errors?.slice().sort((a, b) => depth(a) - depth(b) || String(a.path).localeCompare(String(b.path)))[0];
  if (first) {
    const err = new ApiError(first.message, first.extensions?.code ?? 'GRAPHQL', res.status, first.path, first.extensions?.field);
    // The app shows the key form in place of the view; ignore answers to a key already replaced.
    if ((res.status === 401 || err.code === 'UNAUTHENTICATED') && key === auth.key) setAuth({ key, error: err });
    throw err;
  }
  if (!res.ok || !body.data) throw new ApiError(`The API answered HTTP ${res.status}.`, 'HTTP', res.status);
  return body.data;
}

export interface QueryState<T> {
  /** The latest answer; kept while the next one loads, so pages do not flash. */
  data?: T;
  /** The variables data was fetched with. */
  dataVariables?: Record<string, unknown>;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs query whenever its variables change; aborts the request it replaces. */
export function useQuery<T>(query: string, variables: Record<string, unknown>): QueryState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<Omit<QueryState<T>, 'reload'>>({ loading: true });
  const [attempt, setAttempt] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;
  useEffect(() => {
    const ctl = new AbortController();
    const v = vars.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    gql<T>(query, v, ctl.signal).then(
      (data) => setState({ data, dataVariables: v, loading: false }),
      (err) => {
        if (ctl.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(String(err?.message ?? err), 'CLIENT');
        setState({ error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [query, key, attempt]);
  return { ...state, reload: () => setAttempt((a) => a + 1) };
}
