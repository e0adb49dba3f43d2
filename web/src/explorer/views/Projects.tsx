import { useEffect } from 'preact/hooks';
import { useQuery } from '../api';
import { Pager, pageArgs } from '../components/Pager';
import { EmptyState, ErrorState, ExternalLinkIcon, Loading, ProgressBar } from '../components/ui';
import { fmtCompact, fmtCost, fmtDate, fmtDuration, fmtInt, fmtSpan, plural } from '../format';
import { PROJECTS_QUERY, type ProjectsData, type ProjectSummary } from '../queries';
import { Link, paths } from '../router';

const PAGE = 24;

export function ProjectsView({ url }: { url: URL }) {
  const { size, vars } = pageArgs(url, PAGE, 100);
  const q = useQuery<ProjectsData>(PROJECTS_QUERY, vars);
  useEffect(() => {
    document.title = 'Projects · agentgraph';
  }, []);

  const head = (
    <div class="page-head">
      <div>
        <h1>Projects</h1>
        <p class="page-sub">Applications under observation, with the rollups of their traces.</p>
      </div>
      <span class="spacer" />
      <a class="btn btn-ghost" href={paths.playground(PROJECTS_QUERY, vars)} title="Open this page's GraphQL query in the playground">
        GraphQL <ExternalLinkIcon />
      </a>
    </div>
  );

  if (q.error) return <div class="page">{head}<ErrorState error={q.error} title="Could not load the projects" onRetry={q.reload} /></div>;
  if (!q.data) return <div class="page">{head}<Loading label="Loading projects…" /></div>;

  const { projects } = q.data;
  if (projects.totalCount === 0) {
    return (
      <div class="page">
        {head}
        <EmptyState title="No projects yet">
          <p>Projects appear as soon as traces arrive: send them with the <code>ingestTraces</code> mutation,
            export OpenTelemetry spans to <code>/v1/traces</code>, or import an AgentNeo database.</p>
          <p>To look around first, start the server with <code>--demo</code>.</p>
        </EmptyState>
      </div>
    );
  }
  const all = !projects.pageInfo.hasNextPage && !projects.pageInfo.hasPreviousPage;
  const sum = (f: (p: ProjectSummary) => number) => projects.nodes.reduce((s, p) => s + f(p), 0);
  return (
    <div class="page">
      <ProgressBar active={q.loading} />
      {head}
      <div class="summary-strip" data-testid="projects-summary">
        <span><strong>{fmtInt(projects.totalCount)}</strong> {projects.totalCount === 1 ? 'project' : 'projects'}</span>
        <span><strong>{fmtInt(sum((p) => p.traces.totalCount))}</strong> traces{all ? '' : ' on this page'}</span>
        <span><strong>{fmtCost(sum((p) => p.totalCost))}</strong> spent</span>
        <span><strong>{fmtCompact(sum((p) => p.totalTokens))}</strong> tokens</span>
        <span class={sum((p) => p.errors.totalCount) ? 'text-bad' : ''}><strong>{fmtInt(sum((p) => p.errors.totalCount))}</strong> errors</span>
      </div>
      <ul class="cards" data-testid="projects">
        {projects.nodes.map((p) => <ProjectCard key={p.id} p={p} />)}
      </ul>
      <Pager
        pageInfo={projects.pageInfo}
        prevHref={paths.projects({ before: projects.pageInfo.startCursor ?? undefined, size: size === PAGE ? undefined : String(size) })}
        nextHref={paths.projects({ after: projects.pageInfo.endCursor ?? undefined, size: size === PAGE ? undefined : String(size) })}
        prevLabel="Previous"
        nextLabel="Next"
      />
    </div>
  );
}

function ProjectCard({ p }: { p: ProjectSummary }) {
  return (
    <li class="card" data-testid="project-card">
      <Link class="card-link" href={paths.project(p.id)}>
        <div class="card-head">
          <h2 class="card-title">{p.projectName}</h2>
          {p.errors.totalCount > 0 && <span class="pill pill-bad">{plural(p.errors.totalCount, 'error')}</span>}
        </div>
        <p class="card-sub" title={p.startTime && p.endTime ? `${p.startTime} – ${p.endTime}` : undefined}>
          {fmtSpan(p.startTime, p.endTime)}
          {p.duration != null && <span class="muted"> · {fmtDuration(p.duration)}</span>}
          {p.retentionDays != null && <span class="muted"> · keeps {plural(p.retentionDays, 'day')}</span>}
        </p>
        <dl class="card-stats">
          <div><dt>Traces</dt><dd data-testid="project-traces">{fmtInt(p.traces.totalCount)}</dd></div>
          <div><dt>Cost</dt><dd data-testid="project-cost" title={`$${p.totalCost}`}>{fmtCost(p.totalCost)}</dd></div>
          <div><dt>Tokens</dt><dd title={fmtInt(p.totalTokens)}>{fmtCompact(p.totalTokens)}</dd></div>
          <div><dt>Errors</dt><dd class={p.errors.totalCount ? 'text-bad' : ''}>{fmtInt(p.errors.totalCount)}</dd></div>
        </dl>
        <p class="card-counts">
          {plural(p.agentCalls.totalCount, 'agent call')} · {plural(p.llmCalls.totalCount, 'LLM call')} · {plural(p.toolCalls.totalCount, 'tool call')}
        </p>
      </Link>
      {p.traces.nodes.length > 0 ? (
        <div class="card-recent">
          <h3>Latest traces</h3>
          <ul>
            {p.traces.nodes.map((t) => {
              const input = t.userInteractions.nodes.find((u) => u.interactionType === 'input')?.content;
              return (
                <li key={t.id}>
                  <Link href={paths.trace(t.id)} class="recent">
                    <span class={'recent-dot' + (t.errors.totalCount ? ' recent-dot-bad' : '')} title={t.errors.totalCount ? plural(t.errors.totalCount, 'error') : 'no errors'} />
                    <span class="recent-text">{input ?? t.externalId ?? `Trace #${t.databaseId}`}</span>
                    <span class="recent-meta">{fmtDuration(t.duration)} · {fmtDate(t.startTime)}</span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ) : (
        <div class="card-recent"><p class="muted">No traces yet.</p></div>
      )}
    </li>
  );
}
