package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/export"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
	"github.com/agentgraph/agentgraph/internal/observe"
	"github.com/agentgraph/agentgraph/internal/otlp"
	"github.com/agentgraph/agentgraph/web"
)

// serve runs the HTTP server until ctx is cancelled, then drains in-flight
// requests for up to cfg.Server.ShutdownTimeout.
func serve(ctx context.Context, cfg Config, logOutput io.Writer) error {
	log := cfg.Log.Logger(logOutput)
	slog.SetDefault(log)

	store, err := db.Open(ctx, cfg.DatabaseURL, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	log.Info("database ready", "dialect", store.Dialect(), "url", db.Redacted(cfg.DatabaseURL))

	svc, err := cfg.Ingest.Service(store)
	if err != nil {
		return err
	}
	if cfg.Server.Demo {
		if err := loadDemo(ctx, store, log); err != nil {
			return err
		}
	}
	go svc.RunRetention(ctx, cfg.Ingest.RetentionInterval)

	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	access, err := accessPolicy(ctx, store, ln.Addr(), cfg.Server.Insecure, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := newHTTPServer(cfg.Server, routes(store, svc, cfg, access), log)
	log.Info("listening", "addr", ln.Addr().String(), "graphql", "http://"+ln.Addr().String()+"/graphql")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing in-flight requests", "timeout", cfg.Server.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// newHTTPServer is the server of handler with cfg's timeouts on the wire.
// Its WriteTimeout only starts the first write's deadline: wireTimeouts
// (in routes) moves it on with every write.
func newHTTPServer(cfg ServerConfig, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// routes mounts every endpoint of the server.
// Every route is measured: requests by status, latency and SQL statements
// (see /metrics), and its requests carry an id into logs and errors.
func routes(store *db.DB, svc *ingest.Service, cfg Config, access auth.Options) http.Handler {
	sqlDB, _ := store.Gorm().DB()
	metrics := observe.NewMetrics(sqlDB, cfg.Log.SlowQuery)
	if err := metrics.InstrumentDB(store.Gorm()); err != nil {
		slog.Warn("SQL metrics unavailable", "error", err)
	}
	store.OnDirectStatement("observe", func(ctx context.Context, s db.DirectStatement) {
		metrics.Statement(ctx, s.Table, int64(s.Rows), s.Took)
	})
	svc.Observe(metrics.Ingestion)
	mux := http.NewServeMux()
	handle := func(pattern, route string, h http.Handler) { mux.Handle(pattern, metrics.Middleware(route, h)) }
	authn := auth.New(store, access)
	opts := cfg.graphOptions()
	opts.Ingest, opts.Observer = svc, metrics
	limits := opts.Limits
	handle("/graphql", "graphql", authn.Middleware(graph.NewHandler(store, opts), graph.WriteDenial))
	// The mutation's input as plain JSON, under the GraphQL handler's limits.
	ingestLimits := httpx.Limits{MaxBodyBytes: limits.MaxBodyBytes, Timeout: limits.Timeout, MemoryBytes: limits.MemoryBytes, MaxInFlight: limits.MaxInFlight}
	handle("/v1/ingest", "ingest", authn.Middleware(ingestapi.NewHandler(svc, ingestLimits), graph.WriteDenial))
	// OTLP and exports have turns of their own, waited for at most a
	// request's time; an export holds a database connection while it streams.
	otlpTurns, exportTurns := turns(limits, limits.Timeout, otlp.WriteDenial), turns(limits, limits.Timeout, httpx.WriteError)
	handle("/v1/traces", "otlp", authn.Middleware(otlpTurns(otlp.NewHandler(svc, cfg.otlpOptions())), otlp.WriteDenial))
	handle("GET /export/{file}", "export", authn.Middleware(exportTurns(budget.Middleware(limits.MemoryBytes, export.Handler(store))), httpx.WriteError))
	handle("GET /metrics", "metrics", authn.Middleware(adminOnly(metrics.Handler()), httpx.WriteError))
	handle("GET /healthz", "health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	}))
	handle("GET /readyz", "health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			slog.WarnContext(ctx, "readiness check failed", "error", err)
			httpx.WriteError(w, r, apperr.New(apperr.Unavailable, "database unavailable"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ready\n")
	}))
	handle("/", "web", webMethods(web.Handler()))
	unknownAPIRoutes(handle)
	return wireTimeouts(cfg.Server.ReadBodyTimeout, cfg.Server.WriteTimeout, mux)
}

// loadDemo fills an empty database with the demo data set, all of it or
// nothing, so an interrupted start never leaves half a data set behind.
func loadDemo(ctx context.Context, store *db.DB, log *slog.Logger) error {
	start := time.Now()
	loaded := false
	err := store.Transaction(ctx, func(tx *db.DB) error {
		// Servers starting together on one database load it once.
		if err := tx.LockExclusive(ctx, "demo"); err != nil {
			return err
		}
		empty, err := demo.Empty(ctx, tx)
		if err != nil || !empty {
			return err
		}
		loaded = true
		return demo.Load(ctx, tx, 1, demo.DefaultScale())
	})
	switch {
	case err != nil:
		return fmt.Errorf("demo: %w", err)
	case loaded:
		log.Info("demo data loaded", "took", time.Since(start).Round(time.Millisecond).String())
	default:
		log.Info("demo data not loaded: the database already has projects")
	}
	return nil
}
