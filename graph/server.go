package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Options tunes the GraphQL handler.
type Options struct {
	// LoaderWait is how long a loader collects keys before it runs its batch.
	LoaderWait time.Duration
}

// DefaultOptions returns the options used when none are given.
func DefaultOptions() Options {
	return Options{LoaderWait: 2 * time.Millisecond}
}

// NewHandler serves GraphQL over HTTP (POST, and GET for queries only) on store.
func NewHandler(store *db.DB, opts Options) http.Handler {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Store: store}}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{UseGrapQLResponseJsonByDefault: true})
	srv.AddTransport(transport.POST{UseGrapQLResponseJsonByDefault: true})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		slog.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(),
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return apperr.New(apperr.Internal, "internal error")
	})
	return LoadersMiddleware(store, opts.LoaderWait, srv)
}

// presentError gives every error a code in extensions.code and a message safe
// for clients; the cause of internal errors is logged, never sent.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var appErr *apperr.Error
	if errors.As(err, &appErr) && appErr.Code != apperr.Internal {
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gqlErr.Message = appErr.Error()
		gqlErr.Extensions = map[string]any{"code": string(appErr.Code)}
		if appErr.Field != "" {
			gqlErr.Extensions["field"] = appErr.Field
		}
		return gqlErr
	}
	if code, msg, ok := infrastructureError(err); ok {
		slog.WarnContext(ctx, "request failed", "path", graphql.GetPath(ctx).String(), "error", err)
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), errors.New(msg))
		gqlErr.Extensions = map[string]any{"code": code}
		return gqlErr
	}
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// gqlgen's own errors (parse, validation, variable coercion) wrap no
		// cause and are safe to show; they carry their own codes.
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		if _, ok := gqlErr.Extensions["code"]; !ok {
			gqlErr.Extensions["code"] = string(apperr.Internal)
		}
		return gqlErr
	}
	slog.ErrorContext(ctx, "internal error", "path", graphql.GetPath(ctx).String(), "error", err)
	out := gqlerror.WrapPath(graphql.GetPath(ctx), errors.New("internal error"))
	out.Extensions = map[string]any{"code": string(apperr.Internal)}
	return out
}

// infrastructureError recognizes failures of the environment rather than of
// the request: timeouts and an unreachable database.
func infrastructureError(err error) (code, message string, ok bool) {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "TIMEOUT", "the request took too long and was stopped", true
	case errors.Is(err, context.Canceled):
		return "CANCELLED", "the request was cancelled", true
	case errors.As(err, &netErr):
		return string(apperr.Unavailable), "the database is unavailable; retry later", true
	}
	return "", "", false
}
