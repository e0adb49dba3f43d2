package graph

import (
	"context"
	"errors"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// checkGETParam holds a GET request's JSON parameter (variables or
// extensions) to the JSON limits (checkJSON) before it is decoded.
func checkGETParam(ctx context.Context, name, raw string) error {
	if raw == "" {
		return nil
	}
	err := checkJSON(ctx, []byte(raw), "")
	var appErr *apperr.Error
	if name == "extensions" && errors.As(err, &appErr) && appErr.Field != "" {
		appErr.Field = "extensions." + appErr.Field
	}
	return err
}
