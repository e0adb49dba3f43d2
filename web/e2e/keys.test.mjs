// The explorer and the playground against a second api that needs an API key
// (ci.sh starts it with a read key made by `api keys create`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KEY, KEYED_BASE, launch, open, screenshot } from './lib.mjs';

const skip = !KEYED_BASE || !KEY ? 'AGENTGRAPH_KEYED_URL and AGENTGRAPH_KEY are not set' : false;
// Chromium logs every 401 answer as a console error; those are expected here.
const allowConsole = [/status of 401/];
const KEY_ITEM = 'agentgraph:apiKey';

let browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function keyedGraphql(query) {
  const res = await fetch(`${KEYED_BASE}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The response pane's whole text once it matches re. */
async function responseMatching(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? ''), re.source);
  return page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
}

describe('api keys', { skip }, () => {
  test('the explorer asks for a key, refuses a wrong one, keeps the right one and forgets it', async () => {
    const res = await fetch(`${KEYED_BASE}/graphql`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"query":"{ projects { totalCount } }"}',
    });
    assert.equal(res.status, 401, 'the keyed server refuses calls without a key');

    const { page, check } = await open(browser, { base: KEYED_BASE, allowConsole });
    await page.goto(KEYED_BASE + '/');
    const prompt = page.getByTestId('key-prompt');
    await prompt.getByRole('heading', { name: 'This server needs an API key' }).waitFor();
    assert.match(await prompt.innerText(), /stored in this browser/);
    assert.match(await prompt.innerText(), /keys create --role read --all-projects/);
    const input = prompt.getByLabel('API key');
    assert.equal(await input.getAttribute('type'), 'password');
    assert.equal(await page.getByTestId('api-key-control').count(), 0, 'no key stored yet');
    await screenshot(page, 'api-key');

    // A wrong key: the server's message, and the form again.
    await input.fill('agk_not-a-real-key');
    await prompt.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('key-error').filter({ hasText: 'unknown or revoked' }).waitFor();
    await prompt.getByLabel('API key').waitFor();

    // The right key: the projects, and the key goes with every call.
    const sent = page.waitForRequest((r) => r.url().endsWith('/graphql') && r.headers().authorization === `Bearer ${KEY}`);
    await prompt.getByLabel('API key').fill(KEY);
    await prompt.getByRole('button', { name: 'Save' }).click();
    await sent;
    const { projects } = await keyedGraphql('{ projects { totalCount } }');
    const cards = page.getByTestId('project-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), projects.totalCount);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY_ITEM), KEY);
    await page.getByTestId('api-key-control').waitFor();

    // Kept across a reload, and used by the other views.
    await page.reload();
    await cards.first().waitFor();
    assert.equal(await prompt.count(), 0);
    await page.getByRole('heading', { name: 'support-assistant', exact: true }).click();
    await page.getByTestId('trace-row').first().waitFor();

    // Forget: the prompt again, and nothing stored.
    await page.getByTestId('api-key-control').getByRole('button', { name: 'Forget' }).click();
    await prompt.getByRole('heading', { name: 'This server needs an API key' }).waitFor();
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY_ITEM), null);
    assert.equal(await page.getByTestId('api-key-control').count(), 0);
    await check();
  });

  test('the playground sends the key stored by the explorer', async () => {
    const { page, check } = await open(browser, { base: KEYED_BASE, allowConsole });
    await page.goto(KEYED_BASE + '/');
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [KEY_ITEM, KEY]);
    await page.goto(KEYED_BASE + '/playground');
    await page.getByTestId('key-bar').getByText('API key stored in this browser').waitFor();
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.operationName === 'TraceTree');
    await page.getByRole('button', { name: /Execute query/ }).click();
    const body = JSON.parse(await responseMatching(page, /"agentCalls"|UNAUTHENTICATED|FORBIDDEN/));
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.ok(body.data.traces.nodes[0].agentCalls, 'the newest trace with its agents');

    // An Authorization header in the headers editor wins over the stored key.
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    const headers = page.locator('.graphiql-editor-tool .CodeMirror:visible');
    await headers.waitFor();
    await headers.evaluate((el, v) => el.CodeMirror.setValue(v), '{"Authorization": "Bearer agk_not-a-real-key"}');
    await page.getByRole('button', { name: /Execute query/ }).click();
    assert.match(await responseMatching(page, /unknown or revoked/), /UNAUTHENTICATED/);
    await check();
  });

  test('the playground shows the 401 and takes a key', async () => {
    const { page, check } = await open(browser, { base: KEYED_BASE, allowConsole });
    await page.goto(KEYED_BASE + '/playground');
    const bar = page.getByTestId('key-bar');
    await bar.getByText('This server needs an API key').waitFor();
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    // GraphiQL shows the server's refusal of the schema request.
    assert.match(await responseMatching(page, /UNAUTHENTICATED/), /an API key is required/);
    await screenshot(page, 'playground-api-key');

    await bar.getByLabel('API key').fill(KEY);
    await bar.getByRole('button', { name: 'Save' }).click();
    await bar.getByText('API key stored in this browser').waitFor();
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.operationName === 'TraceTree');
    await page.getByRole('button', { name: /Execute query/ }).click();
    assert.match(await responseMatching(page, /"agentCalls"/), /"agentCalls"/);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY_ITEM), KEY);
    await check();
  });
});
