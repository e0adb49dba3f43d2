import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useQuery } from '../api';
import { ErrorState, ExternalLinkIcon, Loading, ProgressBar, Stat } from '../components/ui';
import { fmtCompact, fmtCost, fmtDateTime, fmtDuration, fmtInt, fmtPercent, plural } from '../format';
import { MAX_PAGE, TRACE_QUERY, type TraceData, type TraceQueryData } from '../queries';
import { Link, navigate, paths } from '../router';
import { ancestors, buildTraceModel, visibleRows } from '../trace-model';
import { Detail } from './Detail';
import { Waterfall } from './Waterfall';

const connectionLabel = {
  agentCalls: 'agent calls', llmCalls: 'LLM calls', toolCalls: 'tool calls',
  userInteractions: 'user interactions', errors: 'errors', metrics: 'metrics',
};

export function TraceView({ id, url }: { id: string; url: URL }) {
  const q = useQuery<TraceQueryData>(TRACE_QUERY, { id });
  const trace = q.data && q.dataVariables?.id === id ? q.data.trace : undefined;
  useEffect(() => {
    document.title = trace ? `Trace ${trace.externalId ?? '#' + trace.databaseId} · ${trace.project.projectName} · agentgraph` : 'Trace · agentgraph';
  }, [trace]);

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href="/">Projects</Link>
      <span aria-hidden="true">/</span>
      {trace ? <Link href={paths.project(trace.project.id)}>{trace.project.projectName}</Link> : <span>…</span>}
      <span aria-hidden="true">/</span>
      <span aria-current="page">{trace ? `Trace ${trace.externalId ?? '#' + trace.databaseId}` : 'Trace'}</span>
    </nav>
  );
  if (q.error) {
    const missing = q.error.code === 'NOT_FOUND' || q.error.code === 'INVALID_ARGUMENT';
    return <div class="page">{crumbs}<ErrorState error={q.error} title={missing ? 'Trace not found' : 'Could not load the trace'} onRetry={q.reload} /></div>;
  }
  if (!trace) return <div class="page">{crumbs}<Loading label="Loading the trace…" /></div>;
  return (
    <div class="page page-wide">
      <ProgressBar active={q.loading} />
      {crumbs}
      <TraceBody key={trace.id} trace={trace} url={url} />
    </div>
  );
}

function TraceBody({ trace, url }: { trace: TraceData; url: URL }) {
  const model = useMemo(() => buildTraceModel(trace), [trace]);
  const requested = url.searchParams.get('node');
  const selected = (requested && model.byId.get(requested)) || model.root;
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());

  // A deep link to a call inside a collapsed agent opens the agent.
  useEffect(() => {
    const closed = ancestors(model.root, selected.id).filter((a) => collapsed.has(a.id));
    if (closed.length) setCollapsed((c) => new Set([...c].filter((id) => !closed.some((a) => a.id === id))));
  }, [selected.id]);

  const rows = visibleRows(model.root, collapsed);
  const detail = useRef<HTMLElement>(null);
  const select = (nodeId: string, via: 'click' | 'key' = 'click') => {
    navigate(paths.trace(trace.id, nodeId === model.root.id ? undefined : nodeId), { replace: true });
    // When the detail pane sits below the tree (narrow screens), bring it into view.
    if (via === 'click' && detail.current && matchMedia('(max-width: 1100px)').matches) {
      detail.current.scrollIntoView({ block: 'start' });
    }
  };
  const toggle = (nodeId: string, open?: boolean) =>
    setCollapsed((c) => {
      const next = new Set(c);
      const isOpen = !next.has(nodeId);
      if (open ?? !isOpen) next.delete(nodeId);
      else next.add(nodeId);
      return next;
    });

  const st = trace.stats;
  const errors = st.errorCount;
  const share = (sec: number) => (trace.duration ? `${fmtPercent(sec / trace.duration)} of the duration` : undefined);
  const truncated = (['agentCalls', 'llmCalls', 'toolCalls', 'userInteractions', 'errors', 'metrics'] as const)
    .filter((k) => trace[k].totalCount > trace[k].nodes.length);
  const allCollapsed = model.root.children.every((c) => !c.children.length || collapsed.has(c.id));

  return (
    <>
      <div class="page-head">
        <div>
          <h1 data-testid="trace-title">
            Trace {trace.externalId ?? `#${trace.databaseId}`}
            {errors > 0 && <span class="pill pill-bad pill-head">{errors} {errors === 1 ? 'error' : 'errors'}</span>}
            {trace.endTime == null && <span class="pill pill-muted pill-head">running</span>}
          </h1>
          <p class="page-sub">
            Started {fmtDateTime(trace.startTime)} · in <Link href={paths.project(trace.project.id)}>{trace.project.projectName}</Link>
          </p>
        </div>
        <span class="spacer" />
        <a class="btn btn-ghost" href={paths.playground(TRACE_QUERY, { id: trace.id })} title="Open this page's GraphQL query in the playground">
          GraphQL <ExternalLinkIcon />
        </a>
      </div>
      <div class="stats" data-testid="trace-stats">
        <Stat label="Duration" value={trace.endTime ? fmtDuration(trace.duration) : 'running'} testid="trace-duration" />
        <Stat label="In LLM calls" value={fmtDuration(st.llmTime)} testid="trace-llm-time" sub={share(st.llmTime)}
          title="Time spent in LLM calls (the sum of their durations; calls may overlap)" />
        <Stat label="In tools" value={fmtDuration(st.toolTime)} testid="trace-tool-time" sub={share(st.toolTime)}
          title="Time spent in tool calls (the sum of their durations; calls may overlap)" />
        <Stat label="Agent calls" value={fmtInt(st.agentCallCount)} />
        <Stat label="LLM calls" value={fmtInt(st.llmCallCount)} />
        <Stat label="Tool calls" value={fmtInt(st.toolCallCount)}
          sub={st.userInteractionCount ? plural(st.userInteractionCount, 'interaction') : undefined} />
        <Stat label="Tokens" value={fmtCompact(st.tokens.total)} title={fmtInt(st.tokens.total)} testid="trace-tokens"
          sub={`${fmtCompact(st.tokens.input)} in · ${fmtCompact(st.tokens.completion + st.tokens.reasoning)} out`} />
        <Stat label="Cost" value={fmtCost(st.cost.total)} title={`$${st.cost.total}`} testid="trace-cost" />
        <Stat label="Errors" value={fmtInt(errors)} tone={errors ? 'bad' : undefined} testid="trace-errors-count" />
      </div>
      {truncated.length > 0 && (
        <div class="callout callout-warn" role="note">
          This trace is larger than one page: showing the first {MAX_PAGE} of{' '}
          {truncated.map((k, i) => <>{i ? ', ' : ''}{fmtInt(trace[k].totalCount)} {connectionLabel[k]}</>)}.
          The numbers above cover the whole trace.
        </div>
      )}
      {requested && !model.byId.has(requested) && (
        <div class="callout callout-warn" role="note">The selected node is not part of this trace; showing the trace instead.</div>
      )}
      <div class="trace-layout">
        <section class="panel panel-flush wf-panel" aria-label="Tree and timeline">
          <div class="panel-head">
            <h2>Calls</h2>
            <span class="legend" aria-hidden="true">
              <span><i class="sw sw-agent" />agent</span>
              <span><i class="sw sw-llm" />LLM</span>
              <span><i class="sw sw-tool" />tool</span>
              <span><i class="sw sw-interaction" />interaction</span>
              <span><i class="sw sw-error" />error</span>
            </span>
            <span class="spacer" />
            <button
              type="button"
              class="btn btn-small btn-ghost"
              onClick={() => setCollapsed(allCollapsed ? new Set() : new Set(model.root.children.filter((c) => c.children.length).map((c) => c.id)))}
            >
              {allCollapsed ? 'Expand all' : 'Collapse all'}
            </button>
          </div>
          <Waterfall model={model} rows={rows} selectedId={selected.id} collapsed={collapsed} onSelect={select} onToggle={toggle} />
        </section>
        <aside class="panel detail-panel" aria-label="Details of the selected node" ref={detail}>
          <Detail node={selected} model={model} onSelect={select} />
        </aside>
      </div>
    </>
  );
}
