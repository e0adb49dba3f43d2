package ingestapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// encoding/json matches keys to fields regardless of case ("StartTime" is
// taken for startTime), where GraphQL knows no such field. So after a body
// decoded, its keys are checked against the names of all fields of all
// the body's types: as no two of those names differ only in case (a test
// keeps it so), a key that is one of them and matched a field of its
// object is exactly that field's name. Keys inside JSON values are the
// client's own and are skipped.

// bodyKeys are the JSON names of the fields of the body's types; true for
// those whose values are free-form JSON.
var bodyKeys = func() map[string]bool {
	keys := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			keys[name] = keys[name] || f.Type == reflect.TypeFor[jsonValue]()
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[request]())
	return keys
}()

// inexactKey reports whether body, which decoded, has a key that is not
// exactly the name of a field.
func inexactKey(body []byte) bool {
	for i := 0; ; {
		q := bytes.IndexByte(body[i:], '"')
		if q < 0 {
			return false
		}
		start := i + q + 1
		end := stringEnd(body, start)
		if end < 0 {
			return false
		}
		i = end + 1
		colon := skipSpace(body, i)
		if colon >= len(body) || body[colon] != ':' {
			continue // a string value
		}
		key := body[start:end]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if json.Unmarshal(body[start-1:end+1], &s) != nil {
				return true
			}
			key = []byte(s)
		}
		free, ok := bodyKeys[string(key)]
		if !ok {
			return true
		}
		if free {
			i = skipValue(body, skipSpace(body, colon+1))
		}
	}
}

// stringEnd returns the index of the quote closing the string that starts
// at start: the first quote after an even number of backslashes.
func stringEnd(b []byte, start int) int {
	for i := start; ; {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return -1
		}
		end := i + q
		slashes := 0
		for j := end - 1; j >= start && b[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return end
		}
		i = end + 1
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index after the object or list at i; other values
// need no skipping (the scan for keys passes over them).
func skipValue(b []byte, i int) int {
	if i >= len(b) || (b[i] != '{' && b[i] != '[') {
		return i
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		case '"':
			end := stringEnd(b, i+1)
			if end < 0 {
				return len(b)
			}
			i = end
		}
	}
	return i
}
