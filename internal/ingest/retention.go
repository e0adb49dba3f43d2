package ingest

import (
	"context"
	"log/slog"
	"time"
)

// retentionBatch bounds the traces one retention transaction deletes, so
// the job never holds a project's lock for long.
const retentionBatch = 500

// EnforceRetention deletes, in every project with a retention setting, the
// traces that started more than that many days before now. It returns how
// many traces it deleted.
func (s *Service) EnforceRetention(ctx context.Context, now time.Time) (int64, error) {
	projects, err := s.store.ProjectsWithRetention(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, p := range projects {
		cutoff := now.Add(-time.Duration(*p.RetentionDays) * 24 * time.Hour)
		for {
			n, err := s.store.DeleteTracesBefore(ctx, p.ID, cutoff, retentionBatch)
			if err != nil {
				return total, err
			}
			total += n
			if n < retentionBatch {
				break
			}
		}
	}
	return total, nil
}

// RunRetention enforces retention every interval until ctx ends.
func (s *Service) RunRetention(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if n, err := s.EnforceRetention(ctx, time.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			slog.WarnContext(ctx, "retention job failed", "error", err)
		} else if n > 0 {
			slog.InfoContext(ctx, "retention job deleted old traces", "traces", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
