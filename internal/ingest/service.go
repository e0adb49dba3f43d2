package ingest

import (
	"context"

	"github.com/agentgraph/agentgraph/internal/db"
)

// Service validates and stores traces.
type Service struct {
	store  *db.DB
	prices *Prices
	limits Options
}

// New returns a Service writing to store. It panics if opts do not
// Validate once their zero fields take defaults.
func New(store *db.DB, opts Options) *Service {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		panic("ingest: " + err.Error())
	}
	return &Service{store: store, prices: opts.Prices, limits: opts}
}

// Observe sets the function that learns the outcome of every Ingest call;
// call it before the service is in use.
func (s *Service) Observe(f func(ctx context.Context, traces int, err error)) { s.limits.Observe = f }

// Store returns the store the service writes to.
func (s *Service) Store() *db.DB { return s.store }

// Ingest validates every trace first and writes nothing if any is invalid
// (an INVALID_ARGUMENT *apperr.Error whose Field is the path of the bad
// value, such as "input[2].agents[0].llmCalls[1].endTime"). It then writes
// all traces in one transaction (all or nothing), merging with what is
// stored under the same external ids, and returns the stored traces in
// input order.
func (s *Service) Ingest(ctx context.Context, traces []Trace) ([]*db.Trace, error) {
	return s.IngestAs(ctx, traces, "input")
}

// IngestAs is Ingest for a transport whose list of traces has another name:
// error paths start with path ("traces[2]..." rather than "input[2]...").
func (s *Service) IngestAs(ctx context.Context, traces []Trace, path string) ([]*db.Trace, error) {
	out, err := s.ingest(ctx, traces, path)
	if s.limits.Observe != nil {
		s.limits.Observe(ctx, len(out), err)
	}
	return out, err
}
