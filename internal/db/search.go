package db

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// eachWord calls fn with every word of text: the runs of letters and
// digits, lowercased (fn must not keep the slice). Queries and PostgreSQL's
// search documents both go through it, so they always split text alike. It
// equals splitting strings.ToLower(text) where neither unicode.IsLetter
// nor unicode.IsDigit holds, without copying the whole text.
func eachWord(text string, fn func(word []byte)) {
	var word []byte
	for i := 0; i < len(text); {
		switch asciiClass[text[i]] {
		case wordByte:
			j := i + 1
			for j < len(text) && asciiClass[text[j]] == wordByte {
				j++
			}
			word = append(word, text[i:j]...)
			i = j
		case upperByte:
			word = append(word, text[i]+'a'-'A')
			i++
		case otherByte:
			if len(word) > 0 {
				fn(word)
				word = word[:0]
			}
			i++
		default:
			r, n := utf8.DecodeRuneInString(text[i:])
			i += n
			if r = unicode.ToLower(r); unicode.IsLetter(r) || unicode.IsDigit(r) {
				word = utf8.AppendRune(word, r)
			} else if len(word) > 0 {
				fn(word)
				word = word[:0]
			}
		}
	}
	if len(word) > 0 {
		fn(word)
	}
}

// The classes of bytes for eachWord: a run of lowercase letters and digits
// is copied at once, and only a byte at or over utf8.RuneSelf starts a rune.
const (
	otherByte = iota
	wordByte
	upperByte
	runeByte
)

var asciiClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			t[c] = wordByte
		case 'A' <= c && c <= 'Z':
			t[c] = upperByte
		case c >= utf8.RuneSelf:
			t[c] = runeByte
		}
	}
	return t
}()

// The limits of one search (CheckSearch): every word costs its statement
// a read of the full-text index, and thousands of words made SQLite
// refuse it.
const (
	// MaxSearchWords bounds the words of a search, repeated ones included.
	MaxSearchWords = 32
	// MaxSearchBytes bounds its length.
	MaxSearchBytes = 1024
)

// CheckSearch refuses a search of more than MaxSearchBytes bytes or
// MaxSearchWords words, naming field.
func CheckSearch(field string, search *string) error {
	if search == nil {
		return nil
	}
	if n := len(*search); n > MaxSearchBytes {
		return apperr.Invalid(field, "%d bytes, more than %d: search for fewer or shorter words", n, MaxSearchBytes)
	}
	n := 0
	eachWord(*search, func([]byte) { n++ })
	if n > MaxSearchWords {
		return apperr.Invalid(field, "%d words, more than %d: search for fewer words", n, MaxSearchWords)
	}
	return nil
}

// searchTerms are the distinct words of a query, at most MaxSearchWords of
// them (callers refuse more: CheckSearch); the search matches traces with
// a word starting with each of them.
func searchTerms(query string) []string {
	var out []string
	eachWord(query, func(w []byte) {
		if len(out) < MaxSearchWords && !slices.Contains(out, string(w)) {
			out = append(out, string(w))
		}
	})
	return out
}

// traceTextSearch keeps traces whose prompts, outputs, tool inputs or
// outputs, or interaction contents contain a word starting with each word
// of query (in any of them). It reads the full-text indexes: FTS5 on
// SQLite, the GIN index of the per-trace documents on PostgreSQL. Words
// reach either only as one quoted prefix term each, never as query syntax.
func (d *DB) traceTextSearch(query string) Cond {
	words := searchTerms(query)
	if len(words) == 0 {
		return Cond{}
	}
	if d.dialect == Postgres {
		return pgTextSearch(words)
	}
	// The longest word (likely the rarest) picks the traces holding it;
	// each other word then needs one of their rows among those matching it
	// (by rowid, source id * 4 + kind: see migration 5), a set of rowids
	// read once, where a set of traces reads every matching row too. With
	// other words, "+" keeps SQLite from reading the traces out of the
	// first set: it reads them in the list's order and stops when the page
	// is full, rather than check every trace of the set before sorting.
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

// longest is the first of the longest words.
func longest(words []string) string {
	key := words[0]
	for _, w := range words[1:] {
		if len(w) > len(key) {
			key = w
		}
	}
	return key
}

// pgTextSearch is traceTextSearch on PostgreSQL, in one semi-join whatever
// the number of words: with one per word, planning grew faster than the
// square of their number (0.5 s at 32 words, 7 s at 50), as the planner
// weighed the orders of joining them. The GIN index finds the documents
// with the longest word (likely the rarest); one keeps its trace when it
// holds every word, or when the trace's documents together do (a trace
// has several when written by several transactions, or when large).
func pgTextSearch(words []string) Cond {
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

// escapeLike makes LIKE's wildcards literal.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
