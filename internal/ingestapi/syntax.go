package ingestapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// encoding/json's syntax errors name no path: a body that is not valid
// JSON is read again, token by token, to name the path of the value where
// it stops being valid, as GraphQL names input paths
// ("traces[3].llmCalls[2].startTime").

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

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// syntaxError is the error of a body that is not valid JSON, worded from
// encoding/json's, at the path where it stops being valid.
func syntaxError(raw []byte) *apperr.Error {
	err := json.NewDecoder(bytes.NewReader(raw)).Decode(new(json.RawMessage))
	if err == nil {
		return apperr.New(apperr.InvalidArgument, "the body is not valid JSON")
	}
	field := syntaxPath(json.NewDecoder(bytes.NewReader(raw)))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.Invalid(field, "is not valid JSON: the body ends before the JSON does")
	}
	return apperr.Invalid(field, "is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}
