import { useEffect } from 'preact/hooks';
import { useQuery } from '../api';
import { Pager, pageArgs } from '../components/Pager';
import { EmptyState, ErrorState, ExternalLinkIcon, Loading, ProgressBar, ScorePill, Stat } from '../components/ui';
import { fmtCompact, fmtCost, fmtDateTime, fmtDuration, fmtInt, fmtSpan } from '../format';
import { MAX_PAGE, PROJECT_TRACES_QUERY, type ProjectTracesData, type TraceRow } from '../queries';
import { Link, navigate, paths } from '../router';

const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_SIZE = 20;

/**
 * What the URL says about the list: the page, and (when the API gets them)
 * filters and sort order. Everything here is a query variable; the URL keeps
 * it so that links and the back button restore the same list.
 */
interface TraceListParams {
  size: number;
  after?: string;
  before?: string;
}

function listParams(url: URL): { params: TraceListParams; vars: Record<string, unknown> } {
  const { size, vars } = pageArgs(url, DEFAULT_SIZE, MAX_PAGE);
  return {
    params: { size, after: url.searchParams.get('after') ?? undefined, before: url.searchParams.get('before') ?? undefined },
    vars,
  };
}

function listHref(id: string, p: TraceListParams): string {
  return paths.project(id, {
    size: p.size === DEFAULT_SIZE ? undefined : String(p.size),
    after: p.after,
    before: p.before,
  });
}

export function ProjectView({ id, url }: { id: string; url: URL }) {
  const { params, vars } = listParams(url);
  const variables = { id, ...vars };
  const q = useQuery<ProjectTracesData>(PROJECT_TRACES_QUERY, variables);
  const project = q.data && q.dataVariables?.id === id ? q.data.project : undefined;
  useEffect(() => {
    document.title = `${project?.projectName ?? 'Project'} · agentgraph`;
  }, [project?.projectName]);

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href="/">Projects</Link>
      <span aria-hidden="true">/</span>
      <span aria-current="page">{project?.projectName ?? '…'}</span>
    </nav>
  );
  if (q.error) {
    return <div class="page">{crumbs}<ErrorState error={q.error} title={q.error.code === 'NOT_FOUND' || q.error.code === 'INVALID_ARGUMENT' ? 'Project not found' : 'Could not load the project'} onRetry={q.reload} /></div>;
  }
  if (!project) return <div class="page">{crumbs}<Loading label="Loading traces…" /></div>;

  const traces = project.traces;
  const maxDuration = Math.max(0, ...traces.nodes.map((t) => t.duration ?? 0));
  return (
    <div class="page page-table">
      <ProgressBar active={q.loading} />
      {crumbs}
      <div class="page-head">
        <div>
          <h1 data-testid="project-name">{project.projectName}</h1>
          <p class="page-sub">
            {fmtSpan(project.startTime, project.endTime)}
            {project.duration != null && <> · {fmtDuration(project.duration)}</>}
            {project.systemInfo && (
              <> · {[project.systemInfo.osName, project.systemInfo.osVersion].filter(Boolean).join(' ')}
                {project.systemInfo.pythonVersion && <>, Python {project.systemInfo.pythonVersion}</>}</>
            )}
            {project.retentionDays != null && <> · keeps traces {project.retentionDays} days</>}
          </p>
        </div>
      </div>
      <div class="stats" data-testid="project-stats">
        <Stat label="Traces" value={fmtInt(traces.totalCount)} />
        <Stat label="LLM calls" value={fmtInt(project.llmCalls.totalCount)} />
        <Stat label="Tokens" value={fmtCompact(project.totalTokens)} title={fmtInt(project.totalTokens)} />
        <Stat label="Cost" value={fmtCost(project.totalCost)} title={`$${project.totalCost}`} />
        <Stat label="Avg cost / trace" value={traces.totalCount ? fmtCost(project.totalCost / traces.totalCount) : '—'} />
        <Stat label="Errors" value={fmtInt(project.errors.totalCount)} tone={project.errors.totalCount ? 'bad' : undefined} />
      </div>

      <section class="panel">
        <div class="panel-head">
          <h2>Traces</h2>
          <span class="muted">newest first</span>
          <span class="spacer" />
          <label class="field-inline">
            <span>Per page</span>
            <select
              value={String(params.size)}
              aria-label="Traces per page"
              onChange={(e) => navigate(listHref(id, { size: Number((e.target as HTMLSelectElement).value) }))}
            >
              {[...new Set([...PAGE_SIZES, params.size])].sort((a, b) => a - b).map((s) => <option value={String(s)}>{s}</option>)}
            </select>
          </label>
          <a class="btn btn-ghost btn-small" href={paths.playground(PROJECT_TRACES_QUERY, variables)} title="Open this page's GraphQL query in the playground">
            GraphQL <ExternalLinkIcon />
          </a>
        </div>
        {traces.totalCount === 0 ? (
          <EmptyState title="No traces in this project">
            <p>Traces sent with <code>ingestTraces</code> or OTLP under the name <code>{project.projectName}</code> appear here.</p>
          </EmptyState>
        ) : traces.nodes.length === 0 ? (
          <EmptyState title="No traces on this page">
            <p><Link href={listHref(id, { size: params.size })}>Back to the newest traces</Link></p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table traces-table" data-testid="traces-table">
              <thead>
                <tr>
                  <th class="col-trace">Trace</th>
                  <th>Started</th>
                  <th class="num">Duration</th>
                  <th class="num col-opt" title="Agent calls">Agents</th>
                  <th class="num" title="LLM calls">LLM</th>
                  <th class="num col-opt" title="Tool calls">Tools</th>
                  <th class="num">Errors</th>
                  <th class="num" title="Sum of the trace's LLM calls">Tokens</th>
                  <th class="num" title="Sum of the trace's LLM calls">Cost</th>
                  <th class="col-opt">Scores</th>
                </tr>
              </thead>
              <tbody>
                {traces.nodes.map((t) => <TraceTableRow key={t.id} t={t} maxDuration={maxDuration} />)}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          pageInfo={traces.pageInfo}
          prevHref={listHref(id, { size: params.size, before: traces.pageInfo.startCursor ?? undefined })}
          nextHref={listHref(id, { size: params.size, after: traces.pageInfo.endCursor ?? undefined })}
          prevLabel="Newer"
          nextLabel="Older"
          summary={`${fmtInt(traces.nodes.length)} of ${fmtInt(traces.totalCount)} traces`}
        />
      </section>
    </div>
  );
}

function TraceTableRow({ t, maxDuration }: { t: TraceRow; maxDuration: number }) {
  const href = paths.trace(t.id);
  const input = t.userInteractions.nodes.find((u) => u.interactionType === 'input')?.content;
  const partial = t.llmCalls.totalCount > t.llmCalls.nodes.length;
  const tokens = t.llmCalls.nodes.reduce((s, c) => s + c.tokenUsage.total, 0);
  const cost = t.llmCalls.nodes.reduce((s, c) => s + c.cost.total, 0);
  const approx = partial ? '≥ ' : '';
  const partialNote = partial ? ` (sum of the first ${t.llmCalls.nodes.length} of ${t.llmCalls.totalCount} LLM calls)` : '';
  return (
    <tr
      class={'row-link' + (t.errors.totalCount ? ' row-error' : '')}
      data-testid="trace-row"
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a')) return;
        if (e.metaKey || e.ctrlKey) window.open(href, '_blank');
        else navigate(href);
      }}
    >
      <td class="col-trace">
        <Link href={href} class="trace-link">{t.externalId ?? `#${t.databaseId}`}</Link>
        {input && <div class="cell-sub" title={input}>{input}</div>}
      </td>
      <td class="nowrap" title={t.startTime}>{fmtDateTime(t.startTime)}</td>
      <td class="num nowrap">
        <span class="dur">
          <span class="dur-bar" style={{ width: `${maxDuration ? Math.max(2, ((t.duration ?? 0) / maxDuration) * 100) : 0}%` }} />
          <span class="dur-text">{t.endTime ? fmtDuration(t.duration) : <span class="pill pill-muted">running</span>}</span>
        </span>
      </td>
      <td class="num col-opt">{fmtInt(t.agentCalls.totalCount)}</td>
      <td class="num">{fmtInt(t.llmCalls.totalCount)}</td>
      <td class="num col-opt">{fmtInt(t.toolCalls.totalCount)}</td>
      <td class="num">{t.errors.totalCount ? <span class="pill pill-bad">{t.errors.totalCount}</span> : <span class="muted">0</span>}</td>
      <td class="num" title={fmtInt(tokens) + partialNote}>{approx}{fmtCompact(tokens)}</td>
      <td class="num" title={`$${cost}` + partialNote}>{approx}{fmtCost(cost)}</td>
      <td class="col-opt">
        <span class="pills">
          {t.metrics.nodes.slice(0, 4).map((m) => <ScorePill name={m.metricName} score={m.score} />)}
          {t.metrics.totalCount > 4 && <span class="muted">+{t.metrics.totalCount - 4}</span>}
        </span>
      </td>
    </tr>
  );
}
