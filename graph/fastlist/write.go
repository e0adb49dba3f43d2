// Package fastlist writes lists of rows selected only for their own
// columns (a trace's calls, errors and metrics), which are most of a big
// answer. gqlgen executes every field of every row: a field context, a
// middleware chain, a marshaller closure and a map per object, about a
// microsecond per field. Write puts such a list straight into one buffer
// from a plan compiled once per selection set, from the row tables
// generated from the schema (rows_gen.go). go generate
// (internal/tools/generate) calls it at the top of every generated list
// marshaller of rows; it declines whatever it cannot write exactly as
// gqlgen would, and gqlgen marshals that list as before. The plan bypasses
// field middleware, so it declines on a server with some
// (WithFieldMiddleware; authorization is per root field, and
// @recordedContent is checked here); graph's fastlists_test.go compares
// both paths byte for byte.
package fastlist

import (
	"context"
	"io"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/budget"
)

// writeField appends one field's JSON value; false means the value is one
// the fast path does not write (a NaN, a nil where the schema says non-null)
// and the whole list falls back to gqlgen.
type writeField[T any] func(b []byte, row *T) ([]byte, bool)

// fieldSpec compiles one selected field of a row type into its writer.
type fieldSpec[T any] func(f *ast.Field) (writeField[T], bool)

// rowTable is what the fast path can write of one row type.
type rowTable[T any] struct {
	typeName string
	fields   map[string]fieldSpec[T]
}

// rowPlan is a compiled selection set of one row type.
type rowPlan[T any] struct {
	keys     [][]byte // `"alias":`, with the comma before every key but the first
	writers  []writeField[T]
	recorded bool // selects @recordedContent fields
}

var (
	rowTables = map[reflect.Type]any{}

	// planCache maps a selection set to its *rowPlan (nil: not writable
	// here). Keys hold AST pointers of cached query documents, so the cache
	// is emptied when it grows past planCacheSize rather than keep documents
	// the query cache has dropped.
	planCache     sync.Map
	planCacheLen  atomic.Int64
	planCacheSize = int64(4096)

	// fastListsOff disables the fast path and fastListsWritten counts its
	// uses, for the tests that compare it with gqlgen's.
	fastListsOff     atomic.Bool
	fastListsWritten atomic.Int64
)

func registerRows[T any](t *rowTable[T]) { rowTables[reflect.TypeFor[T]()] = t }

// planKey identifies a selection set by its first selections and length;
// longer selection sets are compiled on every use instead of cached.
type planKey struct {
	row  reflect.Type
	n    int
	sels [12]ast.Selection
}

// Write returns the JSON of rows for selection sel, or false when gqlgen
// must marshal it.
func Write[T any](ctx context.Context, sel ast.SelectionSet, rows []*T) (graphql.Marshaler, bool) {
	if fastListsOff.Load() || len(rows) == 0 || ctx.Value(fieldMiddlewareKey{}) != nil {
		return nil, false
	}
	plan := planFor[T](sel)
	if plan == nil || (plan.recorded && !auth.From(ctx).CanRead()) {
		return nil, false
	}
	b := make([]byte, 0, len(rows)*32*len(plan.writers))
	b = append(b, '[')
	// The list is held until the answer is written: its growth is charged
	// to the request's budget, and past the budget it is dropped (the
	// answer fails with RESPONSE_TOO_LARGE).
	bud, charged := budget.From(ctx), 0
	for i, row := range rows {
		if row == nil {
			return nil, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = plan.appendObject(b, row); !ok {
			return nil, false
		}
		if cap(b) > charged {
			if bud.Charge(int64(cap(b)-charged)) != nil {
				return graphql.Null, true
			}
			charged = cap(b)
		}
	}
	fastListsWritten.Add(1)
	return rawJSON(append(b, ']')), true
}

// appendObject writes row as the JSON object of the plan's fields.
func (p *rowPlan[T]) appendObject(b []byte, row *T) ([]byte, bool) {
	b = append(b, '{')
	for j, w := range p.writers {
		b = append(b, p.keys[j]...)
		var ok bool
		if b, ok = w(b, row); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// rawJSON is an answer fragment already written.
type rawJSON []byte

func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

func planFor[T any](sel ast.SelectionSet) *rowPlan[T] {
	table, ok := rowTables[reflect.TypeFor[T]()].(*rowTable[T])
	if !ok {
		return nil
	}
	if len(sel) > len(planKey{}.sels) {
		plan, _ := compileRows(table, sel)
		return plan
	}
	key := planKey{row: reflect.TypeFor[T](), n: len(sel)}
	copy(key.sels[:], sel)
	if cached, ok := planCache.Load(key); ok {
		return cached.(*rowPlan[T])
	}
	plan, _ := compileRows(table, sel)
	if planCacheLen.Add(1) > planCacheSize {
		planCache.Clear()
		planCacheLen.Store(0)
	}
	planCache.Store(key, plan)
	return plan
}

// compileRows builds the plan of sel, or nil when some selection is one the
// fast path does not handle: directives (@skip, @include), fragments on
// other types, unknown or argument-taking fields, merged object fields.
func compileRows[T any](table *rowTable[T], sel ast.SelectionSet) (*rowPlan[T], bool) {
	plan := &rowPlan[T]{}
	seen := map[string]string{}
	var add func(sel ast.SelectionSet) bool
	add = func(sel ast.SelectionSet) bool {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if len(s.Directives) > 0 || len(s.Arguments) > 0 || s.Definition == nil {
					return false
				}
				if name, dup := seen[s.Alias]; dup {
					// Validation makes same-alias fields the same field; only
					// leaves merge without combining sub-selections.
					if name != s.Name || len(s.SelectionSet) > 0 {
						return false
					}
					continue
				}
				w, ok := compileField(table, s)
				if !ok {
					return false
				}
				if s.Definition.Directives.ForName("recordedContent") != nil {
					plan.recorded = true
				}
				seen[s.Alias] = s.Name
				plan.keys = append(plan.keys, fieldKey(len(plan.keys) > 0, s.Alias))
				plan.writers = append(plan.writers, w)
			case *ast.InlineFragment:
				if len(s.Directives) > 0 || (s.TypeCondition != "" && s.TypeCondition != table.typeName) || !add(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				d := s.Definition
				if len(s.Directives) > 0 || d == nil || len(d.Directives) > 0 || d.TypeCondition != table.typeName || !add(d.SelectionSet) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	if !add(sel) || len(plan.writers) == 0 {
		return nil, false
	}
	return plan, true
}

func compileField[T any](table *rowTable[T], f *ast.Field) (writeField[T], bool) {
	if f.Name == "__typename" {
		name := appendQuoted(nil, table.typeName)
		return func(b []byte, _ *T) ([]byte, bool) { return append(b, name...), true }, true
	}
	spec, ok := table.fields[f.Name]
	if !ok {
		return nil, false
	}
	return spec(f)
}

func fieldKey(comma bool, alias string) []byte {
	var b []byte
	if comma {
		b = append(b, ',')
	}
	return append(appendQuoted(b, alias), ':')
}

// objectField compiles a value object's sub-selection (tokenUsage { … }) into a
// writer of the parent row.
func objectField[T, V any](table *rowTable[V], get func(*T) *V) fieldSpec[T] {
	return func(f *ast.Field) (writeField[T], bool) {
		plan, ok := compileRows(table, f.SelectionSet)
		if !ok || plan.recorded {
			return nil, false
		}
		return func(b []byte, row *T) ([]byte, bool) { return plan.appendObject(b, get(row)) }, true
	}
}

// leaf is a field whose value does not depend on its (empty) selection.
func leaf[T any](w writeField[T]) fieldSpec[T] {
	return func(f *ast.Field) (writeField[T], bool) { return w, len(f.SelectionSet) == 0 }
}

// fieldMiddlewareKey marks the operations of a server with field middleware.
type fieldMiddlewareKey struct{}

// WithFieldMiddleware marks ctx as the operation of a server whose fields
// pass through middleware: Write declines its lists.
func WithFieldMiddleware(ctx context.Context) context.Context {
	return context.WithValue(ctx, fieldMiddlewareKey{}, true)
}

// SetEnabled turns the writer on or off (for the tests that compare it
// with gqlgen); it returns how to restore the previous setting.
func SetEnabled(on bool) (restore func()) {
	was := !fastListsOff.Swap(!on)
	return func() { fastListsOff.Store(!was) }
}

// Written counts the lists written so far.
func Written() int64 { return fastListsWritten.Load() }

// Tables lists, per GraphQL type, the fields the writer can write.
func Tables() map[string][]string {
	out := map[string][]string{}
	for _, t := range rowTables {
		name, fields := t.(interface{ describe() (string, []string) }).describe()
		out[name] = fields
	}
	return out
}

func (t *rowTable[T]) describe() (string, []string) {
	fields := make([]string, 0, len(t.fields))
	for f := range t.fields {
		fields = append(fields, f)
	}
	return t.typeName, fields
}
