package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// accessPolicy decides who may call a server listening on addr. Without
// API keys only loopback is safe: anywhere else the server refuses to
// start unless told --insecure.
func accessPolicy(ctx context.Context, store *db.DB, addr net.Addr, insecure bool, log *slog.Logger) (auth.Options, error) {
	loopback := isLoopback(addr)
	hasKeys, err := store.HasActiveAPIKeys(ctx)
	if err != nil {
		return auth.Options{}, fmt.Errorf("read API keys: %w", err)
	}
	switch {
	case hasKeys:
		log.Info("API keys exist: every request needs one (Authorization: Bearer)")
	case loopback:
		log.Info("no API keys: accepting anonymous requests on loopback only; create a key with 'api keys create' before listening elsewhere")
	case insecure:
		log.Warn("no API keys and --insecure: anyone who can reach this address may read and write everything", "addr", addr.String())
	default:
		return auth.Options{}, fmt.Errorf("refusing to listen on %s without API keys: anyone reaching it could read and write everything; "+
			"create a key with 'api keys create --role admin --all-projects', listen on 127.0.0.1, or pass --insecure", addr)
	}
	return auth.Options{AllowAnonymous: loopback || insecure, AnonymousIntrospection: loopback}, nil
}

func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// adminOnly keeps operational endpoints to admin keys (and to the
// anonymous caller of a server without keys).
func adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !auth.From(r.Context()).CanAdmin() {
			httpx.WriteError(w, r, apperr.New(apperr.Forbidden, "this endpoint needs an API key with the admin role"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
