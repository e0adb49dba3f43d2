package ingest

import (
	"context"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// RecordMetric attaches a metric to a stored trace; path names the input in
// errors. An unknown trace is an INVALID_ARGUMENT error on path.traceId.
func (s *Service) RecordMetric(ctx context.Context, traceID int64, m Metric, path string) (*db.Metric, error) {
	probe := Trace{Project: "-", StartTime: m.Timestamp, Metrics: []Metric{m}}
	if err := s.ValidateTrace(&probe, path); err != nil {
		// Report the metric's own path, not the probe trace's.
		if e, ok := err.(*apperr.Error); ok {
			e.Field = replacePrefix(e.Field, path+".metrics[0]", path)
		}
		return nil, err
	}
	m = probe.Metrics[0]
	row := &db.Metric{
		TraceID: traceID, MetricName: m.Name, Score: m.Score, Reason: m.Reason,
		ResultDetail: db.RawJSON(m.ResultDetail), Config: db.RawJSON(m.Config),
		StartTime: m.StartTime, EndTime: m.EndTime, Timestamp: m.Timestamp,
		ExternalID: optional(m.ExternalID),
	}
	if m.StartTime != nil {
		row.Duration = db.SecondsBetween(*m.StartTime, m.EndTime)
	}
	if err := s.store.UpsertMetric(ctx, row); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.Invalid(path+".traceId", "no such trace")
		}
		return nil, err
	}
	return row, nil
}

func replacePrefix(s, old, repl string) string {
	if len(s) >= len(old) && s[:len(old)] == old {
		return repl + s[len(old):]
	}
	return s
}
