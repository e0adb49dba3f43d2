// Package httpx is the HTTP plumbing every endpoint shares: reading a
// request body within its limits (gzip included), answering a refusal with
// the status of its apperr code, and the in-flight cap and time limit
// around a handler. GraphQL, POST /v1/ingest, OTLP and the exports use it,
// so that these rules are written once.
package httpx
