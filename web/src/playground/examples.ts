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
    description: 'Traces with the cost of every LLM call, to rank them by cost.',
    query: `# The most expensive traces. The API has no sort by cost yet, so this lists
# the newest 100 traces with the cost of each of their LLM calls; add up
# cost.total per trace to rank them (the explorer's trace table does).
# Page with traces(first: 100, after: pageInfo.endCursor).
query MostExpensiveTraces {
  traces(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      startTime
      duration
      project { projectName }
      llmCalls(first: 100) {
        totalCount
        nodes { model tokenUsage { total } cost { total } }
      }
    }
  }
}
`,
  },
  {
    title: 'Cost per model',
    description: 'Each project’s totals and its LLM calls with model, tokens and cost.',
    query: `# Cost per model. Project totals are exact rollups (totalCost, totalTokens);
# the split by model comes from the LLM calls, 100 per page (page with
# llmCalls(first: 100, after: pageInfo.endCursor)), grouped by model.
query CostPerModel {
  projects {
    nodes {
      projectName
      totalCost
      totalTokens
      llmCalls(first: 100) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          model
          tokenUsage { input completion reasoning total }
          cost { input output reasoning total }
        }
      }
    }
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
