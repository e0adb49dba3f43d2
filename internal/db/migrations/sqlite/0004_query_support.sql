-- Columns and indexes that filters, sorting and rollups read: the token and
-- cost totals of each trace (kept by ingestion like the project's), and the
-- fingerprint grouping errors that differ only in numbers, ids and quoted
-- values (filled by the server for existing rows after migrating).
ALTER TABLE traces ADD COLUMN total_cost REAL NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN total_tokens INTEGER NOT NULL DEFAULT 0;
UPDATE traces SET
    total_cost = COALESCE((SELECT SUM(c.total_cost) FROM llm_call c WHERE c.trace_id = traces.id), 0),
    total_tokens = COALESCE((SELECT SUM(c.total_tokens) FROM llm_call c WHERE c.trace_id = traces.id), 0);
CREATE INDEX traces_project_id_duration ON traces(project_id, duration, id);
CREATE INDEX traces_project_id_total_cost ON traces(project_id, total_cost, id);
CREATE INDEX traces_project_id_total_tokens ON traces(project_id, total_tokens, id);

ALTER TABLE errors ADD COLUMN fingerprint TEXT;
ALTER TABLE errors ADD COLUMN normalized_message TEXT;
CREATE INDEX errors_project_id_fingerprint ON errors(project_id, fingerprint, timestamp);

CREATE INDEX llm_call_project_id_model ON llm_call(project_id, model, start_time);
CREATE INDEX tool_call_project_id_name ON tool_call(project_id, name, start_time);
CREATE INDEX agent_call_project_id_name ON agent_call(project_id, name, start_time);
CREATE INDEX metrics_project_id_name ON metrics(project_id, metric_name, timestamp);
