package ingest

import (
	"context"
	"fmt"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// CheckProjects refuses the whole request when ctx is limited to some
// projects (an API key's) and a trace names another one or a new one:
// scoped callers write only into their projects and never create any.
func (s *Service) CheckProjects(ctx context.Context, traces []Trace, path string) error {
	if _, scoped := db.ProjectScope(ctx); !scoped {
		return nil
	}
	allowed := map[string]bool{}
	for i, t := range traces {
		ok, seen := allowed[t.Project]
		if !seen {
			_, err := s.store.FindProjectByName(ctx, t.Project)
			if err != nil && apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
			ok = err == nil
			allowed[t.Project] = ok
		}
		if !ok {
			return &apperr.Error{Code: apperr.Forbidden, Field: fmt.Sprintf("%s[%d].project", path, i),
				Message: fmt.Sprintf("this API key may not write to project %q", t.Project)}
		}
	}
	return nil
}
