// The tree of a trace and its timeline in one grid: each row is a node of the
// tree (indented, collapsible) with its bar drawn to scale on the trace's time
// axis. Arrow keys move the selection; left and right collapse and expand.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { KindIcon } from '../components/ui';
import { fmtCompact, fmtDuration, fmtOffset } from '../format';
import { kindLabel, type TraceModel, type TreeNode } from '../trace-model';

export function Waterfall({ model, rows, selectedId, collapsed, onSelect, onToggle }: {
  model: TraceModel;
  rows: TreeNode[];
  selectedId: string;
  collapsed: Set<string>;
  onSelect: (id: string, via?: 'click' | 'key') => void;
  onToggle: (id: string, open?: boolean) => void;
}) {
  const span = model.t1 - model.t0;
  const pct = (t: number) => ((t - model.t0) / span) * 100;
  const ticks = niceTicks(span / 1000);
  const list = useRef<HTMLDivElement>(null);

  // Keep the selected row visible inside the tree's own scroll area (never
  // scroll the page: on narrow screens the detail pane is below the tree).
  useEffect(() => {
    const body = list.current;
    const el = body?.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(selectedId)}"]`);
    if (!body || !el) return;
    if (el.offsetTop < body.scrollTop) body.scrollTop = el.offsetTop;
    else if (el.offsetTop + el.offsetHeight > body.scrollTop + body.clientHeight) {
      body.scrollTop = el.offsetTop + el.offsetHeight - body.clientHeight;
    }
  }, [selectedId]);

  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    const i = rows.findIndex((r) => r.id === selectedId);
    const cur = rows[i];
    if (!cur) return;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown': if (i < rows.length - 1) onSelect(rows[i + 1].id, 'key'); break;
      case 'ArrowUp': if (i > 0) onSelect(rows[i - 1].id, 'key'); break;
      case 'Home': onSelect(rows[0].id, 'key'); break;
      case 'End': onSelect(rows[rows.length - 1].id, 'key'); break;
      case 'ArrowRight':
        if (cur.children.length && collapsed.has(cur.id)) onToggle(cur.id, true);
        else if (cur.children.length) onSelect(cur.children[0].id, 'key');
        break;
      case 'ArrowLeft':
        if (cur.children.length && !collapsed.has(cur.id)) onToggle(cur.id, false);
        else {
          const parent = [...rows.slice(0, i)].reverse().find((r) => r.depth < cur.depth);
          if (parent) onSelect(parent.id, 'key');
        }
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  };

  return (
    <div class="wf" data-testid="waterfall">
      <div class="wf-row wf-head" aria-hidden="true">
        <div class="wf-name">Call</div>
        <div class="wf-time">
          {ticks.map((t) => (
            <span class="wf-tick" style={{ left: `${(t / (span / 1000)) * 100}%` }}>{fmtOffset(t)}</span>
          ))}
        </div>
      </div>
      <div
        class="wf-body"
        role="tree"
        aria-label="Calls of the trace"
        aria-activedescendant={rowId(selectedId)}
        tabIndex={0}
        ref={list}
        onKeyDown={onKeyDown}
        style={{ '--tick-gap': ticks.length > 1 ? `${(ticks[1] / (span / 1000)) * 100}%` : '100%' } as JSX.CSSProperties}
      >
        {rows.map((n) => {
          const open = !collapsed.has(n.id);
          const x = pct(n.start);
          const end = n.end ?? model.t1;
          const w = Math.max(pct(end) - x, 0);
          const point = n.kind === 'interaction';
          const labelAt = x + w < 80 ? 'right' : x > 18 ? 'left' : 'inside';
          const { label, sub } = rowText(n);
          return (
            <div
              key={n.id}
              id={rowId(n.id)}
              role="treeitem"
              aria-level={n.depth + 1}
              aria-selected={n.id === selectedId}
              aria-expanded={n.children.length ? open : undefined}
              class={`wf-row kind-${n.kind}` + (n.id === selectedId ? ' selected' : '') + (n.errors.length ? ' has-error' : '')}
              data-node-id={n.id}
              data-kind={n.kind}
              onClick={() => onSelect(n.id, 'click')}
            >
              <div class="wf-name" style={{ paddingLeft: `${6 + n.depth * 16}px` }}>
                {n.children.length ? (
                  <button
                    type="button"
                    class={'twisty' + (open ? ' open' : '')}
                    aria-label={`${open ? 'Collapse' : 'Expand'} ${label}`}
                    tabIndex={-1}
                    onClick={(e) => {
                      e.stopPropagation();
                      onToggle(n.id);
                    }}
                  >
                    <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><path d="M3 1.5 7 5l-4 3.5" fill="none" stroke="currentColor" stroke-width="1.6" /></svg>
                  </button>
                ) : (
                  <span class="twisty-space" />
                )}
                <KindIcon kind={n.kind} />
                <span class="wf-label" title={`${kindLabel[n.kind]}: ${label}`}>{label}</span>
                {sub && <span class="wf-sub">{sub}</span>}
                {n.errors.length > 0 && (
                  <span class="err-badge" title={n.errors.map((e) => `${e.errorType}: ${e.errorMessage ?? ''}`).join('\n')}>
                    {n.errors.length > 1 ? `${n.errors.length} errors` : 'error'}
                  </span>
                )}
                {!open && n.errorCount > n.errors.length && (
                  <span class="err-badge err-badge-soft" title="Errors inside">{n.errorCount - n.errors.length} inside</span>
                )}
              </div>
              <div class="wf-time">
                {point ? (
                  <span class="wf-point" style={{ left: `${x}%` }} />
                ) : (
                  <span class={'wf-bar' + (n.end == null ? ' wf-bar-open' : '')} style={{ left: `${x}%`, width: `${w}%` }} />
                )}
                {n.errors.map((e) => (
                  <span class="wf-err" style={{ left: `${pct(Date.parse(e.timestamp))}%` }} title={`${e.errorType}: ${e.errorMessage ?? ''}`} />
                ))}
                {!point && (
                  <span class={'wf-dur' + (labelAt === 'inside' ? ' wf-dur-inside' : '')} style={labelStyle(labelAt, x, w)}>
                    {n.end == null ? 'running' : fmtDuration((end - n.start) / 1000)}
                  </span>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

const rowId = (nodeId: string) => `node-${nodeId}`;

function labelStyle(at: 'right' | 'left' | 'inside', x: number, w: number): JSX.CSSProperties {
  if (at === 'right') return { left: `calc(${x + w}% + 6px)` };
  if (at === 'left') return { right: `calc(${100 - x}% + 6px)` };
  return { right: `calc(${100 - x - w}% + 6px)` };
}

function rowText(n: TreeNode): { label: string; sub?: string } {
  switch (n.kind) {
    case 'trace':
      return { label: 'Trace', sub: n.data.externalId ?? `#${n.data.databaseId}` };
    case 'agent': {
      const llm = n.children.filter((c) => c.kind === 'llm').length;
      const tools = n.children.filter((c) => c.kind === 'tool').length;
      return { label: n.name, sub: `${llm} LLM · ${tools} tool` };
    }
    case 'llm':
      return { label: n.data.model ?? n.name, sub: `${fmtCompact(n.data.tokenUsage.total)} tok` };
    case 'tool': {
      const calls = n.data.networkCalls ?? [];
      const failed = calls.filter((c) => c.error || (c.statusCode ?? 0) >= 400).length;
      return { label: n.name, sub: calls.length ? `${calls.length} HTTP${failed ? `, ${failed} failed` : ''}` : undefined };
    }
    case 'interaction':
      return { label: n.name, sub: n.data.content ?? undefined };
  }
}

/** Round tick positions in seconds, 3 to 6 of them across the span. */
export function niceTicks(totalSec: number): number[] {
  if (!(totalSec > 0)) return [0];
  const raw = totalSec / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => totalSec / s <= 6) ?? 10 * mag;
  const out: number[] = [];
  for (let t = 0; t <= totalSec * 1.0001; t += step) out.push(+t.toFixed(6));
  return out;
}
