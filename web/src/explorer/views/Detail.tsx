// The detail pane of the trace view: everything recorded about the selected
// node of the tree.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { CopyButton, JsonValue, KindIcon, ScorePill, Stat, TextBlock } from '../components/ui';
import { fmtBytes, fmtCompact, fmtCost, fmtDateTime, fmtDuration, fmtInt, fmtTimeMs, plural } from '../format';
import type { ErrorData, MetricData, NetworkCallData, SystemInfoData } from '../queries';
import { kindLabel, type TraceModel, type TreeNode } from '../trace-model';

type Select = (id: string) => void;

export function Detail({ node, model, onSelect }: { node: TreeNode; model: TraceModel; onSelect: Select }) {
  return (
    <div class={`detail detail-${node.kind}`} data-testid="detail" data-node-id={node.id}>
      <DetailHead node={node} model={model} onSelect={onSelect} />
      {node.errors.length > 0 && <ErrorList errors={node.errors} model={model} onSelect={onSelect} here={node} />}
      {node.kind === 'trace' && <TraceDetail node={node} model={model} onSelect={onSelect} />}
      {node.kind === 'agent' && <AgentDetail node={node} model={model} onSelect={onSelect} />}
      {node.kind === 'llm' && <LLMDetail node={node} model={model} />}
      {node.kind === 'tool' && <ToolDetail node={node} model={model} />}
      {node.kind === 'interaction' && <InteractionDetail node={node} model={model} />}
      <Identifiers node={node} />
    </div>
  );
}

function DetailHead({ node, model, onSelect }: { node: TreeNode; model: TraceModel; onSelect: Select }) {
  const agentRef = node.kind === 'llm' || node.kind === 'tool' || node.kind === 'interaction' ? node.data.agentCall : null;
  const agent = agentRef ? model.byId.get(agentRef.id) : undefined;
  let title = node.name;
  let sub: ComponentChildren = null;
  if (node.kind === 'llm') {
    title = node.data.model ?? node.name;
    sub = node.data.model ? node.name : null;
  } else if (node.kind === 'trace') {
    title = `Trace ${node.data.externalId ?? '#' + node.data.databaseId}`;
    sub = node.data.project.projectName;
  }
  return (
    <header class="detail-head">
      <KindIcon kind={node.kind} />
      <div class="detail-titles">
        <div class="detail-kind">
          {kindLabel[node.kind]}
          {node.kind !== 'trace' && node.kind !== 'agent' && (
            agent ? (
              <> in agent <button type="button" class="btn-link" onClick={() => onSelect(agent.id)}>{agent.name}</button></>
            ) : (
              <> outside any agent</>
            )
          )}
        </div>
        <h2 data-testid="detail-title">{title}</h2>
        {sub && <div class="detail-sub">{sub}</div>}
      </div>
    </header>
  );
}

function ErrorList({ errors, model, onSelect, here }: { errors: ErrorData[]; model: TraceModel; onSelect: Select; here?: TreeNode }) {
  return (
    <div class="errors" data-testid="node-errors">
      {errors.map((e) => {
        const at = where(e, model);
        return (
          <div class="callout callout-error" role="note" key={e.id}>
            <div class="callout-head">
              <strong>{e.errorType} error</strong>
              <span class="muted" title={e.timestamp}>{fmtTimeMs(e.timestamp)} · +{fmtDuration((Date.parse(e.timestamp) - model.t0) / 1000)}</span>
              <span class="spacer" />
              {at && at !== here && (
                <button type="button" class="btn btn-small btn-ghost" onClick={() => onSelect(at.id)}>
                  in {kindLabel[at.kind].toLowerCase()} {at.kind === 'llm' ? at.data.model ?? at.name : at.name} →
                </button>
              )}
            </div>
            <p class="callout-body">{e.errorMessage ?? <span class="muted">No message recorded</span>}</p>
          </div>
        );
      })}
    </div>
  );
}

function where(e: ErrorData, model: TraceModel): TreeNode | undefined {
  const id = e.llmCall?.id ?? e.toolCall?.id ?? e.agentCall?.id;
  return id ? model.byId.get(id) : model.root;
}

function Section({ title, children, testid, aside }: { title: string; children: ComponentChildren; testid?: string; aside?: ComponentChildren }) {
  return (
    <section class="section" data-testid={testid}>
      <header class="section-head"><h3>{title}</h3>{aside}</header>
      {children}
    </section>
  );
}

function Timing({ node, model }: { node: TreeNode; model: TraceModel }) {
  const offset = (node.start - model.t0) / 1000;
  const point = node.kind === 'interaction';
  return (
    <Section title="Timing">
      <dl class="kv">
        <dt>{point ? 'At' : 'Start'}</dt>
        <dd title={new Date(node.start).toISOString()}>{fmtDateTime(new Date(node.start).toISOString())} <span class="muted">({fmtTimeMs(new Date(node.start).toISOString())})</span></dd>
        {!point && (
          <>
            <dt>End</dt>
            <dd>{node.end != null ? <>{fmtTimeMs(new Date(node.end).toISOString())}</> : <span class="pill pill-muted">not recorded</span>}</dd>
            <dt>Duration</dt>
            <dd>{node.end != null ? fmtDuration((node.end - node.start) / 1000) : '—'}</dd>
          </>
        )}
        {node.kind !== 'trace' && (
          <>
            <dt>Into the trace</dt>
            <dd>+{fmtDuration(offset)}</dd>
          </>
        )}
      </dl>
    </Section>
  );
}

function Identifiers({ node }: { node: TreeNode }) {
  const d = node.data as { id: string; databaseId?: number; externalId?: string | null };
  return (
    <details class="section section-ids">
      <summary>Identifiers</summary>
      <dl class="kv kv-mono">
        <dt>id</dt>
        <dd>{d.id} <CopyButton text={d.id} /></dd>
        {d.databaseId != null && (<><dt>databaseId</dt><dd>{d.databaseId}</dd></>)}
        {d.externalId && (<><dt>externalId</dt><dd>{d.externalId}</dd></>)}
      </dl>
    </details>
  );
}

function TokenCostTable({ tokens, cost, title = 'Tokens and cost' }: {
  tokens: { input: number; completion: number; reasoning: number; total: number };
  cost: { input: number; output: number; reasoning: number; total: number };
  title?: string;
}) {
  const share = (n: number) => (tokens.total ? (n / tokens.total) * 100 : 0);
  return (
    <Section title={title} testid="token-cost">
      <div class="token-bar" aria-hidden="true">
        <span class="tb-input" style={{ width: `${share(tokens.input)}%` }} />
        <span class="tb-completion" style={{ width: `${share(tokens.completion)}%` }} />
        <span class="tb-reasoning" style={{ width: `${share(tokens.reasoning)}%` }} />
      </div>
      <table class="table table-compact">
        <thead><tr><th /><th class="num">Tokens</th><th class="num">Cost (USD)</th></tr></thead>
        <tbody>
          <tr><th><i class="sw sw-input" />Input (prompt)</th><td class="num">{fmtInt(tokens.input)}</td><td class="num">{fmtCost(cost.input)}</td></tr>
          <tr><th><i class="sw sw-completion" />Completion</th><td class="num">{fmtInt(tokens.completion)}</td><td class="num">{fmtCost(cost.output)}</td></tr>
          <tr><th><i class="sw sw-reasoning" />Reasoning</th><td class="num">{fmtInt(tokens.reasoning)}</td><td class="num">{fmtCost(cost.reasoning)}</td></tr>
        </tbody>
        <tfoot><tr><th>Total</th><td class="num" data-testid="tokens-total">{fmtInt(tokens.total)}</td><td class="num" data-testid="cost-total">{fmtCost(cost.total)}</td></tr></tfoot>
      </table>
    </Section>
  );
}

function LLMDetail({ node, model }: { node: Extract<TreeNode, { kind: 'llm' }>; model: TraceModel }) {
  const c = node.data;
  return (
    <>
      <div class="stats stats-compact">
        <Stat label="Duration" value={fmtDuration(c.duration)} />
        <Stat label="Tokens" value={fmtInt(c.tokenUsage.total)} />
        <Stat label="Cost" value={fmtCost(c.cost.total)} title={`$${c.cost.total}`} />
        <Stat label="Memory" value={fmtBytes(c.memoryUsed)} title={c.memoryUsed != null ? `${fmtInt(c.memoryUsed)} bytes` : undefined} />
      </div>
      <TokenCostTable tokens={c.tokenUsage} cost={c.cost} />
      <TextBlock title="Prompt" text={c.inputPrompt} testid="prompt" />
      <TextBlock title="Output" text={c.output} testid="output" />
      {c.toolCall && <TextBlock title="Tool call requested" text={c.toolCall} testid="llm-tool-call" />}
      <Timing node={node} model={model} />
    </>
  );
}

function ToolDetail({ node, model }: { node: Extract<TreeNode, { kind: 'tool' }>; model: TraceModel }) {
  const c = node.data;
  const calls = c.networkCalls ?? [];
  return (
    <>
      <div class="stats stats-compact">
        <Stat label="Duration" value={fmtDuration(c.duration)} />
        <Stat
          label={c.memoryUsed != null && c.memoryUsed < 0 ? 'Memory released' : 'Memory'}
          value={fmtBytes(c.memoryUsed == null ? null : Math.abs(c.memoryUsed))}
          title={c.memoryUsed != null ? `${fmtInt(c.memoryUsed)} bytes` : undefined}
        />
        <Stat label="HTTP calls" value={fmtInt(calls.length)} />
        <Stat label="Errors" value={fmtInt(node.errors.length)} tone={node.errors.length ? 'bad' : undefined} />
      </div>
      <TextBlock title="Input parameters" text={c.inputParameters} testid="tool-input" />
      <TextBlock title="Output" text={c.output} testid="tool-output" tone={node.errors.length ? 'error' : undefined} />
      {calls.length > 0 && (
        <Section title={`Network calls (${calls.length})`} testid="network-calls">
          <div class="net-list">{calls.map((n, i) => <NetworkCall n={n} key={i} />)}</div>
        </Section>
      )}
      <Timing node={node} model={model} />
    </>
  );
}

function NetworkCall({ n }: { n: NetworkCallData }) {
  const failed = !!n.error || (n.statusCode ?? 0) >= 400;
  const tone = n.statusCode == null ? (n.error ? 'bad' : 'muted') : n.statusCode >= 400 ? 'bad' : n.statusCode >= 300 ? 'warn' : 'good';
  return (
    <details class={'net' + (failed ? ' net-failed' : '')}>
      <summary>
        <span class="pill pill-muted mono">{n.method ?? 'HTTP'}</span>
        <span class={`pill pill-${tone} mono`}>{n.statusCode ?? (n.error ? 'failed' : '—')}</span>
        <span class="net-url mono" title={n.url}>{n.url}</span>
        <span class="net-dur">{fmtDuration(n.duration)}</span>
      </summary>
      <div class="net-body">
        {n.error && <div class="callout callout-error"><p class="callout-body">{n.error}</p></div>}
        <dl class="kv">
          <dt>URL</dt><dd class="mono break">{n.url} <CopyButton text={n.url} /></dd>
          <dt>Start</dt><dd>{fmtTimeMs(n.startTime)}</dd>
          <dt>End</dt><dd>{fmtTimeMs(n.endTime)}</dd>
        </dl>
        <Headers title="Request headers" headers={n.requestHeaders} />
        {n.requestBody && <TextBlock title="Request body" text={n.requestBody} collapsedHeight={120} />}
        <Headers title="Response headers" headers={n.responseHeaders} />
        <TextBlock title="Response body" text={n.responseBody} collapsedHeight={120} />
      </div>
    </details>
  );
}

function Headers({ title, headers }: { title: string; headers: { name: string; value: string }[] }) {
  if (!headers.length) return null;
  return (
    <div class="headers">
      <h4>{title}</h4>
      <table class="table table-compact mono">
        <tbody>{headers.map((h) => <tr><th>{h.name}</th><td class="break">{h.value}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

function InteractionDetail({ node, model }: { node: Extract<TreeNode, { kind: 'interaction' }>; model: TraceModel }) {
  const u = node.data;
  return (
    <>
      <p><span class={'pill ' + (u.interactionType === 'input' ? 'pill-info' : 'pill-good')}>{u.interactionType}</span></p>
      <TextBlock title={u.interactionType === 'input' ? 'What the user sent' : 'What the user was shown'} text={u.content} testid="interaction-content" />
      <Timing node={node} model={model} />
    </>
  );
}

function ChildList({ nodes, onSelect }: { nodes: TreeNode[]; onSelect: Select }) {
  return (
    <ul class="child-list">
      {nodes.map((c) => (
        <li key={c.id}>
          <button type="button" class={'child' + (c.errorCount ? ' child-error' : '')} onClick={() => onSelect(c.id)}>
            <KindIcon kind={c.kind} />
            <span class="child-name">{c.kind === 'llm' ? c.data.model ?? c.name : c.name}</span>
            {c.kind === 'interaction' && <span class="child-sub">{c.data.content}</span>}
            {c.kind === 'llm' && <span class="child-sub">{fmtCompact(c.tokens)} tok · {fmtCost(c.cost)}</span>}
            {c.errorCount > 0 && <span class="err-badge">{c.errorCount > 1 ? `${c.errorCount} errors` : 'error'}</span>}
            <span class="spacer" />
            {c.kind !== 'interaction' && <span class="child-dur">{c.end != null ? fmtDuration((c.end - c.start) / 1000) : 'running'}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

function AgentDetail({ node, model, onSelect }: { node: Extract<TreeNode, { kind: 'agent' }>; model: TraceModel; onSelect: Select }) {
  const llm = node.children.filter((c) => c.kind === 'llm').length;
  const tools = node.children.filter((c) => c.kind === 'tool').length;
  const inner = node.children.flatMap((c) => c.errors);
  return (
    <>
      <div class="stats stats-compact stats-3">
        <Stat label="Duration" value={node.end != null ? fmtDuration((node.end - node.start) / 1000) : 'running'} />
        <Stat label="LLM calls" value={fmtInt(llm)} />
        <Stat label="Tool calls" value={fmtInt(tools)} />
        <Stat label="Tokens" value={fmtInt(node.tokens)} />
        <Stat label="Cost" value={fmtCost(node.cost)} title={`$${node.cost}`} />
        <Stat label="Errors" value={fmtInt(node.errorCount)} tone={node.errorCount ? 'bad' : undefined} />
      </div>
      {inner.length > 0 && (
        <Section title={`Errors in its calls (${inner.length})`}>
          <ErrorList errors={inner} model={model} onSelect={onSelect} />
        </Section>
      )}
      <Section title={`Calls and interactions (${node.children.length})`}>
        {node.children.length ? <ChildList nodes={node.children} onSelect={onSelect} /> : <p class="muted">This agent recorded no calls.</p>}
      </Section>
      <Timing node={node} model={model} />
    </>
  );
}

function TraceDetail({ node, model, onSelect }: { node: Extract<TreeNode, { kind: 'trace' }>; model: TraceModel; onSelect: Select }) {
  const t = node.data;
  const inner = t.errors.nodes.filter((e) => where(e, model) !== model.root);
  return (
    <>
      {inner.length > 0 && (
        <Section title={`Errors in its calls (${inner.length})`} testid="trace-errors">
          <ErrorList errors={inner} model={model} onSelect={onSelect} here={node} />
        </Section>
      )}
      {t.stats.llmCallCount > 0 && (
        <TokenCostTable tokens={t.stats.tokens} cost={t.stats.cost} title={`Tokens and cost of its ${plural(t.stats.llmCallCount, 'LLM call')}`} />
      )}
      <Section title={`Metrics (${t.metrics.totalCount})`} testid="metrics">
        {t.metrics.nodes.length ? (
          <div class="metrics">{t.metrics.nodes.map((m) => <MetricCard m={m} key={m.id} />)}</div>
        ) : (
          <p class="muted">No evaluation metrics were recorded for this trace.</p>
        )}
      </Section>
      <Section title="System" testid="system-info">
        {t.systemInfo ? <SystemInfo s={t.systemInfo} /> : <p class="muted">No system info was recorded for this trace.</p>}
      </Section>
      <Timing node={node} model={model} />
    </>
  );
}

function MetricCard({ m }: { m: MetricData }) {
  const score = m.score;
  const tone = score == null ? 'muted' : score >= 0.7 ? 'good' : score >= 0.4 ? 'warn' : 'bad';
  return (
    <div class={`metric metric-${tone}`} data-testid="metric">
      <div class="metric-head">
        <strong class="metric-name">{m.metricName}</strong>
        <span class="spacer" />
        <ScorePill name={m.metricName} score={score} />
      </div>
      {score != null && (
        <div class="meter" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(1, score)) * 100}%` }} /></div>
      )}
      {m.reason && <p class="metric-reason">{m.reason}</p>}
      <p class="metric-meta muted">
        {fmtDateTime(m.timestamp)}{m.duration != null && <> · evaluated in {fmtDuration(m.duration)}</>}
      </p>
      {(m.resultDetail != null || m.config != null) && (
        <details class="metric-more">
          <summary>Result and configuration</summary>
          {m.resultDetail != null && (<><h4>Result detail</h4><JsonValue value={m.resultDetail} /></>)}
          {m.config != null && (<><h4>Config</h4><JsonValue value={m.config} /></>)}
        </details>
      )}
    </div>
  );
}

function SystemInfo({ s }: { s: SystemInfoData }) {
  const [filter, setFilter] = useState('');
  const pkgs = s.installedPackages.filter((p) => p.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const disk = s.diskInfo;
  return (
    <>
      <dl class="kv">
        <dt>OS</dt><dd>{[s.osName, s.osVersion].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Python</dt><dd>{s.pythonVersion ?? '—'}</dd>
        <dt>CPU</dt><dd>{s.cpuInfo ?? '—'}</dd>
        <dt>Memory</dt><dd>{s.memoryTotal != null ? `${s.memoryTotal} GB` : '—'}</dd>
        <dt>GPU</dt>
        <dd>{s.gpuInfo?.length ? s.gpuInfo.map((g) => <div>{g.name}{g.memoryTotal != null && <span class="muted"> · {fmtInt(g.memoryTotal)} MB</span>}</div>) : 'none recorded'}</dd>
        <dt>Disk</dt>
        <dd>
          {disk && disk.total != null ? (
            <>
              {disk.available != null ? `${disk.available} GB free of ${disk.total} GB` : `${disk.total} GB`}
              {disk.available != null && disk.total > 0 && (
                <div class="meter meter-disk" aria-hidden="true"><span style={{ width: `${((disk.total - disk.available) / disk.total) * 100}%` }} /></div>
              )}
            </>
          ) : '—'}
        </dd>
      </dl>
      <div class="packages" data-testid="packages">
        <header class="section-head">
          <h4>Installed packages ({s.installedPackages.length})</h4>
          <span class="spacer" />
          {s.installedPackages.length > 8 && (
            <input class="input input-small" type="search" placeholder="Filter" aria-label="Filter packages" value={filter}
              onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          )}
        </header>
        {s.installedPackages.length ? (
          <table class="table table-compact">
            <tbody>{pkgs.map((p) => <tr><th class="mono">{p.name}</th><td class="mono">{p.version}</td></tr>)}</tbody>
          </table>
        ) : <p class="muted">None recorded.</p>}
        {s.installedPackages.length > 0 && pkgs.length === 0 && <p class="muted">No package matches “{filter}”.</p>}
      </div>
    </>
  );
}

