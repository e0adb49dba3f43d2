package db

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// CheckText is the one rule for text the store is given, the same on both
// databases: valid UTF-8 without the NUL character (PostgreSQL's text and
// jsonb cannot hold U+0000 and refuse invalid UTF-8; SQLite would keep
// them). It returns an INVALID_ARGUMENT error naming field, or nil.
func CheckText(field, s string) *apperr.Error {
	if strings.IndexByte(s, 0) >= 0 {
		return apperr.Invalid(field, "must not contain the NUL character (U+0000)")
	}
	if !utf8.ValidString(s) {
		return apperr.Invalid(field, "is not valid UTF-8")
	}
	return nil
}

// CheckJSONText is CheckText for a JSON document: U+0000 written as the
// escape \u0000 in any string or key is refused as well.
func CheckJSONText(field string, doc []byte) *apperr.Error {
	nul := bytes.IndexByte(doc, 0) >= 0
	for rest := doc; !nul; {
		i := bytes.IndexByte(rest, '\\')
		if i < 0 || i+1 == len(rest) {
			break
		}
		// Past the escaped character, so \\u0000 is a backslash and "u0000".
		nul = rest[i+1] == 'u' && bytes.HasPrefix(rest[i+2:], []byte("0000"))
		rest = rest[i+2:]
	}
	if nul {
		return apperr.Invalid(field, "must not contain the NUL character (U+0000)")
	}
	if !utf8.Valid(doc) {
		return apperr.Invalid(field, "is not valid UTF-8")
	}
	return nil
}
