package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// MaxOperationNameBytes caps a request's operationName: it becomes a metric
// label and appears in logs and messages ("operation X not found").
const MaxOperationNameBytes = 256

// operationNameLimit refuses an operationName over MaxOperationNameBytes
// before the document is parsed.
type operationNameLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = operationNameLimit{}

func (operationNameLimit) ExtensionName() string                   { return "OperationNameLimit" }
func (operationNameLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (operationNameLimit) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if len(raw.OperationName) <= MaxOperationNameBytes {
		return nil
	}
	n := len(raw.OperationName)
	raw.OperationName = "" // nothing downstream sees it
	return &gqlerror.Error{
		Message:    fmt.Sprintf("operationName: %d bytes, more than the limit of %d", n, MaxOperationNameBytes),
		Extensions: map[string]any{"code": string(apperr.InvalidArgument), "field": "operationName"},
	}
}

// operationOutcomes is the fixed set of outcomes the operations metric
// counts; any other code is counted as "other".
var operationOutcomes = func() map[string]bool {
	set := map[string]bool{"ok": true, "CANCELLED": true, "GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true}
	for _, c := range apperr.Codes() {
		set[string(c)] = true
	}
	for _, c := range requestLimitCodes {
		set[c] = true
	}
	return set
}()

// operationOutcome bounds an error's code to operationOutcomes.
func operationOutcome(code any) string {
	if s, ok := code.(string); ok && operationOutcomes[s] {
		return s
	}
	return "other"
}
