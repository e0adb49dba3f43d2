// Turns a fetched trace into the tree the trace view shows: the trace at the
// root; agents, and calls made outside any agent, below it in start order;
// each agent's LLM calls, tool calls and user interactions below the agent.
// Errors are attached to where they happened: the LLM or tool call, else the
// agent, else the trace.
import type {
  AgentCallData, ErrorData, InteractionData, LLMCallData, ToolCallData, TraceData,
} from './queries';

export type NodeKind = 'trace' | 'agent' | 'llm' | 'tool' | 'interaction';

interface Base {
  id: string;
  name: string;
  /** Milliseconds since the epoch. */
  start: number;
  /** null while still running (no end recorded). */
  end: number | null;
  depth: number;
  children: TreeNode[];
  /** Errors raised right here. */
  errors: ErrorData[];
  /** Errors here or anywhere below. */
  errorCount: number;
  tokens: number;
  cost: number;
}

export type TreeNode =
  | (Base & { kind: 'trace'; data: TraceData })
  | (Base & { kind: 'agent'; data: AgentCallData })
  | (Base & { kind: 'llm'; data: LLMCallData })
  | (Base & { kind: 'tool'; data: ToolCallData })
  | (Base & { kind: 'interaction'; data: InteractionData });

export interface TraceModel {
  root: TreeNode;
  byId: Map<string, TreeNode>;
  /** The time axis, in ms since the epoch: the trace's span, widened to every call. */
  t0: number;
  t1: number;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

export function buildTraceModel(t: TraceData): TraceModel {
  const byId = new Map<string, TreeNode>();
  const base = (id: string, name: string, start: string, end: string | null, depth: number) => ({
    id, name, start: ms(start)!, end: ms(end), depth, children: [] as TreeNode[], errors: [] as ErrorData[],
    errorCount: 0, tokens: 0, cost: 0,
  });

  const root: TreeNode = { ...base(t.id, `Trace ${t.externalId ?? '#' + t.databaseId}`, t.startTime, t.endTime, 0), kind: 'trace', data: t };
  byId.set(root.id, root);

  const agents = new Map<string, TreeNode>();
  for (const a of t.agentCalls.nodes) {
    const n: TreeNode = { ...base(a.id, a.name, a.startTime, a.endTime, 1), kind: 'agent', data: a };
    agents.set(a.id, n);
    byId.set(a.id, n);
    root.children.push(n);
  }
  const parentOf = (agent: { id: string } | null) => (agent && agents.get(agent.id)) || root;
  const add = (n: TreeNode, parent: TreeNode) => {
    n.depth = parent.depth + 1;
    parent.children.push(n);
    byId.set(n.id, n);
  };
  for (const c of t.llmCalls.nodes) {
    const n: TreeNode = { ...base(c.id, c.name, c.startTime, c.endTime, 0), kind: 'llm', data: c };
    n.tokens = c.tokenUsage.total;
    n.cost = c.cost.total;
    add(n, parentOf(c.agentCall));
  }
  for (const c of t.toolCalls.nodes) {
    add({ ...base(c.id, c.name, c.startTime, c.endTime, 0), kind: 'tool', data: c }, parentOf(c.agentCall));
  }
  for (const u of t.userInteractions.nodes) {
    const n: TreeNode = {
      ...base(u.id, u.interactionType === 'input' ? 'User input' : u.interactionType === 'output' ? 'Output to user' : u.interactionType, u.timestamp, u.timestamp, 0),
      kind: 'interaction', data: u,
    };
    add(n, parentOf(u.agentCall));
  }
  for (const e of t.errors.nodes) {
    const at = (e.llmCall && byId.get(e.llmCall.id)) || (e.toolCall && byId.get(e.toolCall.id)) || (e.agentCall && byId.get(e.agentCall.id)) || root;
    at.errors.push(e);
  }

  let t0 = root.start;
  let t1 = root.end ?? root.start;
  const finish = (n: TreeNode) => {
    n.children.sort((a, b) => a.start - b.start || kindOrder[a.kind] - kindOrder[b.kind]);
    n.errorCount = n.errors.length;
    for (const c of n.children) {
      finish(c);
      n.errorCount += c.errorCount;
      if (n.kind !== 'llm') {
        n.tokens += c.tokens;
        n.cost += c.cost;
      }
    }
    t0 = Math.min(t0, n.start);
    t1 = Math.max(t1, n.end ?? n.start);
    for (const e of n.errors) t1 = Math.max(t1, Date.parse(e.timestamp));
  };
  finish(root);
  // The trace's own totals come from the API's rollup, exact even when the
  // trace has more calls than were fetched.
  root.tokens = t.stats.tokens.total;
  root.cost = t.stats.cost.total;
  if (t1 <= t0) t1 = t0 + 1;
  return { root, byId, t0, t1 };
}

const kindOrder: Record<NodeKind, number> = { trace: 0, interaction: 1, agent: 2, llm: 3, tool: 4 };

/** The rows shown: a depth-first walk that skips the children of collapsed nodes. */
export function visibleRows(root: TreeNode, collapsed: Set<string>): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (n: TreeNode) => {
    out.push(n);
    if (!collapsed.has(n.id)) n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The chain of ancestors of id, root first. */
export function ancestors(root: TreeNode, id: string): TreeNode[] {
  const path: TreeNode[] = [];
  const walk = (n: TreeNode): boolean => {
    if (n.id === id) return true;
    path.push(n);
    for (const c of n.children) if (walk(c)) return true;
    path.pop();
    return false;
  };
  return walk(root) ? path : [];
}

export const kindLabel: Record<NodeKind, string> = {
  trace: 'Trace', agent: 'Agent', llm: 'LLM call', tool: 'Tool call', interaction: 'Interaction',
};
