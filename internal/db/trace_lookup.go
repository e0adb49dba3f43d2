package db

import (
	"context"
	"fmt"
	"time"
)

// TraceStartsByExternalID returns the start times of the traces of the
// project called projectName whose external ids are among ids, keyed by
// external id. A project that does not exist has none. Importers use it to
// see what a file's keys already hold before they write anything.
func (d *DB) TraceStartsByExternalID(ctx context.Context, projectName string, ids []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	in, arg := d.inStrings("t.external_id", ids)
	var rows []struct {
		ExternalID string
		StartTime  scanTime
	}
	err := d.conn(ctx).Raw(`SELECT t.external_id, t.start_time FROM traces t
		JOIN project_info p ON p.id = t.project_id
		WHERE p.project_name = ? AND `+in, projectName, arg).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.StartTime.Valid {
			out[r.ExternalID] = r.StartTime.Time
		}
	}
	return out, nil
}

// keyedChildTables are the tables whose rows have external ids of their own.
var keyedChildTables = map[string]bool{
	"agent_call": true, "llm_call": true, "tool_call": true, "user_interactions": true, "errors": true, "metrics": true,
}

// TraceKeysByExternalID returns, for the rows of table in the project called
// projectName whose external ids are among ids, the external id of the
// trace each belongs to, keyed by the row's external id.
func (d *DB) TraceKeysByExternalID(ctx context.Context, table, projectName string, ids []string) (map[string]string, error) {
	if !keyedChildTables[table] {
		return nil, fmt.Errorf("trace keys: no keyed table %q", table)
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, arg := d.inStrings("c.external_id", ids)
	var rows []struct {
		ExternalID string
		TraceKey   *string
	}
	err := d.conn(ctx).Raw(`SELECT c.external_id, t.external_id AS trace_key FROM `+table+` c
		JOIN project_info p ON p.id = c.project_id
		JOIN traces t ON t.id = c.trace_id
		WHERE p.project_name = ? AND `+in, projectName, arg).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.TraceKey != nil {
			out[r.ExternalID] = *r.TraceKey
		} else {
			out[r.ExternalID] = ""
		}
	}
	return out, nil
}
