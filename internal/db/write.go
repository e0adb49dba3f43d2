package db

import (
	"context"
	"math"
	"time"

	"gorm.io/gorm/clause"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// EnsureProject returns the project called name, creating it if needed.
func (d *DB) EnsureProject(ctx context.Context, name string) (*Project, error) {
	if name == "" {
		return nil, apperr.Invalid("projectName", "must not be empty")
	}
	// Look first: an insert that meets an existing name would still use up
	// a sequence number on PostgreSQL.
	if p, err := d.FindProjectByName(ctx, name); err == nil || apperr.CodeOf(err) != apperr.NotFound {
		return p, err
	}
	p := Project{ProjectName: name}
	err := d.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "project_name"}}, DoNothing: true}).Create(&p).Error
	if err != nil {
		return nil, err
	}
	if p.ID != 0 {
		return &p, nil
	}
	return d.FindProjectByName(ctx, name)
}

// RefreshProjectRollups recomputes a project's time span, duration and
// token and cost totals from its traces and LLM calls.
func (d *DB) RefreshProjectRollups(ctx context.Context, projectID int64) error {
	return d.Transaction(ctx, func(tx *DB) error {
		g := tx.conn(ctx)
		// Lock first: the recount below then sees every write committed
		// before it, and writers after it add their deltas to the recount.
		if err := tx.lockProject(ctx, projectID); err != nil {
			return err
		}
		res := g.Exec(`UPDATE project_info SET
			start_time = (SELECT MIN(start_time) FROM traces WHERE project_id = project_info.id),
			end_time = (SELECT MAX(COALESCE(end_time, start_time)) FROM traces WHERE project_id = project_info.id),
			total_cost = (SELECT COALESCE(SUM(total_cost), 0) FROM llm_call WHERE project_id = project_info.id),
			total_tokens = (SELECT COALESCE(`+tx.sumInt("total_tokens")+`, 0) FROM llm_call WHERE project_id = project_info.id)
			WHERE id = ?`, projectID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFoundf("no project with id %d", projectID)
		}
		// The duration is computed here rather than in SQL: SQLite's date
		// arithmetic goes through julianday floats and loses milliseconds.
		p, err := findRow[Project](ctx, tx, Cond{SQL: "t.id = ?", Args: []any{projectID}})
		if err != nil || p == nil {
			return err
		}
		var duration *float64
		if p.StartTime != nil {
			duration = secondsBetween(*p.StartTime, p.EndTime)
		}
		return g.Model(&Project{}).Where("id = ?", projectID).Update("duration", duration).Error
	})
}

// utc converts times to UTC in place. SQLite stores times as text, which
// sorts in time order only when every value has the same offset.
func utc(t *time.Time, more ...*time.Time) {
	*t = t.UTC()
	for _, m := range more {
		if m != nil {
			*m = m.UTC()
		}
	}
}

// secondsBetween returns end-start in seconds, nil without an end. One
// division keeps it correctly rounded (1.118, not 1.1179999999999999);
// beyond the 292 years a time.Duration holds, whole seconds are counted.
func secondsBetween(start time.Time, end *time.Time) *float64 {
	if end == nil {
		return nil
	}
	d := end.Sub(start)
	s := float64(d) / float64(time.Second)
	if d == math.MaxInt64 || d == math.MinInt64 {
		s = float64(end.Unix()-start.Unix()) + float64(end.Nanosecond()-start.Nanosecond())/1e9
	}
	return &s
}
