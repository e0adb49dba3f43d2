package fastlist

import (
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/db"
)

// The writers of the row tables (rows_gen.go): each writes a column as
// gqlgen's marshaller of its scalar would.

func str[T any](get func(*T) string) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendQuoted(b, get(r)), true })
}

func optStr[T any](get func(*T) *string) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptString(b, get(r)), true })
}

func integer[T any](get func(*T) int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return strconv.AppendInt(b, get(r), 10), true })
}

func optInt[T any](get func(*T) *int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptInt(b, get(r)), true })
}

func smallInt[T any](get func(*T) int) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return strconv.AppendInt(b, int64(get(r)), 10), true })
}

func optSmallInt[T any](get func(*T) *int) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) {
		if n := get(r); n != nil {
			return strconv.AppendInt(b, int64(*n), 10), true
		}
		return append(b, "null"...), true
	})
}

func float[T any](get func(*T) float64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendFloat(b, get(r)) })
}

func optFloat[T any](get func(*T) *float64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptFloat(b, get(r)) })
}

func timestamp[T any](get func(*T) time.Time) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendTime(b, get(r)), true })
}

func optTimestamp[T any](get func(*T) *time.Time) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptTime(b, get(r)), true })
}

func jsonDoc[T any](get func(*T) db.RawJSON) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendRawJSON(b, get(r)), true })
}

func nodeID[T any](typeName string, get func(*T) int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return relay.AppendID(b, typeName, get(r)), true })
}

func nodeIDs[T any](typeName string, get func(*T) []int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendIDs(b, typeName, get(r)), true })
}

// The fields of the row tables that gqlgen resolves (so rows_gen.go, which
// holds what the schema binds to columns, leaves them out) but that depend
// on the row alone. TestRowTablesCoverTheSchema fails when a leaf field of a
// row type is in neither.
func init() {
	agentCallRows.fields["llmCallIds"] = nodeIDs("LLMCall", func(r *db.AgentCall) []int64 { return r.LLMCallIDs.V })
	agentCallRows.fields["toolCallIds"] = nodeIDs("ToolCall", func(r *db.AgentCall) []int64 { return r.ToolCallIDs.V })
	agentCallRows.fields["userInteractionIds"] = nodeIDs("UserInteraction", func(r *db.AgentCall) []int64 { return r.UserInteractionIDs.V })
}
