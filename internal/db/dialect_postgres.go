package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// postgresDialect is PostgreSQL, through pgx.
type postgresDialect struct{}

func (postgresDialect) name() Dialect { return Postgres }

func (postgresDialect) open(dsn string, opts Options) gorm.Dialector {
	if opts.StatementTimeout > 0 {
		dsn = withRuntimeParam(dsn, "statement_timeout", strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10))
	}
	return postgres.Open(dsn)
}

func (postgresDialect) defaultMaxConns() int   { return 16 }
func (postgresDialect) writesInTurns() bool    { return false }
func (postgresDialect) readsDirect() bool      { return true }
func (postgresDialect) keepsSearchIndex() bool { return false }
func (postgresDialect) tellsInserted() bool    { return true }

func (postgresDialect) lockExclusive(tx *gorm.DB, name string) error {
	return tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, name).Error
}

func (postgresDialect) lockMigrations(tx *gorm.DB) error {
	return tx.Exec(`SELECT pg_advisory_xact_lock(74616770)`).Error
}

func (postgresDialect) forUpdate() string { return ` FOR UPDATE` }

// reserveIDs takes the ids from the tables' identity sequences.
func (postgresDialect) reserveIDs(ctx context.Context, g *gorm.DB, reqs []idRequest) ([][]int64, error) {
	parts := make([]string, len(reqs))
	args := make([]any, len(reqs))
	for i, r := range reqs {
		// The identity sequence's default name, resolved when the statement
		// is parsed (pg_get_serial_sequence per row costs a catalog lookup
		// per id); TestIdentitySequenceNames keeps the names true.
		parts[i] = fmt.Sprintf(`array_to_string(ARRAY(SELECT nextval('%s') FROM generate_series(1, ?::int)), ',')`, identitySequence(r.table))
		args[i] = r.n
	}
	texts := make([]string, len(reqs))
	dest := make([]any, len(reqs))
	for i := range texts {
		dest[i] = &texts[i]
	}
	if err := g.WithContext(ctx).Raw("SELECT "+strings.Join(parts, ", "), args...).Row().Scan(dest...); err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	out := make([][]int64, len(reqs))
	for i, text := range texts {
		out[i] = make([]int64, 0, reqs[i].n)
		for _, f := range strings.Split(text, ",") {
			if f == "" {
				continue
			}
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("reserve ids of %s: %w", reqs[i].table, err)
			}
			out[i] = append(out[i], id)
		}
		if len(out[i]) != reqs[i].n {
			return nil, fmt.Errorf("reserve ids of %s: %d for %d rows", reqs[i].table, len(out[i]), reqs[i].n)
		}
		slices.Sort(out[i])
	}
	return out, nil
}

// inSet binds a bigint array: = ANY uses the index whatever the statistics.
func (postgresDialect) inSet(column string, ids []int64) (string, any) {
	return column + " = ANY(?::bigint[])", "{" + joinIDs(ids) + "}"
}

// inStrings binds a text array.
func (postgresDialect) inStrings(column string, values []string) (string, any) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return column + " = ANY(?::text[])", b.String()
}

func (postgresDialect) param(typ string) string { return "?::" + typ }
func (postgresDialect) nullReal() string        { return "CAST(NULL AS DOUBLE PRECISION)" }

// insertedColumn: a row version made by ON CONFLICT DO UPDATE carries the
// updating transaction in xmax, an inserted one does not.
func (postgresDialect) insertedColumn() string { return "(xmax = 0) AS inserted" }

func (postgresDialect) idList(table string) string {
	return fmt.Sprintf(`(SELECT COALESCE(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) FROM %s c WHERE c.agent_id = agent_call.id)`, table)
}

// addTotal: bigint + raises on overflow, so the sum is taken in numeric.
func (postgresDialect) addTotal(total, delta string) string {
	return "LEAST(GREATEST(" + total + "::numeric + " + delta + ", 0), 9223372036854775807)::bigint"
}

// sumInt: sum(bigint) is numeric.
func (postgresDialect) sumInt(expr string) string {
	return "(CASE WHEN SUM(" + expr + ") > 9223372036854775807 THEN 9223372036854775807" +
		" WHEN SUM(" + expr + ") < -9223372036854775808 THEN -9223372036854775808 ELSE SUM(" + expr + ") END)::bigint"
}

func (postgresDialect) sumOf(expr string) string { return "SUM(" + expr + ")" }

func (postgresDialect) secondsBetween(start, end string) string {
	return "EXTRACT(EPOCH FROM (" + end + " - " + start + "))::double precision"
}

func (postgresDialect) timeBin(column string, shift, binSeconds int64) string {
	epoch := fmt.Sprintf("CAST(FLOOR(EXTRACT(EPOCH FROM t.%s)) AS BIGINT)", column)
	return "CAST(" + fmt.Sprintf("FLOOR((%s + %d) / %d.0) * %d - %d", epoch, shift, binSeconds, binSeconds, shift) + " AS BIGINT)"
}

func (postgresDialect) ilike() string { return "ILIKE" }

// textSearch reads the per-trace documents in one semi-join whatever the
// number of words: with one per word, planning grew faster than the
// square of their number (0.5 s at 32 words, 7 s at 50), as the planner
// weighed the orders of joining them. The GIN index finds the documents
// with the longest word (likely the rarest); one keeps its trace when it
// holds every word, or when the trace's documents together do (a trace
// has several when written by several transactions, or when large).
func (postgresDialect) textSearch(words []string) Cond {
	if len(words) == 1 {
		return Cond{SQL: "t.id IN (SELECT trace_id FROM trace_search WHERE document @@ ?::tsquery)", Args: []any{prefixQuery(words[0])}}
	}
	var all, each strings.Builder
	args := []any{prefixQuery(longest(words)), nil}
	for i, w := range words {
		if i > 0 {
			all.WriteString(" & ")
			each.WriteString(" AND ")
		}
		all.WriteString(prefixQuery(w))
		each.WriteString("bool_or(s.document @@ ?::tsquery)")
		args = append(args, prefixQuery(w))
	}
	args[1] = all.String()
	return Cond{SQL: `t.id IN (SELECT c.trace_id FROM trace_search c WHERE c.document @@ ?::tsquery AND (c.document @@ ?::tsquery
		OR EXISTS (SELECT 1 FROM trace_search o WHERE o.trace_id = c.trace_id AND o.ctid <> c.ctid)
		AND (SELECT ` + each.String() + ` FROM trace_search s WHERE s.trace_id = c.trace_id)))`, Args: args}
}

// pagesByParent reads each parent's page in a LATERAL subquery.
func (d postgresDialect) pagesByParent(q parentPages) (string, []any) {
	_, arr := d.inSet("", q.parents)
	cond := "t." + q.column + " = p.pid"
	if q.own.SQL != "" {
		cond += " AND " + q.own.SQL
	}
	query := fmt.Sprintf(`SELECT t.* FROM unnest(?::bigint[]) WITH ORDINALITY AS p(pid, ord)
			CROSS JOIN LATERAL (SELECT %s FROM %s t WHERE %s ORDER BY %s LIMIT %d) t
			ORDER BY p.ord, %s`, q.cols, q.table, cond, q.orderBy, q.limit, q.orderBy)
	return query, append([]any{arr}, q.own.Args...)
}

func (postgresDialect) percentiles() []string {
	out := make([]string, len(Percentiles))
	for i, p := range Percentiles {
		out[i] = fmt.Sprintf("percentile_cont(%v) WITHIN GROUP (ORDER BY qx)", p)
	}
	return out
}

func (postgresDialect) percentileBase(inner, _ string) string { return inner }

func (postgresDialect) quantiles(cols []sql.NullFloat64, _ int64) []*float64 {
	out := make([]*float64, len(Percentiles))
	for i := range Percentiles {
		out[i] = nullable(cols[i])
	}
	return out
}
