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

/** Waits until the traces table shows the answer for the current URL. */
const ready = (page) => page.locator('[data-testid=traces-panel][data-state=ready]').waitFor();

/** The global ids of the traces in the table, top to bottom. */
async function rowIds(page) {
  await page.getByTestId('trace-row').first().waitFor();
  return page.locator('[data-testid=trace-row] .trace-link')
    .evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname.split('/')[2])));
}

/** The explorer's percentages under locale en-US. */
const percent = (r) => (r === 0 ? '0%' : r * 100 < 10 ? `${+(r * 100).toFixed(1)}%` : `${Math.round(r * 100)}%`);

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
    // The header's numbers are the project's rollups.
    const { projectByName: ps } = await graphql(`{ projectByName(name: "support-assistant") {
      stats { traceCount errorRate cost { total } } } }`);
    assert.equal(await page.getByTestId('stat-traces').locator('.stat-value').innerText(), String(ps.stats.traceCount));
    assert.equal(await page.getByTestId('stat-error-rate').locator('.stat-value').innerText(), percent(ps.stats.errorRate));
    assert.equal(await page.getByTestId('stat-cost').locator('.stat-value').innerText(), usd(ps.stats.cost.total));
    assert.match(await page.getByTestId('stat-p50').innerText(), /\d/);
    assert.match(await page.getByTestId('stat-p99').innerText(), /\d/);
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
      totalCost totalTokens stats { llmCallCount errorCount }
      agentCalls { totalCount nodes { id name } } toolCalls { totalCount } userInteractions { totalCount }
      llmCalls { totalCount nodes { id model inputPrompt agentCall { id } tokenUsage { total } cost { total } } } } }`, { id: traceId });
    const items = tree.getByRole('treeitem');
    assert.equal(await items.count(),
      1 + trace.agentCalls.totalCount + trace.llmCalls.totalCount + trace.toolCalls.totalCount + trace.userInteractions.totalCount);
    for (const a of trace.agentCalls.nodes) {
      assert.equal(await tree.locator(`[data-node-id="${a.id}"][data-kind="agent"]`).count(), 1, `agent ${a.name} in the tree`);
    }
    // The header's totals are the trace's rollups.
    const statValue = (id) => page.getByTestId(id).locator('.stat-value').innerText();
    assert.equal(await statValue('trace-cost'), usd(trace.totalCost));
    assert.equal(await statValue('trace-tokens'), trace.totalTokens.toLocaleString('en-US'));
    assert.equal(await statValue('trace-errors-count'), String(trace.stats.errorCount));
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
    const ids = () => rowIds(page);
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

  test('a click on a column sorts by it; cursors follow the order', async () => {
    const { projectByName: p } = await graphql(`{ projectByName(name: "code-reviewer") { id
      all: traces(first: 100) { nodes { id totalCost } }
      desc: traces(first: 4, orderBy: { field: COST, direction: DESC }) { nodes { id } }
      asc: traces(first: 2, orderBy: { field: COST, direction: ASC }) { nodes { id } } } }`);
    const highest = p.all.nodes.reduce((a, b) => (b.totalCost > a.totalCost ? b : a));
    const { page, check, graphqlRequests } = await open(browser);
    await page.goto(`${BASE}/projects/${encodeURIComponent(p.id)}?size=2`);
    await ready(page);
    const cost = page.locator('.traces-table th', { hasText: 'Cost' });
    assert.equal(await cost.getAttribute('aria-sort'), null);
    assert.equal(await page.locator('.traces-table th', { hasText: 'Started' }).getAttribute('aria-sort'), 'descending');
    const requests = graphqlRequests.length;

    // Highest cost first: the first row is the most expensive trace of the project.
    await page.getByTestId('sort-cost').click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'cost' && !u.searchParams.has('dir'));
    await ready(page);
    assert.equal(await cost.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await rowIds(page), p.desc.nodes.slice(0, 2).map((t) => t.id));
    assert.equal((await rowIds(page))[0], highest.id);
    assert.equal(await page.getByTestId('row-cost').first().innerText(), usd(highest.totalCost));
    assert.match(await page.getByTestId('traces-order').innerText(), /most expensive first/);

    // The next page continues in cost order.
    await page.getByTestId('page-next').click();
    await page.waitForURL((u) => u.searchParams.has('after') && u.searchParams.get('sort') === 'cost');
    await ready(page);
    assert.deepEqual(await rowIds(page), p.desc.nodes.slice(2, 4).map((t) => t.id));

    // A second click reverses the order and starts again from the first page.
    await page.getByTestId('sort-cost').click();
    await page.waitForURL((u) => u.searchParams.get('dir') === 'asc' && !u.searchParams.has('after'));
    await ready(page);
    assert.equal(await cost.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await rowIds(page), p.asc.nodes.map((t) => t.id));

    // The URL keeps the order: a reload shows the same list; back the previous one.
    await page.reload();
    await ready(page);
    assert.deepEqual(await rowIds(page), p.asc.nodes.map((t) => t.id));
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.has('after'));
    await ready(page);
    assert.deepEqual(await rowIds(page), p.desc.nodes.slice(2, 4).map((t) => t.id));
    assert.equal(graphqlRequests.length - requests, 5, 'one request per list shown');
    await check();
  });

  test('filters narrow the table, live in the URL, and back undoes them', async () => {
    const { projectByName: p } = await graphql(`{ projectByName(name: "support-assistant") { id
      stats { traceCount }
      failing: traces(filter: { hasErrors: true }) { totalCount nodes { id stats { errorCount } } }
      shipping: traces(filter: { hasErrors: true, search: "shipping" }) { totalCount nodes { id } }
      costly: traces(filter: { cost: { min: 0.0025 } }) { totalCount nodes { id } } } }`);
    assert.ok(p.failing.totalCount > 0 && p.failing.totalCount < p.stats.traceCount, 'the demo data has traces with and without errors');
    const { page, check, graphqlRequests } = await open(browser);
    const url = `${BASE}/projects/${encodeURIComponent(p.id)}`;
    await page.goto(url);
    await ready(page);
    const rows = page.getByTestId('trace-row');
    assert.equal(await rows.count(), p.stats.traceCount);
    const requests = graphqlRequests.length;

    // With errors: only the failing traces, each with its errors shown.
    await page.getByTestId('errors-with').click();
    await page.waitForURL((u) => u.searchParams.get('errors') === 'with');
    await ready(page);
    assert.deepEqual(await rowIds(page), p.failing.nodes.map((t) => t.id));
    for (const [i, t] of p.failing.nodes.entries()) {
      assert.equal(await page.getByTestId('row-errors').nth(i).innerText(), String(t.stats.errorCount));
    }
    assert.equal(await page.getByTestId('errors-with').getAttribute('aria-pressed'), 'true');
    assert.match(await page.getByTestId('traces-order').innerText(),
      new RegExp(`${p.failing.totalCount} of ${p.stats.traceCount} match`));
    await screenshot(page, 'project-filtered');

    // Text search adds to it (Enter applies).
    await page.getByTestId('filter-search').fill('shipping');
    await page.getByTestId('filter-search').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'shipping' && u.searchParams.get('errors') === 'with');
    await ready(page);
    assert.deepEqual(await rowIds(page), p.shipping.nodes.map((t) => t.id));

    // Back: the errors filter alone, then the whole project; forward again.
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('q') && u.searchParams.get('errors') === 'with');
    await ready(page);
    assert.deepEqual(await rowIds(page), p.failing.nodes.map((t) => t.id));
    assert.equal(await page.getByTestId('filter-search').inputValue(), '');
    await page.goBack();
    await page.waitForURL(url);
    await ready(page);
    assert.equal(await rows.count(), p.stats.traceCount);
    assert.equal(await page.getByTestId('errors-all').getAttribute('aria-pressed'), 'true');
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.get('errors') === 'with');
    await ready(page);
    assert.equal(await rows.count(), p.failing.totalCount);

    // A minimum cost, and Clear filters.
    await page.getByTestId('filters-clear').click();
    await page.waitForURL(url);
    await page.getByTestId('filter-min-cost').fill('0.0025');
    await page.getByTestId('filter-min-cost').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('minCost') === '0.0025');
    await ready(page);
    assert.deepEqual(await rowIds(page), p.costly.nodes.map((t) => t.id));

    // Nothing matches: an empty state that clears the filters.
    await page.getByTestId('filter-min-cost').fill('1000');
    await page.getByTestId('filter-min-cost').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('minCost') === '1000');
    await page.getByTestId('empty-state').getByText('No traces match these filters').waitFor();
    await page.getByTestId('empty-state').getByRole('button', { name: 'Clear the filters' }).click();
    await page.waitForURL(url);
    await ready(page);
    assert.equal(await rows.count(), p.stats.traceCount);
    assert.equal(graphqlRequests.length - requests, 9, 'one request per list shown');
    await check();
  });

  test('missing things show clear states', async () => {
    // A bad id or cursor is bad input: 400, shown as the not-found and cursor states.
    const { page, check } = await open(browser, { allowConsole: [/status of 404/, /status of 400/] });
    await page.goto(`${BASE}/traces/VHJhY2U6OTk5OTk`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /Trace not found/);
    await page.goto(`${BASE}/projects/not-an-id`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /Project not found/);
    // A cursor from another order: the list is refused, with a way back.
    await page.goto(`${BASE}/projects/UHJvamVjdDox?sort=cost&after=bm90LWEtY3Vyc29y`);
    await page.getByTestId('error-state').waitFor();
    assert.match(await page.getByTestId('error-state').innerText(), /These traces cannot be listed/);
    await page.getByTestId('error-state').getByRole('link', { name: 'First page' }).click();
    await page.waitForURL(`${BASE}/projects/UHJvamVjdDox?sort=cost`);
    await ready(page);
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
    // A project's table with its filter bar: the table scrolls inside its panel, not the page.
    await page.getByRole('heading', { name: 'support-assistant', exact: true }).click();
    await page.getByTestId('trace-filters').waitFor();
    await page.getByTestId('errors-with').click();
    await page.waitForURL((u) => u.searchParams.get('errors') === 'with');
    await ready(page);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 1);
    await check();
  });
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
