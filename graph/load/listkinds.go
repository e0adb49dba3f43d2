package load

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// listKind is how the lists of one entity are filtered and sorted. Filter
// and sort arguments travel in canonical JSON, so that the page arguments
// are comparable loader keys: the parents that ask for the same list batch.
type listKind struct {
	order       db.Order // the default
	canonFilter func(v any) (string, error)
	canonSort   func(v any) (string, error)
	spec        func(d *db.DB, filter, sort string) (db.Cond, db.Order, error)
}

// newKind builds a listKind from the GraphQL filter and order input types F
// and S and their translations into SQL.
func newKind[F, S any](order db.Order, cond func(*F, *db.DB) (db.Cond, error), sortOf func(*S) db.Order, defaults func(*S)) *listKind {
	return &listKind{
		order:       order,
		canonFilter: func(v any) (string, error) { return canonical[F](v, nil) },
		canonSort:   func(v any) (string, error) { return canonical(v, defaults) },
		spec: func(d *db.DB, filter, sort string) (db.Cond, db.Order, error) {
			var where db.Cond
			o := order
			if filter != "" {
				var f F
				if err := json.Unmarshal([]byte(filter), &f); err != nil {
					return where, o, apperr.Invalid("filter", "malformed")
				}
				var err error
				if where, err = cond(&f, d); err != nil {
					return where, o, err
				}
			}
			if sort != "" {
				var s S
				if err := json.Unmarshal([]byte(sort), &s); err != nil {
					return where, o, apperr.Invalid("orderBy", "malformed")
				}
				o = sortOf(&s)
			}
			return where, o, nil
		},
	}
}

// canonical re-encodes v, a typed input or a raw argument value, through M,
// so both give the same string; nil gives "".
func canonical[M any](v any, defaults func(*M)) (string, error) {
	if v == nil {
		return "", nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		// An absent typed argument: no need to encode it to learn that.
		return "", nil
	}
	raw, err := json.Marshal(v)
	if err != nil || string(raw) == "null" {
		return "", err
	}
	var m M
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	if defaults != nil {
		defaults(&m)
	}
	out, err := json.Marshal(m)
	return string(out), err
}

func direction(d model.SortDirection) bool { return d == model.SortDirectionDesc }

func timeRange(r *model.TimeRangeInput) db.TimeRange {
	if r == nil {
		return db.TimeRange{}
	}
	return db.TimeRange{From: r.From, To: r.To}
}

func floatRange(r *model.FloatRangeInput) db.FloatRange {
	if r == nil {
		return db.FloatRange{}
	}
	return db.FloatRange{Min: r.Min, Max: r.Max}
}

func intRange(r *model.IntRangeInput) db.IntRange {
	if r == nil {
		return db.IntRange{}
	}
	return db.IntRange{Min: r.Min, Max: r.Max}
}

func ascByDefault(d *model.SortDirection) {
	if *d == "" {
		*d = model.SortDirectionAsc
	}
}

// The kinds of every list of the graph.
var (
	TraceKind = newKind(db.TraceOrder,
		func(f *model.TraceFilter, d *db.DB) (db.Cond, error) {
			tf := db.TraceFilter{
				Started: timeRange(f.StartTime), HasErrors: f.HasErrors, ErrorType: f.ErrorType,
				AgentName: f.AgentName, ToolName: f.ToolName, Model: f.Model,
				Duration: floatRange(f.Duration), Cost: floatRange(f.Cost), Tokens: intRange(f.Tokens), Search: f.Search,
			}
			if m := f.Metric; m != nil {
				tf.Metric = &db.MetricScore{Name: m.Name, Score: floatRange(m.Score)}
			}
			if err := db.CheckSearch("filter.search", f.Search); err != nil {
				return db.Cond{}, err
			}
			return tf.Cond(d), nil
		},
		func(s *model.TraceOrder) db.Order {
			return map[model.TraceOrderField]db.Order{
				model.TraceOrderFieldStartTime: db.TraceOrder, model.TraceOrderFieldDuration: db.DurationOrder,
				model.TraceOrderFieldCost: db.CostOrder, model.TraceOrderFieldTokens: db.TokensOrder,
			}[s.Field].Descending(direction(s.Direction))
		},
		func(s *model.TraceOrder) {
			if s.Direction == "" {
				s.Direction = model.SortDirectionDesc
			}
		})

	llmCallKind = newKind(db.StartTimeOrder,
		func(f *model.LLMCallFilter, _ *db.DB) (db.Cond, error) {
			return db.LLMCallFilter{Name: f.Name, Model: f.Model, Started: timeRange(f.StartTime),
				Duration: floatRange(f.Duration), Cost: floatRange(f.Cost), Tokens: intRange(f.Tokens)}.Cond(), nil
		},
		func(s *model.LLMCallOrder) db.Order {
			return map[model.LLMCallOrderField]db.Order{
				model.LLMCallOrderFieldStartTime: db.StartTimeOrder, model.LLMCallOrderFieldDuration: db.DurationOrder,
				model.LLMCallOrderFieldCost: db.CostOrder, model.LLMCallOrderFieldTokens: db.TokensOrder,
			}[s.Field].Descending(direction(s.Direction))
		},
		func(s *model.LLMCallOrder) { ascByDefault(&s.Direction) })

	toolCallKind = newKind(db.StartTimeOrder,
		func(f *model.ToolCallFilter, _ *db.DB) (db.Cond, error) {
			return db.ToolCallFilter{Name: f.Name, Started: timeRange(f.StartTime), Duration: floatRange(f.Duration)}.Cond(), nil
		},
		func(s *model.ToolCallOrder) db.Order {
			o := db.StartTimeOrder
			if s.Field == model.ToolCallOrderFieldDuration {
				o = db.DurationOrder
			}
			return o.Descending(direction(s.Direction))
		},
		func(s *model.ToolCallOrder) { ascByDefault(&s.Direction) })

	agentCallKind = newKind(db.StartTimeOrder,
		func(f *model.AgentCallFilter, _ *db.DB) (db.Cond, error) {
			return db.AgentCallFilter{Name: f.Name, Started: timeRange(f.StartTime)}.Cond(), nil
		},
		func(s *model.AgentCallOrder) db.Order { return db.StartTimeOrder.Descending(direction(s.Direction)) },
		func(s *model.AgentCallOrder) { ascByDefault(&s.Direction) })

	errorKind = newKind(db.TimestampOrder,
		func(f *model.TraceErrorFilter, _ *db.DB) (db.Cond, error) {
			return db.ErrorFilter{ErrorType: f.ErrorType, Fingerprint: f.Fingerprint, Time: timeRange(f.Timestamp)}.Cond(), nil
		},
		func(s *model.TraceErrorOrder) db.Order { return db.TimestampOrder.Descending(direction(s.Direction)) },
		func(s *model.TraceErrorOrder) { ascByDefault(&s.Direction) })

	interactionKind = newKind(db.TimestampOrder,
		func(f *model.UserInteractionFilter, _ *db.DB) (db.Cond, error) {
			return db.InteractionFilter{InteractionType: f.InteractionType, Time: timeRange(f.Timestamp)}.Cond(), nil
		},
		func(s *model.UserInteractionOrder) db.Order {
			return db.TimestampOrder.Descending(direction(s.Direction))
		},
		func(s *model.UserInteractionOrder) { ascByDefault(&s.Direction) })

	metricKind = newKind(db.TimestampOrder,
		func(f *model.MetricFilter, _ *db.DB) (db.Cond, error) {
			return db.MetricFilter{MetricName: f.MetricName, Score: floatRange(f.Score), Time: timeRange(f.Timestamp)}.Cond(), nil
		},
		func(s *model.MetricOrder) db.Order {
			o := db.TimestampOrder
			if s.Field == model.MetricOrderFieldScore {
				o = db.ScoreOrder
			}
			return o.Descending(direction(s.Direction))
		},
		func(s *model.MetricOrder) { ascByDefault(&s.Direction) })

	// Lists that take no arguments.
	ProjectKind    = fixedKind(db.ProjectOrder)
	systemInfoKind = fixedKind(db.SystemInfoOrder)
)

// fixedKind is a list in one order, without filters.
func fixedKind(order db.Order) *listKind {
	return &listKind{
		order:       order,
		canonFilter: func(any) (string, error) { return "", nil },
		canonSort:   func(any) (string, error) { return "", nil },
		spec:        func(*db.DB, string, string) (db.Cond, db.Order, error) { return db.Cond{}, order, nil },
	}
}

// optionalColumns are, per list kind, the columns read only when a field
// that needs them is selected, with the GraphQL type of the list's items
// and the field that reads each column. They are the large ones (texts,
// JSON documents, id lists) and the small ones few selections ask for,
// whose strings would be allocated for every row. No field ("") means no
// field reads the column: AgentNeo's JSON twins of the numeric token and
// cost columns, and the external ids a write keeps until it can link rows.
var optionalColumns = map[*listKind]struct {
	typeName string
	fields   [][2]string // field, column
}{
	llmCallKind: {"LLMCall", [][2]string{{"inputPrompt", "input_prompt"}, {"output", "output"}, {"toolCall", "tool_call"},
		{"", "token_usage"}, {"", "cost"}, {"externalId", "external_id"}, {"memoryUsed", "memory_used"}, {"", "agent_external_id"}}},
	toolCallKind: {"ToolCall", [][2]string{{"inputParameters", "input_parameters"}, {"output", "output"}, {"networkCalls", "network_calls"},
		{"externalId", "external_id"}, {"memoryUsed", "memory_used"}, {"", "agent_external_id"}}},
	agentCallKind: {"AgentCall", [][2]string{{"llmCallIds", "llm_call_ids"}, {"toolCallIds", "tool_call_ids"}, {"userInteractionIds", "user_interaction_ids"},
		{"externalId", "external_id"}}},
	errorKind: {"TraceError", [][2]string{{"errorMessage", "error_message"}, {"externalId", "external_id"}, {"", "agent_external_id"}, {"", "llm_call_external_id"},
		{"", "tool_call_external_id"}, {"", "normalized_message"}, {"", "fingerprint"}}},
	metricKind:      {"Metric", [][2]string{{"reason", "reason"}, {"resultDetail", "result_detail"}, {"config", "config"}, {"externalId", "external_id"}}},
	interactionKind: {"UserInteraction", [][2]string{{"content", "content"}, {"externalId", "external_id"}}},
}

// omitFor returns the optional columns of kind that the selection of a
// connection field (conn) does not read, comma-separated, in a fixed
// order: part of the page key, so a page read without them serves only
// selections that do not need them.
func omitFor(ctx context.Context, kind *listKind, conn ast.SelectionSet) string {
	optional, ok := optionalColumns[kind]
	if !ok || len(conn) == 0 {
		return ""
	}
	// Every parent of a list asks with the same selection: work it out once
	// per request and selection (identified by its first field's node).
	key := omitKey{kind: kind, first: conn[0], n: len(conn)}
	return omit(ctx, key, func() string { return computeOmit(ctx, optional.typeName, optional.fields, conn) })
}

// omitKey identifies a list kind's selection within a request.
type omitKey struct {
	kind  *listKind
	first ast.Selection
	n     int
}

func computeOmit(ctx context.Context, typeName string, fields [][2]string, conn ast.SelectionSet) string {
	opCtx := graphql.GetOperationContext(ctx)
	selected := map[string]bool{}
	mark := func(sel ast.SelectionSet) {
		for _, f := range graphql.CollectFields(opCtx, sel, []string{typeName, "Node"}) {
			selected[f.Name] = true
		}
	}
	for _, f := range graphql.CollectFields(opCtx, conn, nil) {
		switch f.Name {
		case "nodes":
			mark(f.Selections)
		case "edges":
			for _, e := range graphql.CollectFields(opCtx, f.Selections, nil) {
				if e.Name == "node" {
					mark(e.Selections)
				}
			}
		}
	}
	var omit []string
	for _, fc := range fields {
		if !selected[fc[0]] {
			omit = append(omit, fc[1])
		}
	}
	return strings.Join(omit, ",")
}

// OptionalFields lists, per GraphQL type, the fields whose columns lists
// read only when they are selected.
func OptionalFields() map[string][]string {
	out := map[string][]string{}
	for _, o := range optionalColumns {
		for _, fc := range o.fields {
			if fc[0] != "" {
				out[o.typeName] = append(out[o.typeName], fc[0])
			}
		}
	}
	return out
}
