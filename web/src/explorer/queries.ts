// The GraphQL documents of the explorer: one per view, each fetching all that
// the view shows in one request. Counts use `first: 0`, which returns
// totalCount without rows. The "GraphQL" button of each view opens its
// document in the playground.

/** Largest page the API serves (connections take first/last up to 100). */
export const MAX_PAGE = 100;

export const PROJECTS_QUERY = `query ExplorerProjects($first: Int, $after: String, $last: Int, $before: String) {
  projects(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      id
      projectName
      startTime
      endTime
      duration
      totalCost
      totalTokens
      retentionDays
      traces(first: 3) {
        totalCount
        nodes {
          id databaseId externalId startTime duration
          errors(first: 0) { totalCount }
          userInteractions(first: 1) { nodes { interactionType content } }
        }
      }
      agentCalls(first: 0) { totalCount }
      llmCalls(first: 0) { totalCount }
      toolCalls(first: 0) { totalCount }
      errors(first: 0) { totalCount }
    }
  }
}`;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface Count {
  totalCount: number;
}

export interface RecentTrace {
  id: string;
  databaseId: number;
  externalId: string | null;
  startTime: string;
  duration: number | null;
  errors: Count;
  userInteractions: { nodes: { interactionType: string; content: string | null }[] };
}

export interface ProjectSummary {
  id: string;
  projectName: string;
  startTime: string | null;
  endTime: string | null;
  duration: number | null;
  totalCost: number;
  totalTokens: number;
  retentionDays: number | null;
  traces: Count & { nodes: RecentTrace[] };
  agentCalls: Count;
  llmCalls: Count;
  toolCalls: Count;
  errors: Count;
}

export interface ProjectsData {
  projects: Count & { pageInfo: PageInfo; nodes: ProjectSummary[] };
}

/**
 * A project's header (its rollups over all its traces) and one page of its
 * traces. Paging arguments, filter and order come from the URL (see
 * views/Project.tsx): first/after for the next page, last/before for the
 * previous one; cursors are positions in the chosen order. `models` lists the
 * models the project's LLM calls used, for the model filter: analytics
 * without bins over all time (the range only bounds the rows).
 */
export const PROJECT_TRACES_QUERY = `query ExplorerProjectTraces($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: TraceFilter, $orderBy: TraceOrder) {
  project(id: $id) {
    id
    projectName
    startTime
    endTime
    duration
    retentionDays
    systemInfo { osName osVersion pythonVersion }
    stats {
      traceCount
      tracesWithErrors
      errorRate
      errorCount
      tokens { total }
      cost { total }
      traceLatency { p50 p90 p99 }
    }
    traces(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes {
        id
        databaseId
        externalId
        startTime
        endTime
        duration
        totalCost
        totalTokens
        stats { agentCallCount llmCallCount toolCallCount errorCount }
        userInteractions(first: 1, filter: { interactionType: "input" }) { nodes { content } }
        metrics(first: 10) { totalCount nodes { metricName score } }
      }
    }
  }
  models: analytics(projectId: $id, source: LLM_CALLS, groupBy: [MODEL],
                    timeRange: { from: "1970-01-01T00:00:00Z", to: "3000-01-01T00:00:00Z" }) {
    model
    count
  }
}`;

export interface TraceRow {
  id: string;
  databaseId: number;
  externalId: string | null;
  startTime: string;
  endTime: string | null;
  duration: number | null;
  totalCost: number;
  totalTokens: number;
  stats: { agentCallCount: number; llmCallCount: number; toolCallCount: number; errorCount: number };
  userInteractions: { nodes: { content: string | null }[] };
  metrics: Count & { nodes: { metricName: string; score: number | null }[] };
}

export interface Quantiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface ProjectStats {
  traceCount: number;
  tracesWithErrors: number;
  errorRate: number;
  errorCount: number;
  tokens: { total: number };
  cost: { total: number };
  traceLatency: Quantiles;
}

export interface ProjectTracesData {
  project: {
    id: string;
    projectName: string;
    startTime: string | null;
    endTime: string | null;
    duration: number | null;
    retentionDays: number | null;
    systemInfo: { osName: string | null; osVersion: string | null; pythonVersion: string | null } | null;
    stats: ProjectStats;
    traces: Count & { pageInfo: PageInfo; nodes: TraceRow[] };
  };
  models: { model: string | null; count: number }[];
}

/** A whole trace: every call, interaction, error and metric, up to MAX_PAGE of each. */
export const TRACE_QUERY = `query ExplorerTrace($id: ID!) {
  trace(id: $id) {
    id
    databaseId
    externalId
    startTime
    endTime
    duration
    project { id projectName }
    stats {
      agentCallCount llmCallCount toolCallCount userInteractionCount errorCount
      tokens { input completion reasoning total }
      cost { input output reasoning total }
      llmTime toolTime
    }
    systemInfo {
      osName osVersion pythonVersion cpuInfo memoryTotal
      gpuInfo { name memoryTotal }
      diskInfo { total available }
      installedPackages { name version }
    }
    agentCalls(first: ${MAX_PAGE}) {
      totalCount
      nodes { id databaseId externalId name startTime endTime }
    }
    llmCalls(first: ${MAX_PAGE}) {
      totalCount
      nodes {
        id databaseId externalId name model startTime endTime duration memoryUsed
        agentCall { id }
        inputPrompt output toolCall
        tokenUsage { input completion reasoning total }
        cost { input output reasoning total }
      }
    }
    toolCalls(first: ${MAX_PAGE}) {
      totalCount
      nodes {
        id databaseId externalId name startTime endTime duration memoryUsed
        agentCall { id }
        inputParameters output
        networkCalls {
          method url statusCode error startTime endTime duration
          requestHeaders { name value } requestBody
          responseHeaders { name value } responseBody
        }
      }
    }
    userInteractions(first: ${MAX_PAGE}) {
      totalCount
      nodes { id databaseId externalId interactionType content timestamp agentCall { id } }
    }
    errors(first: ${MAX_PAGE}) {
      totalCount
      nodes { id databaseId externalId errorType errorMessage timestamp agentCall { id } llmCall { id } toolCall { id } }
    }
    metrics(first: ${MAX_PAGE}) {
      totalCount
      nodes { id metricName score reason resultDetail config startTime endTime duration timestamp }
    }
  }
}`;

type Ref = { id: string } | null;

export interface AgentCallData {
  id: string; databaseId: number; externalId: string | null; name: string; startTime: string; endTime: string | null;
}
export interface LLMCallData {
  id: string; databaseId: number; externalId: string | null; name: string; model: string | null;
  startTime: string; endTime: string | null; duration: number | null; memoryUsed: number | null;
  agentCall: Ref; inputPrompt: string | null; output: string | null; toolCall: string | null;
  tokenUsage: { input: number; completion: number; reasoning: number; total: number };
  cost: { input: number; output: number; reasoning: number; total: number };
}
export interface Header { name: string; value: string }
export interface NetworkCallData {
  method: string | null; url: string; statusCode: number | null; error: string | null;
  startTime: string | null; endTime: string | null; duration: number | null;
  requestHeaders: Header[]; requestBody: string | null; responseHeaders: Header[]; responseBody: string | null;
}
export interface ToolCallData {
  id: string; databaseId: number; externalId: string | null; name: string;
  startTime: string; endTime: string | null; duration: number | null; memoryUsed: number | null;
  agentCall: Ref; inputParameters: string | null; output: string | null; networkCalls: NetworkCallData[] | null;
}
export interface InteractionData {
  id: string; databaseId: number; externalId: string | null; interactionType: string; content: string | null;
  timestamp: string; agentCall: Ref;
}
export interface ErrorData {
  id: string; databaseId: number; externalId: string | null; errorType: string; errorMessage: string | null;
  timestamp: string; agentCall: Ref; llmCall: Ref; toolCall: Ref;
}
export interface MetricData {
  id: string; metricName: string; score: number | null; reason: string | null; resultDetail: unknown; config: unknown;
  startTime: string | null; endTime: string | null; duration: number | null; timestamp: string;
}
export interface SystemInfoData {
  osName: string | null; osVersion: string | null; pythonVersion: string | null; cpuInfo: string | null;
  memoryTotal: number | null; gpuInfo: { name: string; memoryTotal: number | null }[] | null;
  diskInfo: { total: number | null; available: number | null } | null;
  installedPackages: { name: string; version: string }[];
}
type Conn<T> = { totalCount: number; nodes: T[] };
export interface TraceStatsData {
  agentCallCount: number; llmCallCount: number; toolCallCount: number; userInteractionCount: number; errorCount: number;
  tokens: { input: number; completion: number; reasoning: number; total: number };
  cost: { input: number; output: number; reasoning: number; total: number };
  /** Seconds spent in LLM calls and in tool calls (sums of their durations). */
  llmTime: number; toolTime: number;
}
export interface TraceData {
  id: string; databaseId: number; externalId: string | null; startTime: string; endTime: string | null; duration: number | null;
  project: { id: string; projectName: string };
  stats: TraceStatsData;
  systemInfo: SystemInfoData | null;
  agentCalls: Conn<AgentCallData>;
  llmCalls: Conn<LLMCallData>;
  toolCalls: Conn<ToolCallData>;
  userInteractions: Conn<InteractionData>;
  errors: Conn<ErrorData>;
  metrics: Conn<MetricData>;
}
export interface TraceQueryData {
  trace: TraceData;
}
