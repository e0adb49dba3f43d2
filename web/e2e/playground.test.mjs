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

/** Waits until GraphiQL's editors (loaded lazily) are up, then runs the active tab. */
async function run(page) {
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  await page.locator('.graphiql-response .CodeMirror').waitFor({ state: 'attached' });
  await page.getByRole('button', { name: /Execute query/ }).click();
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
    await check();
  });
});
