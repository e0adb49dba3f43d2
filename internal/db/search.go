package db

import (
	"strings"
	"unicode"
)

// searchWords splits a query into words of letters and digits, lowercased;
// the search matches rows with a word starting with each of them.
func searchWords(query string) []string {
	return strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// traceTextSearch keeps traces whose prompts, outputs, tool inputs or
// outputs, or interaction contents contain a word starting with each word
// of query (in any of them). It reads the full-text indexes: FTS5 on
// SQLite, GIN tsvector indexes on PostgreSQL.
func (d *DB) traceTextSearch(query string) Cond {
	var all []Cond
	for _, word := range searchWords(query) {
		if d.dialect == Postgres {
			q := "to_tsquery('simple', ?)"
			all = append(all, Cond{
				SQL: "t.id IN (SELECT x.trace_id FROM llm_call x WHERE to_tsvector('simple', COALESCE(x.input_prompt, '') || ' ' || COALESCE(x.output, '')) @@ " + q +
					" UNION SELECT x.trace_id FROM tool_call x WHERE to_tsvector('simple', COALESCE(x.input_parameters, '') || ' ' || COALESCE(x.output, '')) @@ " + q +
					" UNION SELECT x.trace_id FROM user_interactions x WHERE to_tsvector('simple', COALESCE(x.content, '')) @@ " + q + ")",
				Args: []any{word + ":*", word + ":*", word + ":*"},
			})
			continue
		}
		all = append(all, Cond{SQL: "t.id IN (SELECT trace_id FROM search_text WHERE search_text MATCH ?)", Args: []any{`"` + word + `"*`}})
	}
	if len(all) == 0 {
		return Cond{}
	}
	return And(all...)
}

// escapeLike makes LIKE's wildcards literal.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
