// A tiny client-side router over the History API. Every view has its own URL;
// the Go server answers every such path with index.html.
import { createElement, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'projects' }
  | { name: 'project'; id: string }
  | { name: 'trace'; id: string }
  | { name: 'notFound'; path: string };

export function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: 'notFound', path: pathname };
  }
  if (parts.length === 0) return { name: 'projects' };
  if (parts.length === 2 && parts[0] === 'projects') return { name: 'project', id: parts[1] };
  if (parts.length === 2 && parts[0] === 'traces') return { name: 'trace', id: parts[1] };
  return { name: 'notFound', path: pathname };
}

/** URLs of the views, the only place that knows their shape. */
export const paths = {
  projects: (params?: Record<string, string | undefined>) => withQuery('/', params),
  project: (id: string, params?: Record<string, string | undefined>) =>
    withQuery(`/projects/${encodeURIComponent(id)}`, params),
  trace: (id: string, node?: string) =>
    withQuery(`/traces/${encodeURIComponent(id)}`, { node }),
  playground: (query: string, variables?: Record<string, unknown>) =>
    withQuery('/playground', {
      query,
      variables: variables ? JSON.stringify(variables, null, 2) : undefined,
    }),
};

function withQuery(path: string, params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

/**
 * Goes to an explorer URL. replace keeps the history entry (used for state
 * that refines a view, such as the selected node of a trace) so that the back
 * button leaves the view rather than stepping through every click.
 */
export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const url = new URL(to, location.href);
  if (url.href === location.href) return;
  if (opts.replace) {
    history.replaceState(null, '', url);
  } else {
    history.pushState(null, '', url);
    window.scrollTo(0, 0);
  }
  notify();
}

/** The current URL; re-renders on every navigation. */
export function useLocation(): URL {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return new URL(location.href);
}

type LinkProps = Omit<JSX.AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  href: string;
  replace?: boolean;
  children?: ComponentChildren;
};

/** An anchor that navigates in the app, yet opens a new tab on a modified click. */
export function Link({ href, replace, onClick, ...rest }: LinkProps) {
  return createElement('a', {
    ...rest,
    href,
    onClick: (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
      if (onClick) (onClick as (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => void)(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href, { replace });
    },
  });
}
