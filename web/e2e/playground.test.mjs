// The GraphiQL playground at /playground, in headless Chromium against the
// api on demo data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, graphql, launch, open, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Waits until GraphiQL's editors (loaded lazily) are up, then runs the active
 * tab. With operation, first waits until GraphiQL has taken in the tab's
 * query (it reads the operation name 100 ms after the editor changes).
 */
async function run(page, operation) {
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  await page.locator('.graphiql-response .CodeMirror').waitFor({ state: 'attached' });
  if (operation) {
    await page.waitForFunction((name) => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.operationName === name, operation);
  }
  await page.getByRole('button', { name: /Execute query/ }).click();
}

/** Switches to a preloaded tab once the editors are up (a click before that is lost while GraphiQL starts). */
async function selectTab(page, operation) {
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  const tab = page.getByRole('tab', { name: new RegExp(operation) });
  await tab.click();
  await page.waitForFunction((name) => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.operationName === name, operation);
}

/** The response pane's text once it holds a GraphQL answer. */
async function response(page) {
  const pane = page.locator('.graphiql-response');
  try {
    await page.waitForFunction(() => /"data"|"errors"/.test(document.querySelector('.graphiql-response')?.textContent ?? ''));
  } catch (err) {
    if (process.env.DEBUG_SHOTS) await page.screenshot({ path: `${process.env.DEBUG_SHOTS}/response-timeout.png` });
    throw err;
  }
  return pane.innerText();
}

/** The whole response as JSON (the pane renders only the lines in view). */
async function responseJSON(page) {
  await response(page);
  return JSON.parse(await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()));
}

describe('playground', () => {
  test('runs the preloaded example, with docs, history and autocompletion', async () => {
    const { page, check } = await open(browser);
    await page.goto(BASE + '/playground');
    assert.equal(await page.title(), 'Playground · agentgraph');
    // The examples are preloaded as tabs and listed in the Examples panel.
    const tabs = page.getByRole('tab');
    await tabs.first().waitFor();
    const titles = await tabs.allInnerTexts();
    for (const t of ['TraceTree', 'MostExpensiveTraces', 'CostPerModel']) {
      assert.ok(titles.some((x) => x.includes(t)), `tab ${t} in ${titles}`);
    }
    await page.getByRole('button', { name: 'The most expensive traces' }).waitFor();

    // Run the first tab: the tree of the newest trace.
    await run(page);
    const text = await response(page);
    const { traces } = await graphql(`{ traces(first: 1) { nodes { id } } }`);
    assert.match(text, /"agentCalls"/);
    assert.ok(text.includes(traces.nodes[0].id), 'the response holds the newest trace');
    assert.doesNotMatch(text, /"errors"/);
    await screenshot(page, 'playground');

    // Schema docs come from introspection of /graphql.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().waitFor();
    await docs.getByText('Query', { exact: true }).first().click();
    await docs.getByText('projects', { exact: true }).first().waitFor();

    // The run is in the history.
    await page.getByRole('button', { name: 'Show History' }).click();
    await page.locator('.graphiql-history-item').filter({ hasText: 'TraceTree' }).first().waitFor();

    // Autocompletion in a new tab.
    await page.getByRole('button', { name: 'Add tab' }).click();
    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ proj', { delay: 30 });
    const hints = page.locator('.CodeMirror-hints');
    await hints.waitFor();
    assert.match(await hints.innerText(), /projects/);
    await page.keyboard.press('Escape');
    await check();
  });

  test('opens examples from the Examples panel', async () => {
    const { page, check } = await open(browser);
    await page.goto(BASE + '/playground');
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.getByRole('button', { name: 'Paging through traces' }).click();
    await page.getByRole('tab', { name: /Traces/ }).filter({ hasNotText: 'Expensive' }).waitFor();
    await run(page);
    const text = await response(page);
    assert.match(text, /"endCursor"/);
    assert.match(text, /"hasNextPage": true/);
    await check();
  });

  test('the preloaded sorted-traces and analytics examples answer as the API does', async () => {
    const { traces } = await graphql(`{ traces(first: 100) { nodes { id totalCost } } }`);
    const top = [...traces.nodes].sort((a, b) => b.totalCost - a.totalCost);
    const { page, check } = await open(browser);
    await page.goto(BASE + '/playground');
    await selectTab(page, 'MostExpensiveTraces');
    await run(page, 'MostExpensiveTraces');
    const expensive = await responseJSON(page);
    assert.equal(expensive.errors, undefined);
    const nodes = expensive.data.traces.nodes;
    assert.equal(nodes.length, Math.min(10, top.length));
    assert.equal(nodes[0].id, top[0].id, 'the most expensive trace comes first');
    assert.deepEqual(nodes.map((t) => t.totalCost), top.slice(0, nodes.length).map((t) => t.totalCost));
    assert.equal(typeof nodes[0].stats.llmTime, 'number');

    const { analytics } = await graphql(`{ analytics(projectId: "UHJvamVjdDox", source: LLM_CALLS, groupBy: [MODEL], bin: DAY,
      timeRange: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { bucket model count cost { total } } }`);
    await selectTab(page, 'CostPerModel');
    await run(page, 'CostPerModel');
    const perModel = await responseJSON(page);
    assert.equal(perModel.errors, undefined);
    assert.deepEqual(perModel.data.analytics.map((r) => [r.bucket, r.model, r.count, r.cost.total]),
      analytics.map((r) => [r.bucket, r.model, r.count, r.cost.total]));
    assert.ok(perModel.data.analytics.some((r) => r.count > 0), 'the demo data has LLM calls in January 2026');
    await check();
  });

  test('the error groups example lists the groups of a project', async () => {
    const { projectByName } = await graphql(`{ projectByName(name: "support-assistant") { errorGroups(first: 1) { totalCount nodes { fingerprint } } } }`);
    const { page, check } = await open(browser);
    await page.goto(BASE + '/playground');
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.getByRole('button', { name: /^Error groups/ }).click();
    await page.getByRole('tab', { name: /ErrorGroups/ }).waitFor();
    await run(page, 'ErrorGroups');
    const groups = await responseJSON(page);
    assert.equal(groups.errors, undefined);
    assert.equal(groups.data.projectByName.errorGroups.totalCount, projectByName.errorGroups.totalCount);
    assert.equal(groups.data.projectByName.errorGroups.nodes[0].fingerprint, projectByName.errorGroups.nodes[0].fingerprint);
    await check();
  });

  test('the explorer’s GraphQL button opens its query, which runs', async () => {
    const { traces } = await graphql(`{ traces(first: 1) { nodes { id } } }`);
    const id = traces.nodes[0].id;
    const { page, check } = await open(browser);
    await page.goto(`${BASE}/traces/${encodeURIComponent(id)}`);
    await page.getByRole('tree').waitFor();
    await page.getByRole('link', { name: /GraphQL/ }).click();
    await page.waitForURL(BASE + '/playground');
    await page.getByRole('tab', { name: /ExplorerTrace/ }).waitFor();
    await run(page);
    const text = await response(page);
    assert.ok(text.includes(`"id": "${id}"`), `the response is the trace of the page: ${text.slice(0, 300)}`);
    assert.doesNotMatch(text, /"errors"/);

    // A project's sorted and filtered list: the query runs with the page's variables.
    const { projectByName: p } = await graphql(`{ projectByName(name: "research-agent") { id
      traces(first: 1, filter: { hasErrors: true }, orderBy: { field: DURATION, direction: ASC }) { nodes { id } } } }`);
    await page.goto(`${BASE}/projects/${encodeURIComponent(p.id)}?sort=duration&dir=asc&errors=with`);
    await page.getByTestId('trace-row').first().waitFor();
    await page.getByRole('link', { name: /GraphQL/ }).click();
    await page.waitForURL(BASE + '/playground');
    await page.getByRole('tab', { name: /ExplorerProjectTraces/ }).waitFor();
    await run(page, 'ExplorerProjectTraces');
    const list = await responseJSON(page);
    assert.equal(list.errors, undefined);
    assert.equal(list.data.project.traces.nodes[0].id, p.traces.nodes[0].id, 'the shortest failing trace comes first');
    await check();
  });
});
