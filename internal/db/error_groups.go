package db

import (
	"context"
	"strings"
	"time"
)

// ErrorGroup gathers a project's errors with one fingerprint.
type ErrorGroup struct {
	ProjectID         int64
	Fingerprint       string
	ErrorType         string
	NormalizedMessage string
	SampleMessage     *string
	Count             int64
	FirstSeen         scanTime
	LastSeen          scanTime
	AffectedTraces    int64
}

// FirstSeenAt is the time of the group's oldest error.
func (g *ErrorGroup) FirstSeenAt() time.Time { return g.FirstSeen.Time }

// LastSeenAt is the time of the group's newest error.
func (g *ErrorGroup) LastSeenAt() time.Time { return g.LastSeen.Time }

// ErrorGroupFilter narrows the errors that are grouped.
type ErrorGroupFilter struct {
	ErrorType *string
	Time      TimeRange
	Search    *string
}

func (f ErrorGroupFilter) cond(d *DB) Cond {
	c := []Cond{f.Time.cond("timestamp")}
	if f.ErrorType != nil {
		c = append(c, Cond{SQL: "LOWER(t.error_type) = LOWER(?)", Args: []any{*f.ErrorType}})
	}
	if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
		c = append(c, Cond{SQL: "t.error_message " + d.dialect.ilike() + ` ? ESCAPE '\'`, Args: []any{"%" + escapeLike(strings.TrimSpace(*f.Search)) + "%"}})
	}
	return And(c...)
}

// ErrorGroupOrder lists groups by their newest error, newest first; the
// cursor holds the group's last-seen time and fingerprint.
var ErrorGroupOrder = Order{column: "last_seen", Kind: SortByTime, Desc: true}

// ErrorGroupsFor returns a page of error groups per project, in the order
// of ids, from one statement.
func (d *DB) ErrorGroupsFor(ctx context.Context, ids []int64, f ErrorGroupFilter, page Page) ([]PageResult[ErrorGroup], error) {
	where := d.errorGroupScope(visibleProjects(ctx, ids), f)
	desc := !page.Backward
	dir, beyond, precede := "DESC", "<", ">"
	if !desc {
		dir = "ASC"
	}
	var conds []string
	var args []any
	keyset := func(op string, c *Cursor) {
		conds = append(conds, "(g.last_seen, g.fingerprint) "+op+" (?, ?)")
		args = append(args, c.Time.UTC(), c.Key)
	}
	if page.After != nil {
		keyset(beyond, page.After)
	}
	if page.Before != nil {
		keyset(precede, page.Before)
	}
	outer := "1 = 1"
	if len(conds) > 0 {
		outer = strings.Join(conds, " AND ")
	}
	query := `SELECT * FROM (
			SELECT g.*, ROW_NUMBER() OVER (PARTITION BY g.project_id ORDER BY g.last_seen ` + dir + `, g.fingerprint ` + dir + `) AS page_rank
			FROM (
				SELECT t.project_id, t.fingerprint, MIN(t.error_type) AS error_type, MIN(t.normalized_message) AS normalized_message,
					MAX(t.error_message) AS sample_message, COUNT(*) AS count, MIN(t.timestamp) AS first_seen,
					MAX(t.timestamp) AS last_seen, COUNT(DISTINCT t.trace_id) AS affected_traces
				FROM errors t WHERE ` + where.SQL + ` AND t.fingerprint IS NOT NULL
				GROUP BY t.project_id, t.fingerprint) g
			WHERE ` + outer + `) ranked
		WHERE page_rank <= ? ORDER BY project_id, page_rank`
	allArgs := append(append(where.Args, args...), page.Limit+1)
	rows, err := scanCharged(ctx, d, d.conn(ctx).Raw(query, allArgs...), func(g *ErrorGroup) int {
		return len(g.Fingerprint) + len(g.ErrorType) + len(g.NormalizedMessage) + lenOf(g.SampleMessage)
	})
	if err != nil {
		return nil, err
	}
	byProject := map[int64][]*ErrorGroup{}
	for i := range rows {
		g := &rows[i]
		byProject[g.ProjectID] = append(byProject[g.ProjectID], g)
	}
	out := make([]PageResult[ErrorGroup], len(ids))
	for i, id := range ids {
		out[i] = finishPage(byProject[id], page)
	}
	return out, nil
}

// errorGroupScope keeps the errors of the projects ids that f lets through.
func (d *DB) errorGroupScope(ids []int64, f ErrorGroupFilter) Cond {
	in, arg := d.inSet("t.project_id", ids)
	return And(Cond{SQL: in, Args: []any{arg}}, f.cond(d))
}

// CountErrorGroupsFor returns the number of error groups of each project,
// in the order of ids, from one statement.
func (d *DB) CountErrorGroupsFor(ctx context.Context, ids []int64, f ErrorGroupFilter) ([]int64, error) {
	where := d.errorGroupScope(visibleProjects(ctx, ids), f)
	var rows []struct {
		ProjectID int64
		N         int64
	}
	err := d.conn(ctx).Raw(`SELECT t.project_id, COUNT(DISTINCT t.fingerprint) AS n FROM errors t WHERE `+where.SQL+
		` AND t.fingerprint IS NOT NULL GROUP BY t.project_id`, where.Args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	byID := map[int64]int64{}
	for _, r := range rows {
		byID[r.ProjectID] = r.N
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// CursorOfGroup returns the position of g in its list.
func CursorOfGroup(g *ErrorGroup) Cursor {
	t := g.LastSeen.Time
	return Cursor{Column: ErrorGroupOrder.column, Time: &t, Key: g.Fingerprint, ID: 1}
}
