package db

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipWord(t *testing.T) {
	for _, c := range []struct {
		word string
		want int // bytes kept
	}{
		{"short", 5},
		{strings.Repeat("a", maxLexemeBytes), maxLexemeBytes},
		{strings.Repeat("a", maxLexemeBytes+1), maxLexemeBytes},
		{"a" + strings.Repeat("é", maxLexemeBytes), maxLexemeBytes},      // 'é' ends at byte 2047
		{strings.Repeat("é", maxLexemeBytes), maxLexemeBytes - 1},        // 2047 would split an 'é'
		{"ab" + strings.Repeat("日", maxLexemeBytes), maxLexemeBytes - 2}, // 3-byte runes
	} {
		got := clipWord([]byte(c.word))
		if len(got) != c.want || !utf8.Valid(got) || !strings.HasPrefix(c.word, string(got)) {
			t.Errorf("clipWord(%.12q… %d bytes) kept %d bytes (valid %v), want %d", c.word, len(c.word), len(got), utf8.Valid(got), c.want)
		}
	}
}

func TestQuoting(t *testing.T) {
	var b strings.Builder
	quoteLexeme(&b, `it's a\b`)
	if got, want := b.String(), `'it''s a\\b'`; got != want {
		t.Errorf("quoteLexeme = %s, want %s", got, want)
	}
	if got, want := prefixQuery("grüße"), `'grüße':*`; got != want {
		t.Errorf("prefixQuery = %s, want %s", got, want)
	}
	if got := prefixQuery(strings.Repeat("x", 3000)); len(got) != maxLexemeBytes+4 {
		t.Errorf("prefixQuery of a long word has %d bytes, want the clipped word quoted", len(got))
	}
}

// TestDocumentsSplitUnderTheLimit checks that a trace's words are spread
// over documents whose tsvectors take at most maxDocumentBytes, each word
// once, in sorted order.
func TestDocumentsSplitUnderTheLimit(t *testing.T) {
	set := &wordSet{}
	var text strings.Builder
	for i := range 200000 {
		fmt.Fprintf(&text, "Word%06d, ", i)
	}
	s := text.String() + " " + text.String() // repeats add nothing
	set.add(&s)
	set.add(nil)
	docs := set.documents()
	if want := 200000 * 14 / maxDocumentBytes; len(docs) < want {
		t.Fatalf("%d documents for 200,000 words of 10 bytes; want at least %d", len(docs), want)
	}
	seen := 0
	last := ""
	for i, doc := range docs {
		size := 8 // a tsvector's header, then 4 bytes per lexeme and the lexeme
		for _, lexeme := range strings.Fields(doc) {
			w := strings.Trim(lexeme, "'")
			if w <= last {
				t.Fatalf("document %d: %q after %q", i, w, last)
			}
			last = w
			size += 4 + len(w)
			seen++
		}
		if size > maxDocumentBytes || size < maxDocumentBytes-20 && i < len(docs)-1 {
			t.Errorf("document %d takes %d bytes; want full documents of at most %d", i, size, maxDocumentBytes)
		}
	}
	if seen != 200000 || seen != set.len() {
		t.Errorf("documents hold %d words, the set %d; want 200000", seen, set.len())
	}
	if (&wordSet{}).documents() != nil {
		t.Error("an empty set has documents")
	}
}

// len is the number of distinct words.
func (s *wordSet) len() int { return len(s.words) }
