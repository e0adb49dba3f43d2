// Package jsonlimit looks at a JSON document before it is decoded: whether
// it nests arrays and objects deeper than MaxDepth, and if so where, and how
// many values, members and string bytes it holds, from which a caller
// estimates what decoding it will allocate (and charges its request's memory
// budget with Charge). One pass over the bytes, in time linear in them and
// without allocating unless the document is too deep. Whether the document
// is valid JSON is left to the decoder: the scan stops where it sees it is
// not, and reports what it counted up to there.
package jsonlimit

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/budget"
)

// MaxDepth is the deepest nesting of arrays and objects accepted in any JSON
// input: a document (a request body, a GraphQL variables parameter), and a
// JSON scalar's value on its own. The outermost array or object is level 1.
const MaxDepth = 64

// TooDeep says what is wrong with a value deeper than MaxDepth, after its path.
const TooDeep = "nests arrays and objects deeper than the limit of 64 levels"

// Counts are what a document holds; nested values count like top-level ones.
type Counts struct {
	// Values are values of every kind (keys of members are not values).
	Values int64
	// Objects and Arrays are the values that are objects and arrays;
	// Filled the objects with a member.
	Objects, Arrays, Filled int64
	// Members are the key-value pairs of all objects; LargeMembers those
	// past the 8th of their object (a Go map keeps its first 8 entries in
	// one group; more make its tables grow).
	Members, LargeMembers int64
	// StringBytes are the bytes of string values as written (escapes
	// included, quotes not); KeyBytes the same of keys.
	StringBytes, KeyBytes int64
}

// DepthError is a document nesting deeper than MaxDepth.
type DepthError struct {
	// Path is the path of the first value (in document order) deeper than
	// the limit, as GraphQL writes input paths: traces[0].metrics[1].a.b[3].
	Path string
}

func (e *DepthError) Error() string { return e.Path + ": " + TooDeep }

// Scan scans doc. Its error is a *DepthError or nil.
func Scan(doc []byte) (Counts, error) {
	c, _, err := scan(doc, MaxDepth, nil)
	if err != nil {
		return c, err
	}
	return c, nil
}

// Split is Scan counting apart the free-form values in a document that
// otherwise decodes into typed structs: the values of members whose key
// free reports (outside such values), with all they hold, count in loose,
// the rest in fixed.
func Split(doc []byte, free func(key []byte) bool) (fixed, loose Counts, err error) {
	fixed, loose, derr := scan(doc, MaxDepth, free)
	if derr != nil {
		return fixed, loose, derr
	}
	return fixed, loose, nil
}

// frame is an open array or object: where its current element is.
type frame struct {
	array bool
	// index is the current element's: of arrays, as in the path; of
	// objects, the count of members so far.
	index int
	// keyStart and keyEnd delimit the current member's key in the
	// document, quotes excluded.
	keyStart, keyEnd int
}

// scan is Split with the limit given, max <= MaxDepth.
func scan(doc []byte, max int, free func(key []byte) bool) (fixed, loose Counts, _ *DepthError) {
	var stack [MaxDepth]frame
	depth := 0
	wantKey := false   // inside an object, where a key (or its end) comes next
	looseFrom := 0     // the depth of the free-form value being scanned, 0 outside one
	looseNext := false // the next value is free-form
	c := &fixed
	for i := 0; i < len(doc); {
		ch := doc[i]
		end := 0 // of a string, its closing quote
		switch ch {
		case ' ', '\t', '\n', '\r', ':':
			i++
			continue
		case ',':
			if depth == 0 {
				return fixed, loose, nil
			}
			if f := &stack[depth-1]; f.array {
				f.index++
			} else {
				wantKey = true
			}
			i++
			continue
		case '}', ']':
			if depth == 0 || stack[depth-1].array != (ch == ']') {
				return fixed, loose, nil
			}
			if depth == looseFrom {
				looseFrom, c = 0, &fixed
			}
			depth--
			wantKey = false
			if depth == 0 {
				return fixed, loose, nil // the document is whole; the decoder judges what follows
			}
			i++
			continue
		case '"':
			if end = stringEnd(doc, i+1); end < 0 {
				return fixed, loose, nil
			}
			if wantKey {
				f := &stack[depth-1]
				f.keyStart, f.keyEnd = i+1, end
				switch f.index++; {
				case f.index == 1:
					c.Filled++
				case f.index > 8:
					c.LargeMembers++
				}
				c.Members++
				c.KeyBytes += int64(end - i - 1)
				wantKey = false
				looseNext = free != nil && looseFrom == 0 && free(doc[i+1:end])
				i = end + 1
				continue
			}
		default:
			if wantKey {
				return fixed, loose, nil // a value where a key belongs: not JSON
			}
		}
		// A value: this one is free-form, or inside one, or neither.
		vc := c
		if looseNext {
			vc, looseNext = &loose, false
		}
		vc.Values++
		switch ch {
		case '"':
			vc.StringBytes += int64(end - i - 1)
			i = end + 1
		case '{', '[':
			if depth == max {
				return fixed, loose, &DepthError{Path: path(doc, stack[:depth])}
			}
			stack[depth] = frame{array: ch == '['}
			depth++
			if vc != c {
				looseFrom, c = depth, vc
			}
			if ch == '{' {
				vc.Objects++
				wantKey = true
			} else {
				vc.Arrays++
			}
			i++
			continue
		default:
			// A number, true, false or null, or bytes the decoder will refuse.
			i++
			for i < len(doc) && !isDelimiter(doc[i]) {
				i++
			}
		}
		if depth == 0 {
			return fixed, loose, nil
		}
	}
	return fixed, loose, nil
}

func isDelimiter(b byte) bool {
	switch b {
	case ',', ']', '}', ':', '"', '[', '{', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// stringEnd returns the index of the quote closing the string whose first
// byte is at start, or -1: the first quote after an even number of
// backslashes. Each backslash is looked at once more at most, so this
// stays linear.
func stringEnd(doc []byte, start int) int {
	for i := start; ; {
		q := bytes.IndexByte(doc[i:], '"')
		if q < 0 {
			return -1
		}
		end := i + q
		slashes := 0
		for j := end - 1; j >= start && doc[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return end
		}
		i = end + 1
	}
}

// path renders the position of the open frames' current elements; only
// for the error, so once per document.
func path(doc []byte, frames []frame) string {
	var b strings.Builder
	for _, f := range frames {
		if f.array {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(key(doc[f.keyStart:f.keyEnd]))
	}
	return b.String()
}

// key is a key as a decoder reads it: escapes decoded, bytes that are not
// UTF-8 replaced.
func key(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw)
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return string(raw)
	}
	return s
}

// CheckValue checks a value already decoded into Go's generic values
// (map[string]any, []any and scalars, as GraphQL hands a JSON scalar its
// value): it must nest at most MaxDepth levels itself. Its error is a
// *DepthError with the path inside v; of a map with several too deep
// members, the least key's. The walk stops at the limit, so it is linear.
func CheckValue(v any) error {
	if p, deep := deepIn(v, MaxDepth); deep {
		var b strings.Builder
		for i := len(p) - 1; i >= 0; i-- {
			if s := p[i]; s.key == nil {
				b.WriteString("[" + strconv.Itoa(s.index) + "]")
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(*s.key)
			}
		}
		return &DepthError{Path: b.String()}
	}
	return nil
}

// segment is one step of a path: a member's key, or else an element's index.
type segment struct {
	key   *string
	index int
}

// deepIn reports whether v holds a value more than left levels down, and
// the path to it, innermost step first.
func deepIn(v any, left int) ([]segment, bool) {
	switch x := v.(type) {
	case []any:
		if left == 0 {
			return nil, true
		}
		for i, e := range x {
			if p, deep := deepIn(e, left-1); deep {
				return append(p, segment{index: i}), true
			}
		}
	case map[string]any:
		if left == 0 {
			return nil, true
		}
		var least *string
		var path []segment
		for k, e := range x {
			if least != nil && k >= *least {
				continue // cannot be the least
			}
			if p, deep := deepIn(e, left-1); deep {
				k := k
				least, path = &k, p
			}
		}
		if least != nil {
			return append(path, segment{key: least}), true
		}
	}
	return nil, false
}

// What decoding into Go's generic values (map[string]any, []any, string,
// json.Number) allocates per thing counted, measured with encoding/json and
// goccy/go-json (TestAnyBytesCalibration) and rounded up.
const (
	anyValue   = 32  // its interface in its parent, and the boxed number or string header
	anyElement = 96  // an array element's slot, times what the slice's growth allocates
	anyObject  = 64  // a map's header
	anyGroup   = 256 // its first group of 8 slots, made for its first member
	anyMember  = 48  // a member's share of that group, and its key's header
	anyLarge   = 192 // a member past the 8th: the tables of a big map, as they grow
)

// AnyBytes estimates what decoding the counted values into Go's generic
// values allocates; string contents count once, as written.
func (c Counts) AnyBytes() int64 {
	elements := c.Values - c.Members
	return c.Values*anyValue + elements*anyElement + c.Objects*anyObject + c.Filled*anyGroup +
		c.Members*anyMember + c.LargeMembers*anyLarge + c.StringBytes + c.KeyBytes
}

// Charge charges n bytes, what decoding a request's body will allocate, to
// the memory budget of ctx's request. Over the budget, the error is
// PAYLOAD_TOO_LARGE naming it: the body is too big for the server to take.
func Charge(ctx context.Context, n int64) error {
	b := budget.From(ctx)
	if b.Charge(n) != nil {
		return apperr.New(apperr.PayloadTooLarge,
			"decoding the request would take more than its memory budget of %s; send fewer or smaller values per request", budget.Size(b.Limit()))
	}
	return nil
}
