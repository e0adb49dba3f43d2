// The explorer at /, in headless Chromium against the api on demo data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, graphql, launch, open, screenshot, usd } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const path = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

describe('explorer', () => {
  test('lists the projects with their rollups', async () => {
    const { page, check } = await open(browser);
    const { projects } = await graphql(`{ projects { totalCount nodes { projectName totalCost totalTokens traces(first: 0) { totalCount } errors(first: 0) { totalCount } } } }`);
    await page.goto(BASE + '/');
    const cards = page.getByTestId('project-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), projects.totalCount);
    for (const p of projects.nodes) {
      const card = cards.filter({ has: page.getByRole('heading', { name: p.projectName, exact: true }) });
      assert.equal(await card.count(), 1, `card of ${p.projectName}`);
      assert.equal(await card.getByTestId('project-traces').innerText(), String(p.traces.totalCount));
      assert.equal(await card.getByTestId('project-cost').innerText(), usd(p.totalCost));
      assert.match(await card.innerText(), new RegExp(`${p.errors.totalCount} errors`));
      assert.match(await card.innerText(), /latest traces/i);
    }
    assert.equal(await page.title(), 'Projects · agentgraph');
    await screenshot(page, 'projects');
    await check();
  });

  test('project → trace → LLM call, then back and forward', async () => {
    const { page, check, graphqlRequests } = await open(browser);
    await page.goto(BASE + '/');
    await page.getByRole('heading', { name: 'support-assistant', exact: true }).click();
    await page.waitForURL(/\/projects\/[^/?]+$/);
    assert.equal(await page.getByTestId('project-name').innerText(), 'support-assistant');
    const rows = page.getByTestId('trace-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 6);
    const headers = await page.locator('.traces-table thead th').allInnerTexts();
    for (const h of ['Trace', 'Started', 'Duration', 'Agents', 'LLM', 'Tools', 'Errors', 'Tokens', 'Cost']) {
      assert.ok(headers.includes(h), `column ${h} in ${headers}`);
    }
    await screenshot(page, 'project');
    const projectURL = path(page);

    // The newest trace: open it by clicking its row. Each view makes one request.
    assert.equal(graphqlRequests.length, 2, 'one request for the projects, one for the project');
    await rows.first().locator('td').nth(1).click();
    await page.waitForURL(/\/traces\/[^/?]+$/);
    const traceId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    const tree = page.getByRole('tree', { name: 'Calls of the trace' });
    await tree.waitFor();
    const { trace } = await graphql(`query($id: ID!) { trace(id: $id) {
      agentCalls { totalCount nodes { id name } } toolCalls { totalCount } userInteractions { totalCount }
      llmCalls { totalCount nodes { id model inputPrompt agentCall { id } tokenUsage { total } cost { total } } } } }`, { id: traceId });
    const items = tree.getByRole('treeitem');
    assert.equal(await items.count(),
      1 + trace.agentCalls.totalCount + trace.llmCalls.totalCount + trace.toolCalls.totalCount + trace.userInteractions.totalCount);
    for (const a of trace.agentCalls.nodes) {
      assert.equal(await tree.locator(`[data-node-id="${a.id}"][data-kind="agent"]`).count(), 1, `agent ${a.name} in the tree`);
    }
    // The trace is selected first: its metrics and system info show.
    await page.getByTestId('metrics').waitFor();
    await page.getByTestId('packages').waitFor();

    // An LLM call made by an agent sits below its agent, and selecting it shows
    // its prompt, tokens and cost.
    const call = trace.llmCalls.nodes.find((c) => c.agentCall);
    const agentRow = tree.locator(`[data-node-id="${call.agentCall.id}"]`);
    assert.equal(await agentRow.getAttribute('aria-level'), '2');
    const row = tree.locator(`[data-node-id="${call.id}"]`);
    assert.equal(await row.getAttribute('aria-level'), '3');
    await row.click();
    await page.waitForURL((u) => u.searchParams.get('node') === call.id);
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    const detail = page.getByTestId('detail');
    assert.equal(await detail.getAttribute('data-node-id'), call.id);
    assert.equal(await page.getByTestId('detail-title').innerText(), call.model);
    const prompt = await page.getByTestId('prompt').locator('pre').innerText();
    assert.ok(prompt.startsWith(call.inputPrompt.slice(0, 60)), `prompt shown: ${prompt.slice(0, 80)}`);
    assert.equal(await page.getByTestId('tokens-total').innerText(), call.tokenUsage.total.toLocaleString('en-US'));
    assert.equal(await page.getByTestId('cost-total').innerText(), usd(call.cost.total));
    await screenshot(page, 'trace');
    assert.equal(graphqlRequests.length, 3, 'one request for the trace view, none to select a call');
    assert.match(graphqlRequests[2], /query ExplorerTrace/);

    // Selecting replaces the history entry: back leaves the trace.
    await page.goBack();
    await page.waitForURL((u) => u.pathname + u.search === projectURL);
    await page.getByTestId('traces-table').waitFor();
    assert.equal(await page.getByTestId('project-name').innerText(), 'support-assistant');
    await page.goBack();
    await page.waitForURL(BASE + '/');
    await page.getByTestId('project-card').first().waitFor();
    await page.goForward();
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.get('node') === call.id);
    assert.equal(await page.getByTestId('detail').getAttribute('data-node-id'), call.id);
    await check();
  });

  test('a deep link to a failing call shows the call and its error', async () => {
    const { traces } = await graphql(`{ traces(first: 50) { nodes { id errors { nodes { errorMessage llmCall { id model } toolCall { id name } } } } } }`);
    const trace = traces.nodes.find((t) => t.errors.nodes.some((e) => e.toolCall));
    assert.ok(trace, 'the demo data has a trace with a failed tool call');
    const err = trace.errors.nodes.find((e) => e.toolCall);
    const { page, check } = await open(browser);
    await page.goto(`${BASE}/traces/${encodeURIComponent(trace.id)}?node=${encodeURIComponent(err.toolCall.id)}`);
    const detail = page.getByTestId('detail');
    await detail.waitFor();
    assert.equal(await detail.getAttribute('data-node-id'), err.toolCall.id);
    assert.equal(await page.getByTestId('detail-title').innerText(), err.toolCall.name);
    assert.match(await page.getByTestId('node-errors').innerText(), new RegExp(escape(err.errorMessage.slice(0, 40))));
    const row = page.locator(`[role=treeitem][data-node-id="${err.toolCall.id}"]`);
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    assert.match(await row.getAttribute('class'), /has-error/);
    await page.getByTestId('tool-input').waitFor();
    // A reload keeps the selection.
    await page.reload();
    await page.getByTestId('detail').waitFor();
    assert.equal(await page.getByTestId('detail').getAttribute('data-node-id'), err.toolCall.id);
    // The keyboard moves the selection.
    await page.getByRole('tree').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForURL((u) => u.searchParams.get('node') !== err.toolCall.id);
    await check();
  });

  test('traces are paged with cursors', async () => {
    const { projectByName: p } = await graphql(`{ projectByName(name: "research-agent") { id traces(first: 6) { nodes { id } } } }`);
    const all = p.traces.nodes.map((t) => t.id);
    const { page, check } = await open(browser);
    const ids = async () => {
      await page.getByTestId('trace-row').first().waitFor();
      return page.locator('[data-testid=trace-row] .trace-link').evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname.split('/')[2])));
    };
    await page.goto(`${BASE}/projects/${encodeURIComponent(p.id)}?size=2`);
    assert.deepEqual(await ids(), all.slice(0, 2));
    assert.match(await page.locator('.pager-summary').innerText(), /2 of 6 traces/);
    await page.getByTestId('page-next').click();
    await page.waitForURL(/after=/);
    await page.waitForFunction((first) => !document.body.innerHTML.includes(first), encodeURIComponent(all[0]));
    assert.deepEqual(await ids(), all.slice(2, 4));
    await page.getByTestId('page-next').click();
    await page.waitForFunction((first) => !document.body.innerHTML.includes(first), encodeURIComponent(all[2]));
    assert.deepEqual(await ids(), all.slice(4, 6));
    assert.equal(await page.getByTestId('page-next').count(), 0, 'no page after the last');
    await page.getByTestId('page-prev').click();
    await page.waitForURL(/before=/);
    await page.waitForFunction((first) => !document.body.innerHTML.includes(first), encodeURIComponent(all[4]));
    assert.deepEqual(await ids(), all.slice(2, 4));
    await page.goBack();
    await page.waitForFunction((first) => document.body.innerHTML.includes(first), encodeURIComponent(all[4]));
    assert.deepEqual(await ids(), all.slice(4, 6));
    await check();
  });

  test('missing things show clear states', async () => {
    const { page, check } = await open(browser, { allowConsole: [/status of 404/] });
    await page.goto(`${BASE}/traces/VHJhY2U6OTk5OTk`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /Trace not found/);
    await page.goto(`${BASE}/projects/not-an-id`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /Project not found/);
    await page.goto(`${BASE}/no/such/page`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /No page here/);
    const asset = await page.request.get(`${BASE}/assets/missing-0000.js`);
    assert.equal(asset.status(), 404);
    await check();
  });

  test('loading, failure and empty states', async () => {
    const { page, check } = await open(browser, { allowConsole: [/status of 503/] });
    // A slow API: the spinner shows until the answer comes.
    let release;
    const held = new Promise((r) => (release = r));
    await page.route('**/graphql', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(BASE + '/');
    await page.getByTestId('loading').getByText('Loading projects').waitFor();
    release();
    await page.getByTestId('project-card').first().waitFor();
    await page.unroute('**/graphql');

    // A failing API: an error with a retry that works once the API is back.
    await page.route('**/graphql', (route) => route.fulfill({ status: 503, contentType: 'text/plain', body: 'unavailable' }));
    await page.reload();
    const error = page.getByTestId('error-state');
    await error.waitFor();
    assert.match(await error.innerText(), /Could not load the projects/);
    assert.match(await error.innerText(), /HTTP 503/);
    await page.unroute('**/graphql');
    await error.getByRole('button', { name: 'Try again' }).click();
    await page.getByTestId('project-card').first().waitFor();

    // A project without traces.
    const name = `e2e-empty-${Date.now()}`;
    const { createProject } = await graphql(`mutation($name: String!) { createProject(input: { name: $name }) { id } }`, { name });
    await page.goto(`${BASE}/projects/${encodeURIComponent(createProject.id)}`);
    await page.getByTestId('empty-state').waitFor();
    assert.match(await page.getByTestId('empty-state').innerText(), /No traces in this project/);
    await graphql(`mutation($id: ID!) { deleteProject(id: $id) { deletedId } }`, { id: createProject.id });
    await check();
  });

  test('stays usable on a narrow screen', async () => {
    const { trace } = await graphql(`{ trace: traces(first: 1) { nodes { id llmCalls(first: 1) { nodes { id model } } } } }`);
    const t = trace.nodes[0];
    const { page, check } = await open(browser, { width: 390, height: 844 });
    await page.goto(`${BASE}/traces/${encodeURIComponent(t.id)}`);
    await page.getByRole('tree').waitFor();
    await page.locator(`[role=treeitem][data-node-id="${t.llmCalls.nodes[0].id}"]`).click();
    await page.waitForURL((u) => u.searchParams.get('node') === t.llmCalls.nodes[0].id);
    assert.equal(await page.getByTestId('detail-title').innerText(), t.llmCalls.nodes[0].model);
    assert.ok(await page.getByTestId('prompt').isVisible());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
    await screenshot(page, 'trace-narrow');
    await page.goto(BASE + '/');
    await page.getByTestId('project-card').first().waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 1);
    await check();
  });
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
