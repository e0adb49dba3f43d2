import { useEffect, useState } from 'preact/hooks';
import { useQuery, type ApiError } from '../api';
import { Pager, pageArgs } from '../components/Pager';
import { EmptyState, ErrorState, ExternalLinkIcon, Loading, ProgressBar, ScorePill, SortIcon, Stat } from '../components/ui';
import { fmtCompact, fmtCost, fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPercent, fmtSpan, plural } from '../format';
import { MAX_PAGE, PROJECT_TRACES_QUERY, type ProjectTracesData, type TraceRow } from '../queries';
import { Link, navigate, paths } from '../router';

const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_SIZE = 20;

/** The sortable columns, by their name in the URL (?sort=cost&dir=asc). */
const SORT_FIELDS = { start: 'START_TIME', duration: 'DURATION', cost: 'COST', tokens: 'TOKENS' } as const;
type SortField = keyof typeof SORT_FIELDS;
type Dir = 'asc' | 'desc';

/** How the table heading describes each order: [ascending, descending]. */
const ORDER_LABEL: Record<SortField, [string, string]> = {
  start: ['oldest first', 'newest first'],
  duration: ['shortest first', 'longest first'],
  cost: ['cheapest first', 'most expensive first'],
  tokens: ['fewest tokens first', 'most tokens first'],
};

/** The filters of the bar, each a field of TraceFilter. */
interface TraceFilters {
  /** hasErrors: true (with) or false (without). */
  errors?: 'with' | 'without';
  model?: string;
  /** search: every word must start a word of a prompt, output, tool input or output, or message. */
  q?: string;
  /** cost: { min } in USD. */
  minCost?: number;
  /** duration: { min } in seconds. */
  minDuration?: number;
}
const NO_FILTERS: TraceFilters = {
  errors: undefined, model: undefined, q: undefined, minCost: undefined, minDuration: undefined,
};

/**
 * What the URL says about the list: page size, cursor, order and filters.
 * Everything here becomes a query variable; the URL keeps it so that links,
 * reloads and the back button restore the same list.
 */
interface TraceListParams extends TraceFilters {
  size: number;
  after?: string;
  before?: string;
  sort: SortField;
  dir: Dir;
}

function positive(raw: string | null | undefined): number | undefined {
  const t = (raw ?? '').trim().replace(/^\$/, '');
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function readParams(url: URL): TraceListParams {
  const sp = url.searchParams;
  const { size } = pageArgs(url, DEFAULT_SIZE, MAX_PAGE);
  const sort = sp.get('sort');
  const errors = sp.get('errors');
  return {
    size,
    after: sp.get('after') || undefined,
    before: sp.get('before') || undefined,
    sort: sort && sort in SORT_FIELDS ? (sort as SortField) : 'start',
    dir: sp.get('dir') === 'asc' ? 'asc' : 'desc',
    errors: errors === 'with' || errors === 'without' ? errors : undefined,
    model: sp.get('model') || undefined,
    q: sp.get('q')?.trim() || undefined,
    minCost: positive(sp.get('minCost')),
    minDuration: positive(sp.get('minDuration')),
  };
}

const isDefaultOrder = (p: TraceListParams) => p.sort === 'start' && p.dir === 'desc';
const hasFilters = (p: TraceFilters) =>
  p.errors != null || p.model != null || p.q != null || p.minCost != null || p.minDuration != null;

function listVariables(id: string, url: URL, p: TraceListParams): Record<string, unknown> {
  const { vars } = pageArgs(url, DEFAULT_SIZE, MAX_PAGE);
  const filter: Record<string, unknown> = {};
  if (p.errors) filter.hasErrors = p.errors === 'with';
  if (p.model) filter.model = p.model;
  if (p.q) filter.search = p.q;
  if (p.minCost != null) filter.cost = { min: p.minCost };
  if (p.minDuration != null) filter.duration = { min: p.minDuration };
  return {
    id,
    ...vars,
    ...(Object.keys(filter).length ? { filter } : {}),
    ...(isDefaultOrder(p) ? {} : { orderBy: { field: SORT_FIELDS[p.sort], direction: p.dir === 'asc' ? 'ASC' : 'DESC' } }),
  };
}

function listHref(id: string, p: TraceListParams): string {
  return paths.project(id, {
    size: p.size === DEFAULT_SIZE ? undefined : String(p.size),
    sort: isDefaultOrder(p) ? undefined : p.sort,
    dir: p.dir === 'asc' ? 'asc' : undefined,
    errors: p.errors,
    model: p.model,
    q: p.q,
    minCost: p.minCost?.toString(),
    minDuration: p.minDuration?.toString(),
    after: p.after,
    before: p.before,
  });
}

/** The same list from its first page, changed by patch (a new order or filter restarts the cursors). */
const restart = (p: TraceListParams, patch: Partial<TraceListParams>): TraceListParams =>
  ({ ...p, after: undefined, before: undefined, ...patch });

export function ProjectView({ id, url }: { id: string; url: URL }) {
  const params = readParams(url);
  const variables = listVariables(id, url, params);
  const q = useQuery<ProjectTracesData>(PROJECT_TRACES_QUERY, variables);
  const data = q.data && q.dataVariables?.id === id ? q.data : undefined;
  const project = data?.project;
  // Shown data is current when it answers these very variables.
  const current = !q.loading && JSON.stringify(q.dataVariables) === JSON.stringify(variables);
  useEffect(() => {
    document.title = `${project?.projectName ?? 'Project'} · agentgraph`;
  }, [project?.projectName]);

  // Filters and sorting read the live URL: a click right after typing in a
  // field (whose change event navigated) must not undo that change.
  const change = (patch: Partial<TraceListParams>) => navigate(listHref(id, restart(readParams(new URL(location.href)), patch)));

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href="/">Projects</Link>
      <span aria-hidden="true">/</span>
      <span aria-current="page">{project?.projectName ?? '…'}</span>
    </nav>
  );
  if (q.error) {
    return <div class="page">{crumbs}<ProjectError error={q.error} id={id} params={params} onRetry={q.reload} /></div>;
  }
  if (!project || !data) return <div class="page">{crumbs}<Loading label="Loading traces…" /></div>;

  const traces = project.traces;
  const s = project.stats;
  const filtered = hasFilters(params);
  const maxDuration = Math.max(0, ...traces.nodes.map((t) => t.duration ?? 0));
  const models = [...new Set([...data.models.map((m) => m.model).filter((m): m is string => !!m), ...(params.model ? [params.model] : [])])]
    .sort((a, b) => a.localeCompare(b));
  const [prevLabel, nextLabel] = params.sort !== 'start' ? ['Previous', 'Next'] : params.dir === 'desc' ? ['Newer', 'Older'] : ['Older', 'Newer'];
  const sortable = (field: SortField, label: string, cls: string, what: [string, string]) => (
    <SortHeader field={field} label={label} cls={cls} what={what} params={params} href={(p) => listHref(id, p)} />
  );
  return (
    <div class="page page-table">
      <ProgressBar active={!current} />
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
        <Stat label="Traces" value={fmtInt(s.traceCount)} testid="stat-traces"
          sub={project.startTime ? `since ${fmtDate(project.startTime)}` : 'none yet'} />
        <Stat label="Error rate" value={fmtPercent(s.errorRate)} testid="stat-error-rate" tone={s.tracesWithErrors ? 'bad' : undefined}
          title={`${fmtInt(s.tracesWithErrors)} of ${fmtInt(s.traceCount)} traces had errors; ${plural(s.errorCount, 'error')} in all`}
          sub={`${fmtInt(s.tracesWithErrors)} of ${fmtInt(s.traceCount)} traces · ${plural(s.errorCount, 'error')}`} />
        <Stat label="Latency p50" value={fmtDuration(s.traceLatency.p50)} testid="stat-p50"
          title="Median trace duration" sub={s.traceLatency.p90 != null ? `p90 ${fmtDuration(s.traceLatency.p90)}` : 'trace duration'} />
        <Stat label="Latency p99" value={fmtDuration(s.traceLatency.p99)} testid="stat-p99"
          title="99th percentile of trace durations" sub="trace duration" />
        <Stat label="Tokens" value={fmtCompact(s.tokens.total)} title={fmtInt(s.tokens.total)} testid="stat-tokens"
          sub={s.traceCount ? `${fmtCompact(Math.round(s.tokens.total / s.traceCount))} per trace` : undefined} />
        <Stat label="Cost" value={fmtCost(s.cost.total)} title={`$${s.cost.total}`} testid="stat-cost"
          sub={s.traceCount ? `${fmtCost(s.cost.total / s.traceCount)} per trace` : undefined} />
      </div>

      <section class="panel" data-testid="traces-panel" data-state={current ? 'ready' : 'loading'} aria-busy={!current}>
        <div class="panel-head">
          <h2>Traces</h2>
          <span class="muted" data-testid="traces-order">
            {filtered && <>{fmtInt(traces.totalCount)} of {fmtInt(s.traceCount)} match · </>}
            {ORDER_LABEL[params.sort][params.dir === 'asc' ? 0 : 1]}
          </span>
          <span class="spacer" />
          <label class="field-inline">
            <span>Per page</span>
            <select
              value={String(params.size)}
              aria-label="Traces per page"
              onChange={(e) => change({ size: Number((e.target as HTMLSelectElement).value) })}
            >
              {[...new Set([...PAGE_SIZES, params.size])].sort((a, b) => a - b).map((n) => <option value={String(n)}>{n}</option>)}
            </select>
          </label>
          <a class="btn btn-ghost btn-small" href={paths.playground(PROJECT_TRACES_QUERY, variables)} title="Open this page's GraphQL query in the playground">
            GraphQL <ExternalLinkIcon />
          </a>
        </div>
        {(s.traceCount > 0 || filtered) && <FilterBar params={params} models={models} onChange={change} />}
        {s.traceCount === 0 && !filtered ? (
          <EmptyState title="No traces in this project">
            <p>Traces sent with <code>ingestTraces</code> or OTLP under the name <code>{project.projectName}</code> appear here.</p>
          </EmptyState>
        ) : traces.totalCount === 0 ? (
          <EmptyState title="No traces match these filters">
            <p>
              {s.traceCount > 0 ? `None of the ${fmtInt(s.traceCount)} traces of this project passes every filter. ` : ''}
              <button type="button" class="btn-link" onClick={() => change(NO_FILTERS)}>Clear the filters</button>
            </p>
          </EmptyState>
        ) : traces.nodes.length === 0 ? (
          <EmptyState title="No traces on this page">
            <p><Link href={listHref(id, restart(params, {}))}>Back to the first page</Link></p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table traces-table" data-testid="traces-table">
              <thead>
                <tr>
                  <th class="col-trace">Trace</th>
                  {sortable('start', 'Started', '', ['oldest first', 'newest first'])}
                  {sortable('duration', 'Duration', 'num', ['shortest first', 'longest first'])}
                  <th class="num col-opt" title="Agent calls">Agents</th>
                  <th class="num" title="LLM calls">LLM</th>
                  <th class="num col-opt" title="Tool calls">Tools</th>
                  <th class="num">Errors</th>
                  {sortable('tokens', 'Tokens', 'num', ['fewest first', 'most first'])}
                  {sortable('cost', 'Cost', 'num', ['cheapest first', 'most expensive first'])}
                  <th class="col-opt">Scores</th>
                </tr>
              </thead>
              <tbody>
                {traces.nodes.map((t) => <TraceTableRow key={t.id} t={t} maxDuration={maxDuration} sort={params.sort} />)}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          pageInfo={traces.pageInfo}
          prevHref={listHref(id, restart(params, { before: traces.pageInfo.startCursor ?? undefined }))}
          nextHref={listHref(id, restart(params, { after: traces.pageInfo.endCursor ?? undefined }))}
          prevLabel={prevLabel}
          nextLabel={nextLabel}
          summary={traces.totalCount ? `${fmtInt(traces.nodes.length)} of ${fmtInt(traces.totalCount)} ${filtered ? 'matching ' : ''}traces` : undefined}
        />
      </section>
    </div>
  );
}

/** A failed page: a missing project, or a list the API refused (a stale cursor, a bad filter). */
function ProjectError({ error, id, params, onRetry }: { error: ApiError; id: string; params: TraceListParams; onRetry: () => void }) {
  const inList = (error.path?.length ?? 0) > 1 && error.path?.[1] === 'traces';
  if (inList && (error.code === 'INVALID_ARGUMENT' || error.code === 'BAD_USER_INPUT')) {
    return (
      <ErrorState error={error} title="These traces cannot be listed">
        <Link class="btn btn-primary" href={listHref(id, restart(params, {}))}>First page</Link>
        {hasFilters(params) && <Link class="btn" href={listHref(id, restart(params, NO_FILTERS))}>Without filters</Link>}
      </ErrorState>
    );
  }
  const missing = error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT';
  return <ErrorState error={error} title={missing ? 'Project not found' : 'Could not load the project'} onRetry={onRetry} />;
}

/** A column header that sorts the list by its field: descending first, a second click reverses. */
function SortHeader({ field, label, cls, what, params, href }: {
  field: SortField; label: string; cls: string; what: [asc: string, desc: string];
  params: TraceListParams; href: (p: TraceListParams) => string;
}) {
  const active = params.sort === field;
  const next: Dir = active && params.dir === 'desc' ? 'asc' : 'desc';
  return (
    <th
      class={[cls, 'th-sort', active ? 'th-sorted' : ''].filter(Boolean).join(' ')}
      aria-sort={active ? (params.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <Link href={href(restart(params, { sort: field, dir: next }))} data-testid={`sort-${field}`}
        title={`Sort by ${label.toLowerCase()}, ${what[next === 'asc' ? 0 : 1]}`}>
        {cls === 'num' && <SortIcon dir={active ? params.dir : undefined} />}
        {label}
        {cls !== 'num' && <SortIcon dir={active ? params.dir : undefined} />}
      </Link>
    </th>
  );
}

/** Keeps a field's text in step with the URL, yet editable until committed. */
function useField(fromUrl: string): [string, (v: string) => void] {
  const [text, setText] = useState(fromUrl);
  useEffect(() => setText(fromUrl), [fromUrl]);
  return [text, setText];
}

/**
 * The filters: errors, model, text search, minimum cost and duration. Each
 * applies on its own (a choice, or Enter or leaving a text field) as a new
 * URL, so the back button undoes it.
 */
function FilterBar({ params, models, onChange }: {
  params: TraceListParams; models: string[]; onChange: (patch: Partial<TraceListParams>) => void;
}) {
  const [q, setQ] = useField(params.q ?? '');
  const [minCost, setMinCost] = useField(params.minCost?.toString() ?? '');
  const [minDuration, setMinDuration] = useField(params.minDuration?.toString() ?? '');
  const commitNumber = (text: string, key: 'minCost' | 'minDuration', reset: (v: string) => void) => {
    const n = positive(text);
    if (text.trim() && n === undefined) {
      // Not a positive number: keep the filter as it was.
      reset(params[key]?.toString() ?? '');
      return;
    }
    onChange({ [key]: n });
  };
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const enter = (commit: () => void) => (e: KeyboardEvent) => {
    if (e.key === 'Enter') commit();
  };
  const errorChoices: [TraceFilters['errors'], string][] = [[undefined, 'All'], ['with', 'With errors'], ['without', 'Without errors']];
  return (
    <div class="filters" role="search" aria-label="Filter traces" data-testid="trace-filters">
      <div class="seg" role="group" aria-label="Errors">
        {errorChoices.map(([v, label]) => (
          <button type="button" class={'seg-btn' + (params.errors === v ? ' active' : '')} aria-pressed={params.errors === v}
            data-testid={`errors-${v ?? 'all'}`} onClick={() => onChange({ errors: v })}>
            {v === 'with' && <i class="seg-dot" aria-hidden="true" />}{label}
          </button>
        ))}
      </div>
      <select class={'filter-select' + (params.model ? ' filter-on' : '')} aria-label="Model" value={params.model ?? ''} data-testid="filter-model"
        onChange={(e) => onChange({ model: value(e) || undefined })}>
        <option value="">All models</option>
        {models.map((m) => <option value={m}>{m}</option>)}
      </select>
      <input
        class={'input filter-search' + (params.q ? ' filter-on' : '')}
        type="search"
        aria-label="Search the traces' text"
        title="Traces in which every word starts a word of a prompt, an output, a tool's input or output, or a user message"
        placeholder="Search prompts, outputs…"
        value={q}
        data-testid="filter-search"
        onInput={(e) => {
          setQ(value(e));
          if (!value(e) && params.q) onChange({ q: undefined });
        }}
        onChange={(e) => onChange({ q: value(e).trim() || undefined })}
        onKeyDown={enter(() => onChange({ q: q.trim() || undefined }))}
      />
      <NumberFilter label="Cost ≥" prefix="$" placeholder="any" value={minCost} on={params.minCost != null} testid="filter-min-cost"
        title="Traces whose LLM calls cost at least this much in all, in USD"
        onInput={setMinCost} onCommit={(t) => commitNumber(t, 'minCost', setMinCost)} />
      <NumberFilter label="Duration ≥" suffix="s" placeholder="any" value={minDuration} on={params.minDuration != null} testid="filter-min-duration"
        title="Traces that ran at least this many seconds"
        onInput={setMinDuration} onCommit={(t) => commitNumber(t, 'minDuration', setMinDuration)} />
      {hasFilters(params) && (
        <button type="button" class="btn btn-ghost btn-small" data-testid="filters-clear" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      )}
    </div>
  );
}

function NumberFilter({ label, prefix, suffix, placeholder, value, on, title, testid, onInput, onCommit }: {
  label: string; prefix?: string; suffix?: string; placeholder: string; value: string; on: boolean; title: string; testid: string;
  onInput: (v: string) => void; onCommit: (v: string) => void;
}) {
  return (
    <label class={'filter-num' + (on ? ' filter-on' : '')} title={title}>
      <span class="filter-num-label">{label}</span>
      {prefix && <span class="affix" aria-hidden="true">{prefix}</span>}
      <input
        class="input"
        type="text"
        inputMode="decimal"
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        data-testid={testid}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        onChange={(e) => onCommit((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit((e.currentTarget as HTMLInputElement).value);
        }}
      />
      {suffix && <span class="affix" aria-hidden="true">{suffix}</span>}
    </label>
  );
}

function TraceTableRow({ t, maxDuration, sort }: { t: TraceRow; maxDuration: number; sort: SortField }) {
  const href = paths.trace(t.id);
  const input = t.userInteractions.nodes[0]?.content;
  const errors = t.stats.errorCount;
  const sorted = (f: SortField) => (sort === f ? ' col-sorted' : '');
  return (
    <tr
      class={'row-link' + (errors ? ' row-error' : '')}
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
      <td class={'nowrap' + sorted('start')} title={t.startTime}>{fmtDateTime(t.startTime)}</td>
      <td class={'num nowrap' + sorted('duration')}>
        <span class="dur">
          <span class="dur-bar" style={{ width: `${maxDuration ? Math.max(2, ((t.duration ?? 0) / maxDuration) * 100) : 0}%` }} />
          <span class="dur-text">{t.endTime ? fmtDuration(t.duration) : <span class="pill pill-muted">running</span>}</span>
        </span>
      </td>
      <td class="num col-opt">{fmtInt(t.stats.agentCallCount)}</td>
      <td class="num">{fmtInt(t.stats.llmCallCount)}</td>
      <td class="num col-opt">{fmtInt(t.stats.toolCallCount)}</td>
      <td class="num" data-testid="row-errors">{errors ? <span class="pill pill-bad">{errors}</span> : <span class="muted">0</span>}</td>
      <td class={'num' + sorted('tokens')} title={fmtInt(t.totalTokens)} data-testid="row-tokens">{fmtCompact(t.totalTokens)}</td>
      <td class={'num' + sorted('cost')} title={`$${t.totalCost}`} data-testid="row-cost">{fmtCost(t.totalCost)}</td>
      <td class="col-opt">
        <span class="pills">
          {t.metrics.nodes.slice(0, 4).map((m) => <ScorePill name={m.metricName} score={m.score} />)}
          {t.metrics.totalCount > 4 && <span class="muted">+{t.metrics.totalCount - 4}</span>}
        </span>
      </td>
    </tr>
  );
}
