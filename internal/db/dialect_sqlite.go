package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
)

// sqliteDialect is the embedded pure-Go SQLite.
type sqliteDialect struct{}

func (sqliteDialect) name() Dialect { return SQLite }

func (sqliteDialect) open(dsn string, _ Options) gorm.Dialector { return sqlite.Open(dsn) }

// defaultMaxConns: one writer at a time anyway; a few readers share the
// WAL. Six, so that one client's share (3/4) is the four it had alone.
func (sqliteDialect) defaultMaxConns() int   { return 6 }
func (sqliteDialect) writesInTurns() bool    { return true }
func (sqliteDialect) readsDirect() bool      { return false }
func (sqliteDialect) keepsSearchIndex() bool { return true }
func (sqliteDialect) tellsInserted() bool    { return false }

// lockExclusive: SQLite allows one writing transaction at a time.
func (sqliteDialect) lockExclusive(*gorm.DB, string) error { return nil }
func (sqliteDialect) lockMigrations(*gorm.DB) error        { return nil }

// forUpdate: the writing transaction holds the whole database.
func (sqliteDialect) forUpdate() string { return "" }

// reserveIDs hands out the ids after the highest the table has used
// (AUTOINCREMENT goes above both its highest id and the highest it ever
// used), which only the transaction holding the write lock may take, and
// only until it inserts them.
func (sqliteDialect) reserveIDs(ctx context.Context, g *gorm.DB, reqs []idRequest) ([][]int64, error) {
	parts := make([]string, len(reqs))
	for i, r := range reqs {
		parts[i] = fmt.Sprintf(`MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '%[1]s'), 0), COALESCE((SELECT MAX(id) FROM %[1]s), 0))`, r.table)
	}
	last := make([]int64, len(reqs))
	dest := make([]any, len(reqs))
	for i := range last {
		dest[i] = &last[i]
	}
	if err := g.WithContext(ctx).Raw("SELECT " + strings.Join(parts, ", ")).Row().Scan(dest...); err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	out := make([][]int64, len(reqs))
	for i, r := range reqs {
		out[i] = make([]int64, r.n)
		for j := range out[i] {
			out[i][j] = last[i] + 1 + int64(j)
		}
	}
	return out, nil
}

// inSet binds a JSON array.
func (sqliteDialect) inSet(column string, ids []int64) (string, any) {
	return column + " IN (SELECT value FROM json_each(?))", "[" + joinIDs(ids) + "]"
}

func (sqliteDialect) inStrings(column string, values []string) (string, any) {
	b, _ := json.Marshal(values)
	return column + " IN (SELECT value FROM json_each(?))", string(b)
}

func (sqliteDialect) param(string) string    { return "?" }
func (sqliteDialect) nullReal() string       { return "CAST(NULL AS REAL)" }
func (sqliteDialect) insertedColumn() string { return "false AS inserted" }

func (sqliteDialect) idList(table string) string {
	return fmt.Sprintf(`(SELECT json_group_array(id) FROM (SELECT c.id FROM %s c WHERE c.agent_id = agent_call.id ORDER BY c.id))`, table)
}

// addTotal: a sum beyond the 64-bit range is REAL in SQLite; CAST brings
// it back to the nearest end of the range.
func (sqliteDialect) addTotal(total, delta string) string {
	return "MAX(CAST(" + total + " + " + delta + " AS INTEGER), 0)"
}

// sumInt takes the sum in REAL, exact up to 2^53: sum() of integers
// raises "integer overflow".
func (sqliteDialect) sumInt(expr string) string {
	return "CAST(SUM(CAST(" + expr + " AS REAL)) AS INTEGER)"
}

// sumOf sums in REAL, which never raises on overflow.
func (sqliteDialect) sumOf(expr string) string { return "SUM(CAST(" + expr + " AS REAL))" }

func (sqliteDialect) secondsBetween(start, end string) string {
	return "ROUND((julianday(" + end + ") - julianday(" + start + ")) * 86400.0, 3)"
}

func (sqliteDialect) timeBin(column string, shift, binSeconds int64) string {
	epoch := fmt.Sprintf("CAST(strftime('%%s', t.%s) AS INTEGER)", column)
	return fmt.Sprintf("((%s + %d) / %d) * %d - %d", epoch, shift, binSeconds, binSeconds, shift)
}

func (sqliteDialect) ilike() string { return "LIKE" }

// textSearch reads the FTS5 index. The longest word (likely the rarest)
// picks the traces holding it; each other word then needs one of their
// rows among those matching it (by rowid, source id * 4 + kind: see
// migration 5), a set of rowids read once, where a set of traces reads
// every matching row too. With other words, "+" keeps SQLite from reading
// the traces out of the first set: it reads them in the list's order and
// stops when the page is full, rather than check every trace of the set
// before sorting.
func (sqliteDialect) textSearch(words []string) Cond {
	key := longest(words)
	in := "t.id"
	if len(words) > 1 {
		in = "+t.id"
	}
	all := []Cond{{SQL: in + " IN (SELECT trace_id FROM search_text WHERE search_text MATCH ?)", Args: []any{`"` + key + `"*`}}}
	for _, word := range words {
		if word == key {
			continue
		}
		all = append(all, Cond{SQL: `EXISTS (SELECT 1 FROM (SELECT id * 4 AS rid FROM llm_call WHERE trace_id = t.id
			UNION ALL SELECT id * 4 + 1 FROM tool_call WHERE trace_id = t.id
			UNION ALL SELECT id * 4 + 2 FROM user_interactions WHERE trace_id = t.id) r
			WHERE r.rid IN (SELECT rowid FROM search_text WHERE search_text MATCH ?))`, Args: []any{`"` + word + `"*`}})
	}
	return And(all...)
}

// maxUnionParents bounds the per-parent subqueries of one SQLite statement
// (SQLite allows 500 terms in a compound SELECT).
const maxUnionParents = 200

// pagesByParent reads each parent's page in a subquery of a UNION ALL,
// or for very many parents with a window function numbering each
// parent's rows.
func (d sqliteDialect) pagesByParent(q parentPages) (string, []any) {
	var args []any
	if len(q.parents) <= maxUnionParents {
		parts := make([]string, len(q.parents))
		for i, id := range q.parents {
			cond := "t." + q.column + " = ?"
			if q.own.SQL != "" {
				cond += " AND " + q.own.SQL
			}
			parts[i] = fmt.Sprintf(`SELECT * FROM (SELECT %s, %d AS parent_ord FROM %s t WHERE %s ORDER BY %s LIMIT %d)`,
				q.cols, i, q.table, cond, q.orderBy, q.limit)
			args = append(append(args, id), q.own.Args...)
		}
		return fmt.Sprintf(`SELECT * FROM (%s) t ORDER BY t.parent_ord, %s`, strings.Join(parts, " UNION ALL "), q.orderBy), args
	}
	in, inArg := d.inSet("t."+q.column, q.parents)
	filter := And(Cond{SQL: in, Args: []any{inArg}}, q.own)
	query := fmt.Sprintf(`SELECT * FROM (
			SELECT %[6]s, ROW_NUMBER() OVER (PARTITION BY t.%[1]s ORDER BY %[2]s) AS page_rank
			FROM %[3]s t WHERE %[4]s) ranked
			WHERE page_rank <= %[5]d ORDER BY %[1]s, page_rank`,
		q.column, q.orderBy, q.table, filter.SQL, q.limit, q.cols)
	return query, filter.Args
}

// percentiles: SQLite has no percentile_cont. percentileBase numbers each
// group's values, and each percentile reads the two around p*(n-1), which
// quantiles interpolates between, exactly as percentile_cont does.
func (sqliteDialect) percentiles() []string {
	var out []string
	for _, p := range Percentiles {
		pos := fmt.Sprintf("(%v * (qn - 1))", p)
		out = append(out,
			fmt.Sprintf("MAX(CASE WHEN qx IS NOT NULL AND qi = CAST(%[1]s AS INTEGER) THEN qx END)", pos),
			fmt.Sprintf("MAX(CASE WHEN qx IS NOT NULL AND qi = CAST(%[1]s AS INTEGER) + (%[1]s > CAST(%[1]s AS INTEGER)) THEN qx END)", pos))
	}
	return out
}

func (sqliteDialect) percentileBase(inner, partition string) string {
	return "SELECT base.*, ROW_NUMBER() OVER (PARTITION BY " + partition + " ORDER BY (qx IS NULL), qx) - 1 AS qi, " +
		"COUNT(qx) OVER (PARTITION BY " + partition + ") AS qn FROM (" + inner + ") base"
}

func (sqliteDialect) quantiles(cols []sql.NullFloat64, count int64) []*float64 {
	out := make([]*float64, len(Percentiles))
	for i, p := range Percentiles {
		lo, hi := cols[2*i], cols[2*i+1]
		if lo.Valid && hi.Valid {
			pos := p * float64(count-1)
			v := lo.Float64 + (pos-math.Floor(pos))*(hi.Float64-lo.Float64)
			out[i] = &v
		}
	}
	return out
}
