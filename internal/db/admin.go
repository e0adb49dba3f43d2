package db

import (
	"context"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// lockProject locks a project's row until the transaction ends; NOT_FOUND
// when there is no such project.
func (d *DB) lockProject(ctx context.Context, projectID int64) error {
	q := `SELECT id FROM project_info WHERE id = ?` + d.dialect.forUpdate()
	var ids []int64
	if err := d.conn(ctx).Raw(q, projectID).Scan(&ids).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return apperr.NotFoundf("no project with id %d", projectID)
	}
	return nil
}

// CreateProject creates a project; CONFLICT when the name is taken.
func (d *DB) CreateProject(ctx context.Context, name string, retentionDays *int) (*Project, error) {
	if _, err := d.FindProjectByName(ctx, name); err == nil {
		return nil, apperr.New(apperr.Conflict, "a project named %q exists already", name)
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return nil, err
	}
	p := &Project{ProjectName: name, RetentionDays: retentionDays}
	if err := d.conn(ctx).Create(p).Error; err != nil {
		if _, findErr := d.FindProjectByName(ctx, name); findErr == nil {
			return nil, apperr.New(apperr.Conflict, "a project named %q exists already", name)
		}
		return nil, err
	}
	return p, nil
}

// SetRetention sets how many days a project keeps its traces (nil: forever).
func (d *DB) SetRetention(ctx context.Context, projectID int64, days *int) (*Project, error) {
	if err := requireProject(ctx, projectID); err != nil {
		return nil, err
	}
	res := d.conn(ctx).Model(&Project{}).Where("id = ?", projectID).Update("retention_days", days)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, apperr.NotFoundf("no project with id %d", projectID)
	}
	rows, err := FindByIDs[Project](ctx, d, []int64{projectID})
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// DeleteProject deletes a project and everything in it, in one transaction.
func (d *DB) DeleteProject(ctx context.Context, projectID int64) error {
	if err := requireProject(ctx, projectID); err != nil {
		return err
	}
	res := d.conn(ctx).Delete(&Project{}, projectID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("no project with id %d", projectID)
	}
	return nil
}

// DeleteTrace deletes a trace and everything in it, and updates its
// project's rollups, in one transaction.
func (d *DB) DeleteTrace(ctx context.Context, traceID int64) error {
	return d.Transaction(ctx, func(tx *DB) error {
		tr, err := findRow[Trace](ctx, tx, Cond{SQL: "t.id = ?", Args: []any{traceID}})
		if err != nil {
			return err
		}
		if tr == nil || !ProjectVisible(ctx, tr.ProjectID) {
			return apperr.NotFoundf("no trace with id %d", traceID)
		}
		if err := tx.lockProject(ctx, tr.ProjectID); err != nil {
			return err
		}
		if err := tx.conn(ctx).Delete(&Trace{}, traceID).Error; err != nil {
			return err
		}
		return tx.RefreshProjectRollups(ctx, tr.ProjectID)
	})
}

// ProjectsWithRetention returns the projects that have a retention setting.
func (d *DB) ProjectsWithRetention(ctx context.Context) ([]Project, error) {
	rows, err := findRows[Project](ctx, d, Cond{SQL: "t.retention_days IS NOT NULL"}, "ORDER BY t.id")
	out := make([]Project, len(rows))
	for i, p := range rows {
		out[i] = *p
	}
	return out, err
}

// DeleteTracesBefore deletes up to limit traces of a project that started
// before cutoff, oldest first, with everything in them, and refreshes the
// project's rollups; it returns how many it deleted.
func (d *DB) DeleteTracesBefore(ctx context.Context, projectID int64, cutoff time.Time, limit int) (int64, error) {
	var deleted int64
	err := d.Transaction(ctx, func(tx *DB) error {
		if err := tx.lockProject(ctx, projectID); err != nil {
			return err
		}
		var ids []int64
		err := tx.conn(ctx).Model(&Trace{}).Where("project_id = ? AND start_time < ?", projectID, cutoff.UTC()).
			Order("start_time").Limit(limit).Pluck("id", &ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		res := tx.conn(ctx).Where("id IN ?", ids).Delete(&Trace{})
		if res.Error != nil {
			return res.Error
		}
		deleted = res.RowsAffected
		return tx.RefreshProjectRollups(ctx, projectID)
	})
	return deleted, err
}

// UpsertMetric stores a metric of an existing trace, or updates the one
// stored under the same external id.
func (d *DB) UpsertMetric(ctx context.Context, m *Metric) error {
	tr, err := findRow[Trace](ctx, d, Cond{SQL: "t.id = ?", Args: []any{m.TraceID}})
	if err != nil {
		return err
	}
	if tr == nil || !ProjectVisible(ctx, tr.ProjectID) {
		return apperr.NotFoundf("no trace with id %d", m.TraceID)
	}
	m.ProjectID = tr.ProjectID
	utc(&m.Timestamp, m.StartTime, m.EndTime)
	cols := []string{"trace_id", "metric_name", "score", "reason", "result_detail", "config", "start_time", "end_time", "duration", "timestamp"}
	// In a transaction, which holds SQLite's write lock from reserving the
	// id to inserting the row.
	return d.Transaction(ctx, func(tx *DB) error {
		ids, err := tx.reserveIDs(ctx, []idRequest{{"metrics", 1}})
		if err != nil {
			return err
		}
		m.ID = ids[0][0]
		return upsertRows(tx.conn(ctx), []*Metric{m}, byExternalID(cols, ""))
	})
}
