package db

import (
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// maxLexemeBytes is PostgreSQL's limit on a lexeme.
	maxLexemeBytes = 2047
	// maxDocumentBytes bounds the size of one document's tsvector (8
	// bytes, then 4 per lexeme and its bytes), far under PostgreSQL's limit
	// of 1 MiB of lexemes, so that a row fits its heap page (the column is
	// STORAGE MAIN): stored out of line, documents would hide their size
	// from the planner, which then prefers reading them all to the GIN
	// index. A trace with more words gets more rows.
	maxDocumentBytes = 6000
)

// clipWord cuts a word longer than a lexeme may be to its longest prefix
// that fits, on a rune boundary. Documents store such words clipped and
// queries search for them clipped, so a query word up to maxLexemeBytes
// matches exactly as on SQLite; a longer one matches every word sharing
// its first maxLexemeBytes bytes.
func clipWord(w []byte) []byte {
	if len(w) <= maxLexemeBytes {
		return w
	}
	n := maxLexemeBytes
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	return w[:n]
}

// quoteLexeme writes w as a quoted lexeme of a tsvector or tsquery
// literal. Words hold only letters and digits; escaping quotes and
// backslashes all the same keeps any text a single lexeme.
func quoteLexeme(b *strings.Builder, w string) {
	b.WriteByte('\'')
	if strings.ContainsAny(w, `'\`) {
		w = strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w)
	}
	b.WriteString(w)
	b.WriteByte('\'')
}

// prefixQuery is the tsquery literal matching lexemes that start with word.
func prefixQuery(word string) string {
	var b strings.Builder
	quoteLexeme(&b, string(clipWord([]byte(word))))
	b.WriteString(":*")
	return b.String()
}

// wordSet is the distinct words of some texts, clipped to lexemes. It is
// an open-addressing table rather than a map: ingestion looks up every word
// of every prompt and output here, and a map's lookup was a tenth of its
// CPU.
type wordSet struct {
	slots []wordSlot // a power of two of them, at most half used
	words []string
}

// wordSlot holds a word's hash beside its place, so that a probe reads one
// slot and compares words only when their hashes are equal.
type wordSlot struct {
	hash uint32
	at   int32 // 1 + the word's index in words; 0 is empty
}

// add adds the words of text, if any.
func (s *wordSet) add(text *string) {
	if text == nil {
		return
	}
	eachWord(*text, func(w []byte) { s.insert(clipWord(w)) })
}

// insert adds w unless the set holds it.
func (s *wordSet) insert(w []byte) {
	if 2*len(s.words) >= len(s.slots) {
		s.grow()
	}
	h := hashWord(w)
	mask := len(s.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		slot := &s.slots[i]
		if slot.at == 0 {
			s.words = append(s.words, string(w))
			*slot = wordSlot{hash: h, at: int32(len(s.words))}
			return
		}
		if slot.hash == h && s.words[slot.at-1] == string(w) {
			return
		}
	}
}

// grow doubles the table.
func (s *wordSet) grow() {
	old := s.slots
	s.slots = make([]wordSlot, max(64, 2*len(old)))
	mask := len(s.slots) - 1
	for _, slot := range old {
		if slot.at == 0 {
			continue
		}
		i := int(slot.hash) & mask
		for s.slots[i].at != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = slot
	}
}

// hashWord is FNV-1a: words are short, and it needs no setup.
func hashWord(w []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range w {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// documents renders the words as tsvector literals of quoted lexemes
// without positions, in sorted order, each of a tsvector of at most
// maxDocumentBytes; none when there are no words.
func (s *wordSet) documents() []string {
	words := slices.Clone(s.words)
	slices.Sort(words)
	var docs []string
	var b strings.Builder
	size := 0 // of the tsvector
	for _, w := range words {
		if size > 0 && size+4+len(w) > maxDocumentBytes {
			docs = append(docs, b.String())
			b.Reset()
			size = 0
		}
		if size == 0 {
			size = 8
		} else {
			b.WriteByte(' ')
		}
		quoteLexeme(&b, w)
		size += 4 + len(w)
	}
	if size > 0 {
		docs = append(docs, b.String())
	}
	return docs
}
