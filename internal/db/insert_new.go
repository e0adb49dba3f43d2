package db

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// errKeyInUse is why a round of new traces gave up its plain inserts: an
// external id of one of its rows is stored already (or sent twice). The
// batch is then written again the general way, which names the trace.
var errKeyInUse = errors.New("an external id of a new trace is in use")

// insertNewRows inserts rows whose ids are assigned already, all columns
// in multi-row statements, with no conflict clause: the rows belong to
// traces this transaction created, so nothing may be stored under their
// keys. A key that is (a unique violation) is errKeyInUse.
func insertNewRows[T any](g *gorm.DB, rows []*T) error {
	if len(rows) == 0 {
		return nil
	}
	plan, err := planFor[T](g)
	if err != nil {
		return err
	}
	cols := make([]fieldPlan, len(plan.columns))
	for i, c := range plan.columns {
		cols[i] = plan.fields[c]
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + plan.table + " (" + strings.Join(plan.columns, ", ") + ") VALUES "
	// Fewer rows a statement than upserts: PostgreSQL takes 65,535 parameters.
	per := min(batchRows, 65535/len(cols))
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), per)]
		rows = rows[len(chunk):]
		var q strings.Builder
		q.Grow(len(head) + len(chunk)*(len(row)+2))
		q.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			base := unsafe.Pointer(r)
			for _, f := range cols {
				args = append(args, f.valueAt(base))
			}
		}
		if err := g.Exec(q.String(), args...).Error; err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" {
				return fmt.Errorf("insert %s: %w (%s)", plan.table, errKeyInUse, pgErr.ConstraintName)
			}
			return fmt.Errorf("insert %s: %w", plan.table, err)
		}
	}
	return nil
}
