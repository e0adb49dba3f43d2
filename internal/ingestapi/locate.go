package ingestapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// encoding/json's errors name no list index ("traces.llmCalls.startTime"
// at best), and those of the scalars' UnmarshalJSON and of unknown fields
// name nothing. So a body that does not decode is walked again, value by
// value, to name the path of the first bad one as GraphQL does
// ("traces[3].llmCalls[2].startTime"). That costs a decode per level of
// the body's types, and only for refused bodies; paths are built once, at
// the bad value, so deep bodies cost no more than long ones.

// locate returns the path of the value of body that made decoding fail
// with err, and what is wrong with it.
func locate(body []byte, err error) (field, message string) {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
		field = syntaxPath(json.NewDecoder(bytes.NewReader(body)))
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return field, "is not valid JSON: the body ends before the JSON does"
		}
		return field, "is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	field, cause := semanticPath(reflect.TypeFor[request](), body, "")
	if cause == nil {
		cause = err // not found again: report what the decoder said
	}
	if field == "" {
		return "", "the body " + describe(cause)
	}
	return field, describe(cause)
}

// syntaxPath reads the document at dec up to where it stops being valid
// JSON, and returns the path of the value it was reading there ("" when it
// is all valid).
func syntaxPath(dec *json.Decoder) string {
	// The open arrays and objects, each at its current element.
	type open struct {
		array bool
		index int
		key   string
	}
	var stack []open
	at := func(n int) string { // the path of the current element of the n outer ones
		var b strings.Builder
		for _, o := range stack[:n] {
			if o.array {
				b.WriteString(indexPath("", o.index))
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(o.key)
			}
		}
		return b.String()
	}
	for {
		tok, err := dec.Token() // a value
		if err != nil {
			return at(len(stack))
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, open{})
		case json.Delim('['):
			stack = append(stack, open{array: true, index: -1})
		}
		// Then the next element of the innermost open one, closing those that end.
		for {
			if len(stack) == 0 {
				return ""
			}
			if top := &stack[len(stack)-1]; dec.More() {
				if top.array {
					top.index++
					break
				}
				key, err := dec.Token()
				if err != nil {
					return at(len(stack) - 1)
				}
				top.key = fmt.Sprint(key)
				break
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return at(len(stack) - 1)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// errUnknownField is a member that the input type does not have; names
// match exactly, as in GraphQL.
var errUnknownField = errors.New("unknown field")

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// semanticPath returns the path of the first value of raw, a valid JSON
// document, that does not decode into t, or whose key is not exactly a
// field's name, and why; nil when there is none.
func semanticPath(t reflect.Type, raw []byte, path string) (string, error) {
	if bytes.Equal(raw, []byte("null")) {
		return path, nil // every field and element may be null as far as decoding goes
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	leaf := func() (string, error) { return path, decodeStrict(raw, reflect.New(t).Interface()) }
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return leaf() // a scalar
	}
	switch t.Kind() {
	case reflect.Struct:
		dec := json.NewDecoder(bytes.NewReader(raw))
		if tok, _ := dec.Token(); tok != json.Delim('{') {
			return leaf() // not an object
		}
		for dec.More() {
			key, _ := dec.Token()
			name := fmt.Sprint(key)
			var value json.RawMessage
			if err := dec.Decode(&value); err != nil {
				return path, err
			}
			f, ok := fieldNamed(t, name)
			if !ok {
				return joinPath(path, name), errUnknownField
			}
			if p, err := semanticPath(f.Type, value, joinPath(path, name)); err != nil {
				return p, err
			}
		}
		return path, nil
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return leaf() // not a list
		}
		for i, item := range items {
			if p, err := semanticPath(t.Elem(), item, indexPath(path, i)); err != nil {
				return p, err
			}
		}
		return path, nil
	}
	return leaf()
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// fieldNamed returns the field of struct t whose JSON name is exactly name.
func fieldNamed(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// describe says what is wrong with a value, for a client.
func describe(err error) string {
	var typeErr *json.UnmarshalTypeError
	var appErr *apperr.Error
	switch {
	case errors.As(err, &typeErr):
		return fmt.Sprintf("must be %s, not %s", kindName(typeErr.Type), typeErr.Value)
	case errors.As(err, &appErr):
		return appErr.Message
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// kindName names what a Go type of the body takes, in JSON's words.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return t.String()
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
