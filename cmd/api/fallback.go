package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/export"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// turns returns a wrapper giving an endpoint its own turns, as many as
// /graphql's and shared fairly between clients (httpx.Turns), waited for
// at most wait; deny answers the refused in the endpoint's format.
func turns(limits graph.Limits, wait time.Duration, deny func(http.ResponseWriter, *http.Request, *apperr.Error)) func(http.Handler) http.Handler {
	return httpx.Turns(limits.InFlight(), wait, deny)
}

// unknownAPIRoutes answers paths and methods no endpoint serves with a
// coded error instead of the mux's plain text (or the web explorer's page).
func unknownAPIRoutes(handle func(pattern, route string, h http.Handler)) {
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, apperr.New(apperr.NotFound, "no endpoint at this path: see the API's endpoints (/graphql, /v1/ingest, /v1/traces, /export/..., /metrics)"))
	})
	handle("/v1/", "unknown", notFound)
	handle("/graphql/", "unknown", notFound)
	handle("/export/", "export", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, r)
			return
		}
		httpx.WriteError(w, r, export.UnknownExport(strings.TrimPrefix(r.URL.Path, "/export/")))
	}))
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		handle(path, "unknown", http.HandlerFunc(methodNotAllowed))
	}
}

// methodNotAllowed refuses a method other than GET (or HEAD).
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	httpx.WriteError(w, r, apperr.New(apperr.MethodNotAllowed, "use GET"))
}

// webMethods refuses, as coded errors, methods the web explorer does not serve.
func webMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
