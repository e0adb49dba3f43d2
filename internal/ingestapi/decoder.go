package ingestapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The body is decoded by hand, in one pass, straight into ingest's types
// (schema.go says which key goes where). Errors name the path of the bad
// value as GraphQL does ("traces[3].llmCalls[2].startTime"), and come in
// the order encoding/json with the input types of schema.graphqls would
// find them: the body's syntax first, then the first value that does not
// fit its field (or a key that is no field's), then what follows the
// body's object, then keys naming a field but for case, and last missing
// required values, in the order the GraphQL mutation's conversion meets
// them. Paths are built only at a bad value, so deep bodies cost no more
// than long ones.

// errSyntax stops decoding at the first byte that is not valid JSON; the
// error is then worded from encoding/json's (see syntaxError).
var errSyntax = errors.New("invalid JSON")

// decoder reads one body.
type decoder struct {
	data []byte
	i    int
	// path are the values open around the current one.
	path []step
	// first is the first value in document order that does not fit;
	// inexact whether all such are keys that name a field but for case.
	first   *failure
	inexact bool
	// missing is the first missing required value in conversion order.
	missing *failure
}

// step is a member of an object (key, and its field's place among its
// type's fields, order) or an element of a list (index).
type step struct {
	key   string
	order int
	index int
}

// failure is an error found at a path; order places it among others.
type failure struct {
	path    string
	order   []int
	message string
}

func (d *decoder) enter(s step) { d.path = append(d.path, s) }
func (d *decoder) leave()       { d.path = d.path[:len(d.path)-1] }

// pathString writes the open path as GraphQL writes input paths.
func (d *decoder) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.key == "" {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// bad records that the current value does not fit; inexact is a key that
// names a field but for case.
func (d *decoder) bad(message string, inexact bool) {
	if d.first == nil {
		d.first, d.inexact = &failure{path: d.pathString(), message: message}, true
	}
	d.inexact = d.inexact && inexact
}

// require records a missing required value at the current path, if it
// comes before the one recorded; the path is built only then.
func (d *decoder) require(message string) {
	if d.missing != nil && !d.before(d.missing.order) {
		return
	}
	order := make([]int, len(d.path))
	for i, s := range d.path {
		order[i] = s.order + s.index
	}
	d.missing = &failure{path: d.pathString(), order: order, message: message}
}

// before reports whether the current path comes before order, in the
// order of fields and elements.
func (d *decoder) before(order []int) bool {
	for i, s := range d.path {
		if i == len(order) {
			return false
		}
		if o := s.order + s.index; o != order[i] {
			return o < order[i]
		}
	}
	return len(d.path) < len(order)
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next is the first byte of the next value (0 at the end), after space.
func (d *decoder) next() byte {
	d.ws()
	if d.i >= len(d.data) {
		panic(errSyntax)
	}
	return d.data[d.i]
}

// kind names the JSON kind of the value starting with c, as encoding/json
// names it in its errors.
func kind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// mismatch records that the current value is not what its field takes
// (want, "a string"), and skips it.
func (d *decoder) mismatch(want string) {
	d.bad("must be "+want+", not "+kind(d.next()), false)
	d.skip()
}

// null reads a null if one is next.
func (d *decoder) null() bool {
	if d.next() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

func (d *decoder) literal(word string) {
	if !bytes.HasPrefix(d.data[d.i:], []byte(word)) {
		panic(errSyntax)
	}
	d.i += len(word)
}

// object reads an object whose fields are named by fields, calling member
// with the index of each member's field; other keys are refused. It
// reports false, having refused it, for a value that is no object.
func (d *decoder) object(fields []string, member func(field int)) bool {
	if d.next() != '{' {
		d.mismatch("an object")
		return false
	}
	d.i++
	if d.next() == '}' {
		d.i++
		return true
	}
	for {
		if d.next() != '"' {
			panic(errSyntax)
		}
		key := d.str()
		if d.next() != ':' {
			panic(errSyntax)
		}
		d.i++
		field, exact := fieldOf(fields, key)
		d.enter(step{key: key, order: field})
		switch {
		case field < 0:
			d.bad("unknown field", false)
			d.skip()
		default:
			if !exact {
				d.bad("unknown field", true)
			}
			member(field)
		}
		d.leave()
		switch d.next() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			panic(errSyntax)
		}
	}
}

// fieldOf returns the index of the field named key: exactly, or, as
// encoding/json matches keys, but for case (which GraphQL does not).
func fieldOf(fields []string, key string) (int, bool) {
	folded := -1
	for i, f := range fields {
		if f == key {
			return i, true
		}
		if folded < 0 && strings.EqualFold(f, key) {
			folded = i
		}
	}
	return folded, false
}

// list reads a list, calling element for each element that is not null
// (a null one is a missing value). It reports false for null and, having
// refused it, for a value that is no list.
func (d *decoder) list(element func(i int)) bool {
	if d.null() {
		return false
	}
	if d.next() != '[' {
		d.mismatch("a list")
		return false
	}
	d.i++
	if d.next() == ']' {
		d.i++
		return true
	}
	for i := 0; ; i++ {
		d.enter(step{index: i})
		if d.null() {
			d.require("must not be null")
		} else {
			element(i)
		}
		d.leave()
		switch d.next() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			panic(errSyntax)
		}
	}
}

// str reads the string next, as encoding/json does (invalid UTF-8 and
// lone surrogates become U+FFFD).
func (d *decoder) str() string {
	start := d.i
	d.i++
	simple := true
	for {
		if d.i >= len(d.data) {
			panic(errSyntax)
		}
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			raw := d.data[start:d.i]
			if simple || utf8.Valid(raw) && bytes.IndexByte(raw, '\\') < 0 {
				return string(raw[1 : len(raw)-1])
			}
			var s string
			if json.Unmarshal(raw, &s) != nil {
				panic(errSyntax)
			}
			return s
		case c < 0x20:
			panic(errSyntax)
		case c == '\\':
			simple = false
			d.escape()
			continue
		case c >= 0x80:
			simple = false
		}
		d.i++
	}
}

// escape checks the escape at d.i and steps over it.
func (d *decoder) escape() {
	if d.i+1 >= len(d.data) {
		panic(errSyntax)
	}
	switch d.data[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
	case 'u':
		if d.i+6 > len(d.data) {
			panic(errSyntax)
		}
		for _, h := range d.data[d.i+2 : d.i+6] {
			if !isHex(h) {
				panic(errSyntax)
			}
		}
		d.i += 6
	default:
		panic(errSyntax)
	}
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// number reads the number next and returns it as written.
func (d *decoder) number() string {
	start := d.i
	if d.i < len(d.data) && d.data[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.data) && d.data[d.i] == '0':
		d.i++
	case d.i < len(d.data) && '1' <= d.data[d.i] && d.data[d.i] <= '9':
		d.digits()
	default:
		panic(errSyntax)
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			panic(errSyntax)
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			panic(errSyntax)
		}
	}
	return string(d.data[start:d.i])
}

func (d *decoder) digits() int {
	n := 0
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// skip steps over the value next, checking its syntax, and returns it. It
// does not recurse, so any depth costs no call stack.
func (d *decoder) skip() []byte {
	start := d.i
	var open []byte // the closing brackets of the arrays and objects open
	for {
		switch c := d.next(); c {
		case '{', '[':
			d.i++
			end := byte('}')
			if c == '[' {
				end = ']'
			}
			if d.next() != end {
				open = append(open, end)
				if c == '{' {
					d.key()
				}
				continue
			}
			d.i++
		case '"':
			d.str()
		case 't':
			d.literal("true")
		case 'f':
			d.literal("false")
		case 'n':
			d.literal("null")
		default:
			d.number()
		}
		// After a value: the next member or element, or the ends of the
		// arrays and objects that end here.
		for {
			if len(open) == 0 {
				return d.data[start:d.i]
			}
			c := d.next()
			if c == ',' {
				d.i++
				if open[len(open)-1] == '}' {
					d.key()
				}
				break
			}
			if c != open[len(open)-1] {
				panic(errSyntax)
			}
			d.i++
			open = open[:len(open)-1]
		}
	}
}

// key reads a member's key and its colon, inside skip.
func (d *decoder) key() {
	if d.next() != '"' {
		panic(errSyntax)
	}
	d.str()
	if d.next() != ':' {
		panic(errSyntax)
	}
	d.i++
}
