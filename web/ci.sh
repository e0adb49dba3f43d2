#!/usr/bin/env bash
# CI for the web explorer and playground (called by .ci/run; runnable alone:
# `bash web/ci.sh`). It
#   1. installs Debian's Chromium when /usr/bin/chromium is missing;
#   2. rebuilds web/dist with `npm ci && npm run build` and fails when the
#      embedded copy in the repository differs from the rebuild (stale assets);
#   3. builds the api, starts it on demo data in a temporary SQLite file on a
#      free port, and a second one on its own file with a read API key made by
#      `api keys create` (so it needs the key), and runs the end-to-end tests
#      (node --test web/e2e/) against both in headless Chromium; then stops
#      the servers.
# Every step has a time limit. Screenshots go to a temporary directory, or to
# docs/screenshots with UPDATE_SCREENSHOTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

step() { printf '\n== web: %s (%ss)\n' "$*" "$SECONDS"; }

tmp=$(mktemp -d)
server_pid=""
keyed_pid=""
stop() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$server_pid"
  stop "$keyed_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "toolchain"
command -v node >/dev/null || { echo "Node.js is not installed (20.19 or newer is needed)"; exit 1; }
command -v go >/dev/null || { echo "Go is not installed"; exit 1; }
node --version
if [ ! -x /usr/bin/chromium ]; then
  timeout 900 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null | grep -i chromium

step "npm ci"
(cd web && timeout 600 npm ci --no-audit --no-fund --loglevel=error)

step "build web/dist"
snapshot() { (cd web/dist 2>/dev/null && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) || true; }
before=$(snapshot)
(cd web && timeout 300 npm run build --silent)
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "web/dist is stale: the build of the sources in web/ differs from the copy in the repository."
  diff <(echo "$before") <(echo "$after") || true
  echo "Run 'cd web && npm ci && npm run build' and commit web/dist."
  exit 1
fi
if [ -n "$(git ls-files web/dist)" ]; then
  changes=$(git status --porcelain -- web/dist)
  if [ -n "$changes" ]; then
    echo "web/dist differs from the committed copy:"; echo "$changes"
    echo "Run 'cd web && npm ci && npm run build' and commit web/dist."
    exit 1
  fi
else
  echo "note: web/dist is not committed yet"
fi
echo "web/dist is current"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# wait_ready PID PORT LOG: waits until the api answers /readyz.
wait_ready() {
  for _ in $(seq 1 120); do
    if ! kill -0 "$1" 2>/dev/null; then break; fi
    if "$tmp/api" healthcheck --url "http://127.0.0.1:$2/readyz" --timeout 1s >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  echo "the api did not become ready on port $2:"; cat "$3"; return 1
}

step "build and start the api on demo data"
timeout 600 go build -o "$tmp/api" ./cmd/api
port=$(free_port)
"$tmp/api" --demo --addr "127.0.0.1:$port" --database-url "sqlite:$tmp/e2e.db" --log-level warn >"$tmp/api.log" 2>&1 &
server_pid=$!
wait_ready "$server_pid" "$port" "$tmp/api.log"
echo "api ready at http://127.0.0.1:$port"

step "start a second api that needs an API key"
# The key is the last word the CLI prints.
key=$(timeout 60 "$tmp/api" keys create --database-url "sqlite:$tmp/keyed.db" --all-projects --role read | awk 'NF { k = $NF } END { print k }')
if [ -z "$key" ]; then echo "api keys create printed no key"; exit 1; fi
keyed_port=$(free_port)
"$tmp/api" --demo --addr "127.0.0.1:$keyed_port" --database-url "sqlite:$tmp/keyed.db" --log-level warn >"$tmp/keyed.log" 2>&1 &
keyed_pid=$!
wait_ready "$keyed_pid" "$keyed_port" "$tmp/keyed.log"
echo "keyed api ready at http://127.0.0.1:$keyed_port"

step "end-to-end tests (node --test web/e2e/)"
shots="$tmp/screenshots"
if [ "${UPDATE_SCREENSHOTS:-}" = 1 ]; then shots="$root/docs/screenshots"; fi
status=0
AGENTGRAPH_URL="http://127.0.0.1:$port" SCREENSHOTS_DIR="$shots" \
  AGENTGRAPH_KEYED_URL="http://127.0.0.1:$keyed_port" AGENTGRAPH_KEY="$key" \
  timeout 600 node --test --test-concurrency=1 --test-timeout=120000 web/e2e/ || status=$?
if [ "$status" != 0 ]; then
  echo "end-to-end tests failed (exit $status); api log:"; tail -n 50 "$tmp/api.log"
  echo "keyed api log:"; tail -n 50 "$tmp/keyed.log"
  exit "$status"
fi
step "done"
