// Helpers of the end-to-end tests: a headless Chromium (Debian's, driven by
// playwright-core) and a guard that fails a test on any request that leaves
// the api server, any uncaught page error and any console error.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The api under test, started by ci.sh with --demo. */
export const BASE = (process.env.AGENTGRAPH_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');

/** A second api on demo data that needs an API key, and a read key for it (ci.sh makes both). */
export const KEYED_BASE = process.env.AGENTGRAPH_KEYED_URL?.replace(/\/$/, '');
export const KEY = process.env.AGENTGRAPH_KEY;

/** Where screenshots go: SCREENSHOTS_DIR, or nowhere. */
const SHOTS = process.env.SCREENSHOTS_DIR;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A new page in its own context (fresh storage), with a guard: requests to
 * any origin other than base's are aborted and recorded; page errors and console errors
 * are recorded. Call check() at the end of the test.
 */
export async function open(browser, { width = 1440, height = 900, allowConsole = [], base = BASE } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const origin = new URL(base).origin;
  const external = [];
  const errors = [];
  const graphqlRequests = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url === origin) return route.continue();
    external.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith(origin + '/graphql')) graphqlRequests.push(req.postDataJSON()?.query ?? url);
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) external.push(url);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allowConsole.some((re) => re.test(text))) return;
    errors.push(`console error: ${text}`);
  });
  return {
    page,
    context,
    /** The GraphQL documents the page sent, in order. */
    graphqlRequests,
    /** Fails on external requests, page errors and console errors; closes the context. */
    async check() {
      await context.close();
      assert.deepEqual([...new Set(external)], [], 'the page made requests to other origins');
      assert.deepEqual(errors, [], 'the page logged errors');
    },
  };
}

export async function screenshot(page, name, opts = {}) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), ...opts });
}

/** Runs a GraphQL query against the api from the test process. */
export async function graphql(query, variables = {}) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The formats the explorer uses under locale en-US. */
export function usd(v) {
  if (v === 0) return '$0';
  const abs = Math.abs(v);
  let s;
  if (abs >= 100) s = abs.toFixed(0);
  else if (abs >= 1) s = abs.toFixed(2);
  else if (abs >= 0.01) s = abs.toFixed(4);
  else s = abs.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
  return '$' + s;
}
