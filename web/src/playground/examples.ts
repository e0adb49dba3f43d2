// Example operations of the playground. Each runs as written against the demo
// data (`api --demo`); the e2e tests run the first one.
export interface Example {
  title: string;
  description: string;
  query: string;
  variables?: string;
}

export const EXAMPLES: Example[] = [
  {
    title: 'The tree of a trace',
    description: 'The newest trace with its agents, their LLM and tool calls, errors, metrics and machine.',
    query: `# The whole tree of the newest trace: agents with the calls they made,
# calls made outside any agent, errors, metrics and the machine it ran on.
# For a given trace use trace(id: "…") instead of traces(first: 1).
query TraceTree {
  traces(first: 1) {
    nodes {
      id
      startTime
      duration
      project { projectName }
      agentCalls(first: 100) {
        nodes {
          name
          startTime
          endTime
          llmCalls { nodes { model duration tokenUsage { input completion total } cost { total } } }
          toolCalls { nodes { name duration networkCalls { method url statusCode } } }
          userInteractions { nodes { interactionType content } }
        }
      }
      outsideAgents: llmCalls(first: 100) { nodes { model agentCall { name } cost { total } } }
      errors { nodes { errorType errorMessage llmCall { model } toolCall { name } agentCall { name } } }
      metrics { nodes { metricName score reason } }
      systemInfo { osName pythonVersion installedPackages { name version } }
    }
  }
}
`,
  },
  {
    title: 'The most expensive traces',
    description: 'traces(orderBy: COST DESC) with each trace’s total cost, tokens and rollups.',
    query: `# The ten most expensive traces of all projects, with their rollups.
# Cursors follow the order: page with traces(first: 10, after: endCursor,
# orderBy: …). Narrow with filter, e.g. filter: { hasErrors: true,
# model: "gpt-4o", cost: { min: 0.002 }, search: "refund" }.
query MostExpensiveTraces {
  traces(first: 10, orderBy: { field: COST, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      startTime
      duration
      totalCost
      totalTokens
      project { projectName }
      stats {
        llmCallCount
        toolCallCount
        errorCount
        llmTime
        toolTime
        cost { input output reasoning }
      }
    }
  }
}
`,
  },
  {
    title: 'Cost per model',
    description: 'analytics: LLM calls of a project by model and day, with tokens and cost.',
    query: `# What each model cost per day in January 2026, in the first project.
# analytics aggregates in SQL: one row per day and model, zero rows for days
# without calls (charts need no gap-filling). timeZoneOffsetMinutes: 60 gives
# UTC+1 days; groupBy: [AGENT], bin: WEEK or source: TOOL_CALLS work alike.
query CostPerModel {
  analytics(
    projectId: "UHJvamVjdDox"
    source: LLM_CALLS
    groupBy: [MODEL]
    bin: DAY
    timeRange: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }
  ) {
    bucket
    model
    count
    tokens { input completion total }
    cost { total }
    value { p50 p99 }
  }
}
`,
  },
  {
    title: 'Error groups',
    description: 'A project’s errors grouped by type and masked message: how often, since when, how many traces.',
    query: `# Errors grouped by type and message, with numbers, ids and quoted values
# masked ("Timeout after <n>s calling \"*\""), most recently seen first.
# To list one group's errors: errors(filter: { fingerprint: "…" }).
query ErrorGroups {
  projectByName(name: "support-assistant") {
    projectName
    stats { errorCount tracesWithErrors errorRate }
    errorGroups(first: 10) {
      totalCount
      nodes {
        fingerprint
        errorType
        normalizedMessage
        sampleMessage
        count
        affectedTraces
        firstSeen
        lastSeen
      }
    }
  }
}
`,
  },
  {
    title: 'A project’s dashboard',
    description: 'Project.stats (error rate, latency quantiles, tokens, cost) and metric summaries.',
    query: `# The numbers of a project's dashboard, computed in SQL. stats and
# metricSummaries take an optional timeRange: { from, to }.
query ProjectDashboard {
  projectByName(name: "support-assistant") {
    projectName
    stats {
      traceCount
      tracesWithErrors
      errorRate
      tokens { input completion total }
      cost { total }
      traceLatency { p50 p90 p99 }
      llmLatency { p50 p99 }
      toolLatency { p50 p99 }
    }
    metricSummaries { metricName count minScore avgScore maxScore }
  }
}
`,
  },
  {
    title: 'Projects and their rollups',
    description: 'Every project with its time span, cost, tokens and counts.',
    query: `query Projects {
  projects(first: 20) {
    totalCount
    nodes {
      id
      projectName
      startTime
      endTime
      duration
      totalCost
      totalTokens
      traces(first: 0) { totalCount }
      llmCalls(first: 0) { totalCount }
      errors(first: 0) { totalCount }
    }
  }
}
`,
  },
  {
    title: 'Errors and where they happened',
    description: 'Every project’s errors with their trace, agent, LLM call or tool call.',
    query: `query Errors {
  projects {
    nodes {
      projectName
      errors(first: 20) {
        totalCount
        nodes {
          errorType
          errorMessage
          timestamp
          trace { id }
          agentCall { name }
          llmCall { name model }
          toolCall { name }
        }
      }
    }
  }
}
`,
  },
  {
    title: 'Paging through traces',
    description: 'Cursor paging: pass pageInfo.endCursor as $after until hasNextPage is false.',
    query: `query Traces($after: String) {
  traces(first: 5, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id startTime duration project { projectName } }
    }
  }
}
`,
    variables: `{
  "after": null
}
`,
  },
  {
    title: 'Any object by id',
    description: 'node(id:) fetches a project, trace or call by its global id.',
    query: `query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Trace { databaseId startTime llmCalls(first: 3) { nodes { model } } }
    ... on LLMCall { model inputPrompt output }
    ... on Project { projectName }
  }
}
`,
    variables: `{
  "id": "VHJhY2U6MQ"
}
`,
  },
  {
    title: 'Record a trace (mutation)',
    description: 'Writes a small trace with ingestTraces. Sending it again changes nothing.',
    query: `# Writes a trace into the project "playground" (created on first use).
# The externalIds make it idempotent: running it again updates in place.
mutation RecordTrace {
  ingestTraces(input: [{
    project: "playground"
    externalId: "playground-run-1"
    startTime: "2026-02-01T10:00:00Z"
    endTime: "2026-02-01T10:00:03Z"
    agentCalls: [{
      externalId: "agent-1"
      name: "helper"
      startTime: "2026-02-01T10:00:00.1Z"
      endTime: "2026-02-01T10:00:02.9Z"
      llmCalls: [{
        externalId: "llm-1"
        name: "chat.completions"
        model: "gpt-4o-mini"
        inputPrompt: "Say hello."
        output: "Hello!"
        startTime: "2026-02-01T10:00:00.2Z"
        endTime: "2026-02-01T10:00:01Z"
        tokenUsage: { input: 12, completion: 3 }
      }]
    }]
  }]) {
    traces { id duration llmCalls { nodes { model cost { total } } } }
  }
}
`,
  },
];
