import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { prettyJSON } from '../format';
import { Link } from '../router';

/** A spinner that appears only when loading takes long enough to notice. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setShown(true), 120);
    return () => clearTimeout(t);
  }, []);
  return (
    <div class="state state-loading" role="status" aria-live="polite" data-testid="loading">
      {shown && (
        <>
          <span class="spinner" aria-hidden="true" /> {label}
        </>
      )}
    </div>
  );
}

/** The thin bar at the top of a view that is refreshing data it already shows. */
export function ProgressBar({ active }: { active: boolean }) {
  return <div class={'progress' + (active ? ' progress-active' : '')} aria-hidden="true" />;
}

export function ErrorState({ error, title, onRetry, children }: {
  error: ApiError; title?: string; onRetry?: () => void; children?: ComponentChildren;
}) {
  const notFound = error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT';
  return (
    <div class="state state-error" role="alert" data-testid="error-state">
      <div class="state-icon" aria-hidden="true">{notFound ? '?' : '!'}</div>
      <h2>{title ?? (notFound ? 'Not found' : 'Something went wrong')}</h2>
      <p class="state-message">{error.message}</p>
      <p class="state-code">{error.code}{error.status ? ` · HTTP ${error.status}` : ''}</p>
      <div class="state-actions">
        {onRetry && !notFound && <button class="btn btn-primary" onClick={onRetry}>Try again</button>}
        {children}
        <Link class="btn" href="/">All projects</Link>
      </div>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty" data-testid="empty-state">
      <div class="state-icon" aria-hidden="true">∅</div>
      <h2>{title}</h2>
      {children && <div class="state-message">{children}</div>}
    </div>
  );
}

export function Stat({ label, value, title, tone, testid, sub }: {
  label: string; value: ComponentChildren; title?: string; tone?: 'bad' | 'good' | 'muted'; testid?: string;
  /** A line of context below the label (the share, the spread, the average). */
  sub?: ComponentChildren;
}) {
  return (
    <div class={'stat' + (tone ? ` stat-${tone}` : '')} title={title} data-testid={testid}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
      {sub != null && sub !== false && <div class="stat-sub">{sub}</div>}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1200);
  };
  return (
    <button type="button" class="btn btn-small btn-ghost" onClick={copy} aria-label={`${label} to clipboard`}>
      {done ? 'Copied' : label}
    </button>
  );
}

/**
 * Text from the trace: pretty-printed and highlighted when it is JSON,
 * collapsed to a few lines when long, copyable.
 */
export function TextBlock({ title, text, empty = 'Not recorded', collapsedHeight = 180, testid, tone }: {
  title: string; text: string | null | undefined; empty?: string; collapsedHeight?: number; testid?: string; tone?: 'error';
}) {
  const pretty = prettyJSON(text);
  const shown = pretty ?? text ?? '';
  const ref = useRef<HTMLPreElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [overflows, setOverflows] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    setExpanded(false);
    if (el) setOverflows(el.scrollHeight > collapsedHeight + 24);
  }, [shown, collapsedHeight]);
  return (
    <section class={'block' + (tone ? ` block-${tone}` : '')} data-testid={testid}>
      <header class="block-head">
        <h3>{title}</h3>
        {pretty && <span class="pill pill-muted">JSON</span>}
        {text ? <span class="block-meta">{text.length.toLocaleString()} chars</span> : null}
        <span class="spacer" />
        {text ? <CopyButton text={shown} /> : null}
      </header>
      {text ? (
        <>
          <pre
            ref={ref}
            class={'text' + (pretty ? ' text-json' : '') + (overflows && !expanded ? ' text-collapsed' : '')}
            style={overflows && !expanded ? { maxHeight: `${collapsedHeight}px` } : undefined}
          >
            {pretty && pretty.length <= HIGHLIGHT_LIMIT ? <JsonHighlight text={pretty} /> : shown}
          </pre>
          {overflows && (
            <button type="button" class="btn btn-small btn-link block-toggle" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
              {expanded ? 'Show less' : 'Show all'}
            </button>
          )}
        </>
      ) : (
        <p class="muted block-empty">{empty}</p>
      )}
    </section>
  );
}

/** A JSON value (such as a metric's resultDetail) pretty-printed. */
export function JsonValue({ value }: { value: unknown }) {
  if (value == null) return <span class="muted">null</span>;
  const text = JSON.stringify(value, null, 2);
  return (
    <pre class="text text-json">
      {text.length <= HIGHLIGHT_LIMIT ? <JsonHighlight text={text} /> : text}
    </pre>
  );
}

/** Larger JSON is shown without colours, to keep the page fast. */
const HIGHLIGHT_LIMIT = 200_000;

const jsonToken = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Syntax colours for pretty-printed JSON, built as elements (never as HTML). */
export function JsonHighlight({ text }: { text: string }) {
  const out: (string | JSX.Element)[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(jsonToken)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[1]) {
      out.push(<span class={m[2] ? 'j-key' : 'j-str'} key={i++}>{m[1]}</span>);
      if (m[2]) out.push(m[2]);
    } else if (m[3]) {
      out.push(<span class="j-lit" key={i++}>{m[3]}</span>);
    } else {
      out.push(<span class="j-num" key={i++}>{m[4]}</span>);
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return <>{out}</>;
}

const kindGlyph: Record<string, JSX.Element> = {
  trace: <path d="M2.5 3.5h9M4.5 7h6M6.5 10.5h4" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" fill="none" />,
  agent: (
    <g fill="none" stroke="currentColor" stroke-width="1.5">
      <rect x="2.5" y="4" width="9" height="7.5" rx="2" />
      <path d="M7 4V2" stroke-linecap="round" />
      <circle cx="5.2" cy="7.6" r=".9" fill="currentColor" stroke="none" />
      <circle cx="8.8" cy="7.6" r=".9" fill="currentColor" stroke="none" />
    </g>
  ),
  llm: <path d="M7 1.5 8.4 5.6 12.5 7 8.4 8.4 7 12.5 5.6 8.4 1.5 7 5.6 5.6Z" fill="currentColor" />,
  tool: (
    <path
      d="M9.6 1.8a2.9 2.9 0 0 0-3 3.8L2.3 9.9a1.2 1.2 0 0 0 1.7 1.7l4.3-4.3a2.9 2.9 0 0 0 3.8-3L10.3 6 8.6 5.4 8 3.7Z"
      fill="currentColor"
    />
  ),
  interaction: <path d="M2.5 3.2h9v6.2H7.2L4.6 11.6V9.4H2.5Z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />,
};

export function KindIcon({ kind }: { kind: string }) {
  return (
    <span class={`kind-icon kind-${kind}`} aria-hidden="true">
      <svg viewBox="0 0 14 14">{kindGlyph[kind]}</svg>
    </span>
  );
}

export function ScorePill({ name, score }: { name: string; score: number | null }) {
  const tone = score == null ? 'muted' : score >= 0.7 ? 'good' : score >= 0.4 ? 'warn' : 'bad';
  return (
    <span class={`pill pill-${tone}`} title={`${name}: ${score ?? 'no score'}`}>
      {score == null ? '–' : score.toFixed(2)}
    </span>
  );
}

export function ExternalLinkIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" width="12" height="12">
      <path d="M6 3H3v10h10v-3M9 2h5v5M14 2 7 9" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

/** The arrow of a sortable column: up for ascending, down for descending, both dimmed when not sorted. */
export function SortIcon({ dir }: { dir?: 'asc' | 'desc' }) {
  return (
    <svg class={'sort-icon' + (dir ? ' sort-icon-active' : '')} viewBox="0 0 10 14" width="8" height="12" aria-hidden="true">
      {dir !== 'desc' && <path d="M5 1 9 6H1Z" fill="currentColor" opacity={dir ? 1 : 0.45} />}
      {dir !== 'asc' && <path d="M5 13 1 8h8Z" fill="currentColor" opacity={dir ? 1 : 0.45} />}
    </svg>
  );
}
