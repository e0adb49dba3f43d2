package model

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// MarshalString writes s as GraphQL's built-in String does.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads every String argument and input field as GraphQL's
// built-in String does, and refuses text the store cannot hold (NUL,
// invalid UTF-8; see db.CheckText) before anything runs, whatever the
// argument. gqlgen adds the value's path to the error.
func UnmarshalString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		var err error
		if s, err = graphql.UnmarshalString(v); err != nil {
			return "", apperr.New(apperr.InvalidArgument, "String must be a string")
		}
	}
	if err := db.CheckText("", s); err != nil {
		return "", err
	}
	return s, nil
}
