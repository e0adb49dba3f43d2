package observe

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// Metrics are the server's Prometheus collectors.
type Metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	statements    prometheus.Histogram
	batchSizes    *prometheus.HistogramVec
	ingested      *prometheus.CounterVec
	rejected      *prometheus.CounterVec
	slowThreshold time.Duration

	// operationNames bounds the operation label.
	operationNames labelSet
}

// MaxOperationNames bounds the operation label: the first this many
// distinct operation names are counted by name, later ones as "other", so
// clients naming every request anew cannot grow the metrics.
const MaxOperationNames = 100

// labelSet keeps the first max distinct values of a label.
type labelSet struct {
	mu   sync.RWMutex
	seen map[string]struct{}
	max  int
}

// label is v if v is one of the first max values seen, else "other".
func (s *labelSet) label(v string) string {
	s.mu.RLock()
	_, ok := s.seen[v]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v
	}
	if len(s.seen) >= s.max {
		return "other"
	}
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	s.seen[v] = struct{}{}
	return v
}

// NewMetrics registers the collectors, including the pool statistics of db.
func NewMetrics(db *sql.DB, slowQuery time.Duration) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgraph_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "agentgraph_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"route"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgraph_graphql_operations_total", Help: "GraphQL operations by name and outcome (ok or an error code).",
		}, []string{"operation", "outcome"}),
		statements: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "agentgraph_sql_statements_per_request", Help: "SQL statements run for one HTTP request.",
			Buckets: []float64{0, 1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		batchSizes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "agentgraph_dataloader_batch_size", Help: "Keys per dataloader batch, by loader.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}, []string{"loader"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgraph_ingested_traces_total", Help: "Traces written, by source.",
		}, []string{"source"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgraph_ingest_rejections_total", Help: "Ingestion requests or spans refused, by source.",
		}, []string{"source"}),
		slowThreshold: slowQuery,

		operationNames: labelSet{max: MaxOperationNames},
	}
	m.registry.MustRegister(m.requests, m.latency, m.operations, m.statements, m.batchSizes, m.ingested, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "agentgraph"))
	}
	return m
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Operation counts a GraphQL operation and its outcome. outcome must come
// from a fixed set (the caller's); name may be anything, it is bounded here.
func (m *Metrics) Operation(name, outcome string) {
	if name == "" {
		name = "anonymous"
	}
	m.operations.WithLabelValues(m.operationNames.label(name), outcome).Inc()
}

// Batch records the size of a dataloader batch.
func (m *Metrics) Batch(loader string, keys int) {
	m.batchSizes.WithLabelValues(loader).Observe(float64(keys))
}

// Ingestion counts the traces an ingestion wrote, or the request it
// refused, labelled by the endpoint it came through.
func (m *Metrics) Ingestion(ctx context.Context, traces int, err error) {
	source := Route(ctx)
	if source == "" {
		source = "internal"
	}
	if err != nil {
		m.rejected.WithLabelValues(source).Inc()
		return
	}
	m.ingested.WithLabelValues(source).Add(float64(traces))
}

type statementsKey struct{}

// Middleware gives each request an id (X-Request-Id, kept from the client
// when it looks sane), counts it by route and status, times it, and counts
// its SQL statements. route names the endpoint in the metrics.
func (m *Metrics) Middleware(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		var statements atomic.Int64
		ctx := context.WithValue(httpx.WithRequestID(r.Context(), id), statementsKey{}, &statements)
		ctx = context.WithValue(ctx, routeKey{}, route)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		serveRecovered(rec, r.WithContext(ctx), next)
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		m.statements.Observe(float64(statements.Load()))
	})
}

// InstrumentDB counts every statement against its request and logs the
// slow ones with their request id. Statements the store runs without GORM
// come through Statement.
func (m *Metrics) InstrumentDB(g *gorm.DB) error {
	before := func(tx *gorm.DB) { tx.InstanceSet("observe:start", time.Now()) }
	after := func(tx *gorm.DB) {
		if v, ok := tx.InstanceGet("observe:start"); ok {
			m.Statement(tx.Statement.Context, tx.Statement.Table, tx.RowsAffected, time.Since(v.(time.Time)))
		}
	}
	cb := g.Callback()
	for _, reg := range []struct {
		before, after func() error
	}{
		{func() error { return cb.Query().Before("gorm:query").Register("observe:before", before) }, func() error { return cb.Query().After("gorm:query").Register("observe:after", after) }},
		{func() error { return cb.Row().Before("gorm:row").Register("observe:before", before) }, func() error { return cb.Row().After("gorm:row").Register("observe:after", after) }},
		{func() error { return cb.Raw().Before("gorm:raw").Register("observe:before", before) }, func() error { return cb.Raw().After("gorm:raw").Register("observe:after", after) }},
		{func() error { return cb.Create().Before("gorm:create").Register("observe:before", before) }, func() error { return cb.Create().After("gorm:create").Register("observe:after", after) }},
		{func() error { return cb.Update().Before("gorm:update").Register("observe:before", before) }, func() error { return cb.Update().After("gorm:update").Register("observe:after", after) }},
		{func() error { return cb.Delete().Before("gorm:delete").Register("observe:before", before) }, func() error { return cb.Delete().After("gorm:delete").Register("observe:after", after) }},
	} {
		if err := reg.before(); err != nil {
			return err
		}
		if err := reg.after(); err != nil {
			return err
		}
	}
	return nil
}

// Statement counts one statement against its request and logs it if slow.
func (m *Metrics) Statement(ctx context.Context, table string, rows int64, took time.Duration) {
	if n, ok := ctx.Value(statementsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	if m.slowThreshold > 0 && took > m.slowThreshold {
		slog.WarnContext(ctx, "slow query", "took", took.Round(time.Millisecond).String(), "table", table, "rows", rows)
	}
}

// serveRecovered serves r, answering a handler's panic with a coded 500
// while nothing has been sent; after that, the connection is cut.
func serveRecovered(rec *statusRecorder, r *http.Request, next http.Handler) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			panic(p) // the handler ends the answer on purpose
		}
		msg := fmt.Sprint(p)
		if len(msg) > 1024 {
			msg = msg[:1024]
		}
		slog.ErrorContext(r.Context(), "panic in handler", "panic", msg, "stack", string(debug.Stack()))
		if rec.wrote {
			panic(http.ErrAbortHandler)
		}
		httpx.WriteError(rec, r, apperr.New(apperr.Internal, "internal error"))
	}()
	next.ServeHTTP(rec, r)
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if code >= 200 {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush keeps streaming responses (exports) streaming.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
