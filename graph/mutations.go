package graph

import (
	"context"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// ingestTraces stores traces given as GraphQL input.
func ingestTraces(ctx context.Context, svc *ingest.Service, input []*model.TraceInput) (*model.IngestTracesPayload, error) {
	stored, err := ingestInputs(ctx, svc, input, "input")
	if err != nil {
		return nil, err
	}
	return &model.IngestTracesPayload{Traces: stored}, nil
}

// ingestInputs stores traces given as TraceInputs, by the mutation or by
// POST /v1/ingest; error paths start with path, the name of the list.
func ingestInputs(ctx context.Context, svc *ingest.Service, input []*model.TraceInput, path string) ([]*db.Trace, error) {
	traces := make([]ingest.Trace, len(input))
	for i, in := range input {
		traces[i] = traceFromInput(in)
	}
	return svc.IngestAs(ctx, traces, path)
}

// recordMetric attaches a metric to the trace named by a global id.
func recordMetric(ctx context.Context, svc *ingest.Service, in model.RecordMetricInput) (*db.Metric, error) {
	traceID, err := relay.ParseTyped("input.traceId", in.TraceID, load.Trace.TypeName)
	if err != nil {
		return nil, err
	}
	return svc.RecordMetric(ctx, traceID, metricFromInput(&model.MetricInput{
		ExternalID: in.ExternalID, MetricName: in.MetricName, Score: in.Score, Reason: in.Reason,
		ResultDetail: in.ResultDetail, Config: in.Config, StartTime: in.StartTime, EndTime: in.EndTime, Timestamp: in.Timestamp,
	}), "input")
}

// deleteByID deletes the row of ent named by a global id.
func deleteByID[T any](ctx context.Context, ent load.Entity[T], id string, del func(context.Context, int64) error) (*model.DeletePayload, error) {
	rowID, err := relay.ParseTyped("id", id, ent.TypeName)
	if err != nil {
		return nil, err
	}
	if err := del(ctx, rowID); err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: id}, nil
}

// setRetention sets the retention of the project named by a global id.
func setRetention(ctx context.Context, store *db.DB, projectID string, days *int) (*db.Project, error) {
	id, err := relay.ParseTyped("projectId", projectID, load.Project.TypeName)
	if err != nil {
		return nil, err
	}
	if err := checkRetention("days", days); err != nil {
		return nil, err
	}
	return store.SetRetention(ctx, id, days)
}

// createProject creates an empty project.
func createProject(ctx context.Context, store *db.DB, in model.CreateProjectInput) (*db.Project, error) {
	if err := checkRetention("input.retentionDays", in.RetentionDays); err != nil {
		return nil, err
	}
	name, err := ingest.ProjectName("input.name", in.Name)
	if err != nil {
		return nil, err
	}
	return store.CreateProject(ctx, name, in.RetentionDays)
}
