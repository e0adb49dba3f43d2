package graph

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// getTransport is gqlgen's GET transport with its variables and extensions
// parameters held to the JSON limits (checkJSON) before gqlgen decodes them.
type getTransport struct{ transport.GET }

func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if err := checkGETParams(r); err != nil {
		var appErr *apperr.Error
		errors.As(err, &appErr)
		w.Header().Set("Content-Type", replyMediaType(r.Header.Get("Accept")))
		w.WriteHeader(appErr.Code.Status())
		writeResponse(w, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.WrapPath(nil, appErr)}), false)
		return
	}
	t.GET.Do(w, r, exec)
}

// checkGETParams checks the JSON parameters of a GET request; a query
// string that does not parse is left to the transport to refuse.
func checkGETParams(r *http.Request) error {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil
	}
	if v := query.Get("variables"); v != "" {
		if err := checkJSON(r.Context(), []byte(v), ""); err != nil {
			return err
		}
	}
	if v := query.Get("extensions"); v != "" {
		if err := checkJSON(r.Context(), []byte(v), ""); err != nil {
			var appErr *apperr.Error
			if errors.As(err, &appErr) && appErr.Field != "" {
				appErr.Field = "extensions." + appErr.Field
			}
			return err
		}
	}
	return nil
}
