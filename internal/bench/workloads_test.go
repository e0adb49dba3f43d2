package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestWorkloadsFitTheAPILimits sends each read workload's request, at its
// page size, to the API with its default limits on the demo data: none may
// be refused for its estimated cost or its memory budget.
func TestWorkloadsFitTheAPILimits(t *testing.T) {
	store := dbtest.MustOpen(t, dbtest.Backends()[0])
	if err := demo.Load(context.Background(), store, 1, demo.DefaultScale()); err != nil {
		t.Fatal(err)
	}
	h := graph.NewHandler(store, graph.DefaultOptions())
	post := func(body []byte) (int, []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	_, raw := post([]byte(`{"query": "{ projects(first: 1) { nodes { id projectName traces(first: 1) { nodes { id databaseId startTime } } } } }"}`))
	var found struct {
		Data struct {
			Projects struct {
				Nodes []struct {
					ID, ProjectName string
					Traces          struct {
						Nodes []struct {
							ID         string
							DatabaseID int64
							StartTime  time.Time
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &found); err != nil || len(found.Data.Projects.Nodes) == 0 || len(found.Data.Projects.Nodes[0].Traces.Nodes) == 0 {
		t.Fatalf("no demo data: %s", raw)
	}
	p := found.Data.Projects.Nodes[0]
	tr := p.Traces.Nodes[0]
	projects := []projectRef{{Name: p.ProjectName, ID: p.ID, From: tr.StartTime.Add(-24 * time.Hour), To: tr.StartTime}}
	traces := []traceRef{{ID: tr.ID, DatabaseID: tr.DatabaseID}}
	for key, w := range readWorkloads(projects, traces, 100) {
		status, answer := post(w.body(nil, w.vars(randFor(1))))
		var top map[string]json.RawMessage
		_ = json.Unmarshal(answer, &top)
		if _, failed := top["errors"]; status != http.StatusOK || failed || top["data"] == nil {
			t.Errorf("workload %s: %d %.300s", key, status, answer)
		}
	}
}
