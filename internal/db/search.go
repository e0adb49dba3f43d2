package db

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// eachWord calls fn with every word of text: the runs of letters and
// digits, lowercased (fn must not keep the slice). Queries and PostgreSQL's
// search documents both go through it, so they always split text alike. It
// equals splitting strings.ToLower(text) where neither unicode.IsLetter
// nor unicode.IsDigit holds, without copying the whole text.
func eachWord(text string, fn func(word []byte)) {
	var word []byte
	flush := func() {
		if len(word) > 0 {
			fn(word)
			word = word[:0]
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				word = append(word, c)
			case 'A' <= c && c <= 'Z':
				word = append(word, c+'a'-'A')
			default:
				flush()
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if r = unicode.ToLower(r); unicode.IsLetter(r) || unicode.IsDigit(r) {
			word = utf8.AppendRune(word, r)
		} else {
			flush()
		}
	}
	flush()
}

// searchWords splits a query into words; the search matches traces with
// a word starting with each of them.
func searchWords(query string) []string {
	var out []string
	eachWord(query, func(w []byte) { out = append(out, string(w)) })
	return out
}

// traceTextSearch keeps traces whose prompts, outputs, tool inputs or
// outputs, or interaction contents contain a word starting with each word
// of query (in any of them). It reads the full-text indexes: FTS5 on
// SQLite, the GIN index of the per-trace documents on PostgreSQL. Words
// reach either only as one quoted prefix term each, never as query syntax.
func (d *DB) traceTextSearch(query string) Cond {
	var all []Cond
	for _, word := range searchWords(query) {
		if d.dialect == Postgres {
			all = append(all, Cond{SQL: "t.id IN (SELECT trace_id FROM trace_search WHERE document @@ ?::tsquery)", Args: []any{prefixQuery(word)}})
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
