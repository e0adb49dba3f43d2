// Runs the GraphQL-over-HTTP audit of graphql-http (auditServer) against the
// real api binary: builds it (or uses $API_BIN), starts it on a temporary
// SQLite file on a free loopback port, prints every result and exits 1 when
// any audit has status "error". Usage: npm ci && node audit.mjs
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditServer } from 'graphql-http';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'agentgraph-audit-'));
let server;

function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(base, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`api exited (${server.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`api not ready within 60s:\n${log()}`);
}

async function main() {
  let bin = process.env.API_BIN;
  if (!bin) {
    bin = join(tmp, 'api');
    execFileSync('go', ['build', '-o', bin, './cmd/api'], { cwd: root, stdio: 'inherit', timeout: 600_000 });
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  server = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--database-url', `sqlite:${join(tmp, 'audit.db')}`, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => (output += d));
  server.stderr.on('data', (d) => (output += d));
  await waitReady(base, () => output);

  const results = await auditServer({ url: `${base}/graphql` });
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  for (const r of results) {
    counts[r.status]++;
    const line = `${r.status.padEnd(6)} ${r.id} ${r.name}`;
    if (r.status === 'ok') {
      console.log(line);
      continue;
    }
    let body = '';
    try {
      body = await r.response.text();
    } catch {
      // body already read by the audit
    }
    console.log(`${line}\n       reason: ${r.reason}\n       response: ${r.response.status} ${body.slice(0, 300)}`);
  }
  console.log(`\n${results.length} audits: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`);

  server.kill('SIGTERM');
  await new Promise((r) => {
    const timer = setTimeout(r, 10_000);
    server.once('exit', () => { clearTimeout(timer); r(); });
  });
  return counts.error === 0 ? 0 : 1;
}

main()
  .then((code) => { cleanup(); process.exit(code); })
  .catch((err) => { console.error(err); cleanup(); process.exit(1); });
