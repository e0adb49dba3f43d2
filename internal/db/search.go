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
	return d.dialect.textSearch(words)
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

// escapeLike makes LIKE's wildcards literal.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
