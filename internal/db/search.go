package db

import "strings"

// traceTextSearch keeps traces whose prompts, outputs, tool inputs or
// outputs, or interaction contents contain every word of query.
func (d *DB) traceTextSearch(query string) Cond {
	var all []Cond
	for _, word := range strings.Fields(query) {
		pattern := "%" + escapeLike(word) + "%"
		match := func(col string) string {
			if d.dialect == Postgres {
				return col + ` ILIKE ? ESCAPE '\'`
			}
			return col + ` LIKE ? ESCAPE '\'`
		}
		all = append(all, Cond{
			SQL: "EXISTS (SELECT 1 FROM llm_call x WHERE x.trace_id = t.id AND (" + match("x.input_prompt") + " OR " + match("x.output") + "))" +
				" OR EXISTS (SELECT 1 FROM tool_call x WHERE x.trace_id = t.id AND (" + match("x.input_parameters") + " OR " + match("x.output") + "))" +
				" OR EXISTS (SELECT 1 FROM user_interactions x WHERE x.trace_id = t.id AND " + match("x.content") + ")",
			Args: []any{pattern, pattern, pattern, pattern, pattern},
		})
	}
	return And(all...)
}

// escapeLike makes LIKE's wildcards literal.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
