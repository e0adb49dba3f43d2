package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/graph/fastlist"
	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// Observer receives what the GraphQL layer does, for metrics.
type Observer interface {
	// Operation reports an operation's name and outcome: "ok" or an error code.
	Operation(name, outcome string)
	// Batch reports the number of keys of a dataloader batch.
	Batch(loader string, keys int)
}

// NewHandler serves GraphQL over HTTP (POST, and GET for queries only) on
// store. It panics if opts do not Validate once zero limits take defaults.
//
// fieldMiddleware, if any, wraps the resolution of every field (for
// field-level tracing); the fast list writer, which writes rows without
// resolving their fields, is off for such a server.
func NewHandler(store *db.DB, opts Options, fieldMiddleware ...graphql.FieldMiddleware) http.Handler {
	opts = opts.withDefaults()
	svc := opts.Ingest
	if svc == nil {
		svc = ingest.New(store, ingest.Options{})
	}
	limits := opts.Limits
	cfg := Config{Resolvers: &Resolver{Store: store, Ingest: svc}}
	cfg.Directives.RecordedContent = recordedContent
	srv := handler.New(weighFields(NewExecutableSchema(cfg)))
	srv.AddTransport(optionsTransport{})
	srv.AddTransport(getTransport{})
	srv.AddTransport(postTransport{})
	srv.AddTransport(refusedTransport{}) // last: takes whatever the others do not
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(introspectionPolicy{})
	srv.AroundRootFields(authorizeRootField)
	srv.Use(&ingestAnswers{})
	srv.SetParserTokenLimit(limits.ParserTokens)
	srv.Use(operationNameLimit{})
	srv.Use(repeatLimit{tokens: limits.ParserTokens})
	srv.Use(shapeLimit{maxDepth: limits.MaxDepth, maxAliases: limits.MaxAliases})
	srv.Use(extension.FixedComplexityLimit(limits.MaxComplexity))
	for _, mw := range fieldMiddleware {
		srv.AroundFields(mw)
		srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			return next(fastlist.WithFieldMiddleware(ctx))
		})
	}
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		slog.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(),
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return apperr.New(apperr.Internal, "internal error")
	})
	if obs := opts.Observer; obs != nil {
		srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			resp := next(ctx)
			outcome := "ok"
			if resp != nil && len(resp.Errors) > 0 {
				outcome = operationOutcome(resp.Errors[0].Extensions["code"])
			}
			name := ""
			if graphql.HasOperationContext(ctx) {
				name = graphql.GetOperationContext(ctx).OperationName
			}
			obs.Operation(name, outcome)
			return resp
		})
	}
	var inner http.Handler = omitRequestErrorData(srv)
	if opts.Observer != nil {
		inner = load.Observe(opts.Observer, inner)
	}
	return budget.Middleware(limits.MemoryBytes,
		limitBody(limits.MaxBodyBytes, limits.Timeout, limitInFlight(limits.MaxInFlight, load.Middleware(store, opts.LoaderWait, withArgsMemo(inner)))))
}

// omitRequestErrorData drops the "data": null gqlgen writes with request
// errors (parse, validation, limits: answered 4xx): a request that never ran
// has no data entry, as GraphQL and GraphQL over HTTP require.
func omitRequestErrorData(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&requestErrorWriter{ResponseWriter: w}, r)
	})
}

type requestErrorWriter struct {
	http.ResponseWriter
	status int
}

func (w *requestErrorWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *requestErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Write relies on gqlgen writing a response in one call, errors first.
func (w *requestErrorWriter) Write(b []byte) (int, error) {
	if w.status >= 400 && bytes.HasPrefix(b, []byte(`{"errors":`)) {
		if head, ok := bytes.CutSuffix(b, []byte(`,"data":null}`)); ok {
			if _, err := w.ResponseWriter.Write(head); err != nil {
				return 0, err
			}
			if _, err := w.ResponseWriter.Write([]byte("}")); err != nil {
				return 0, err
			}
			return len(b), nil
		}
	}
	return w.ResponseWriter.Write(b)
}

// presentError gives every error a code in extensions.code and a message safe
// for clients; the cause of internal errors is logged, never sent.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	e := presentErrorCode(ctx, err)
	if id := httpx.RequestID(ctx); id != "" {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["requestId"] = id
	}
	return e
}

func presentErrorCode(ctx context.Context, err error) *gqlerror.Error {
	var appErr *apperr.Error
	if errors.As(err, &appErr) && appErr.Code != apperr.Internal {
		field := appErr.Field
		var wrapped *gqlerror.Error
		if errors.As(err, &wrapped) {
			// A scalar rejected an argument: gqlgen put the argument's path
			// after the field's; a field the scalar names is inside its value.
			if arg := argumentPath(graphql.GetPath(ctx), wrapped.Path); arg != "" {
				field = joinField(arg, field)
			}
		}
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gqlErr.Message = appErr.Message
		gqlErr.Extensions = map[string]any{"code": string(appErr.Code)}
		if field != "" {
			gqlErr.Message = field + ": " + appErr.Message
			gqlErr.Extensions["field"] = field
		}
		return gqlErr
	}
	if code, msg, ok := httpx.Infrastructure(err); ok {
		slog.WarnContext(ctx, "request failed", "path", graphql.GetPath(ctx).String(), "error", err)
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), errors.New(msg))
		gqlErr.Extensions = map[string]any{"code": code}
		return gqlErr
	}
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil && isVariableError(gqlErr) {
		// A variable that does not fit its type is bad input like any other:
		// report it as such, naming the path inside the variable.
		field := strings.TrimPrefix(gqlErr.Path.String(), "variable.")
		gqlErr.Message = field + ": " + gqlErr.Message
		gqlErr.Extensions = map[string]any{"code": string(apperr.InvalidArgument), "field": field}
		return gqlErr
	}
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

// argumentPath returns the part of path after the resolved field's path.
func argumentPath(fieldPath, path ast.Path) string {
	if len(path) <= len(fieldPath) {
		return ""
	}
	return strings.TrimPrefix(path[len(fieldPath):].String(), ".")
}

// joinField appends a path inside a value to the value's path.
func joinField(path, inside string) string {
	if inside == "" || inside[0] == '[' {
		return path + inside
	}
	return path + "." + inside
}

// isVariableError reports whether gqlgen rejected a request variable.
func isVariableError(e *gqlerror.Error) bool {
	return len(e.Path) > 1 && e.Path[0] == ast.PathName("variable")
}
