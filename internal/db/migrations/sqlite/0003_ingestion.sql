-- Idempotent ingestion: client-supplied external ids, unique per project and
-- entity type; references by external id to entities that may arrive later
-- (OTLP spans of one trace come in several exports); metrics get the project
-- id the other entities have; projects get a retention setting.
ALTER TABLE traces ADD COLUMN external_id TEXT;
ALTER TABLE agent_call ADD COLUMN external_id TEXT;
ALTER TABLE llm_call ADD COLUMN external_id TEXT;
ALTER TABLE tool_call ADD COLUMN external_id TEXT;
ALTER TABLE user_interactions ADD COLUMN external_id TEXT;
ALTER TABLE errors ADD COLUMN external_id TEXT;
ALTER TABLE metrics ADD COLUMN external_id TEXT;

CREATE UNIQUE INDEX traces_external_id ON traces(project_id, external_id);
CREATE UNIQUE INDEX agent_call_external_id ON agent_call(project_id, external_id);
CREATE UNIQUE INDEX llm_call_external_id ON llm_call(project_id, external_id);
CREATE UNIQUE INDEX tool_call_external_id ON tool_call(project_id, external_id);
CREATE UNIQUE INDEX user_interactions_external_id ON user_interactions(project_id, external_id);
CREATE UNIQUE INDEX errors_external_id ON errors(project_id, external_id);

ALTER TABLE llm_call ADD COLUMN agent_external_id TEXT;
ALTER TABLE tool_call ADD COLUMN agent_external_id TEXT;
ALTER TABLE user_interactions ADD COLUMN agent_external_id TEXT;
ALTER TABLE errors ADD COLUMN agent_external_id TEXT;
ALTER TABLE errors ADD COLUMN llm_call_external_id TEXT;
ALTER TABLE errors ADD COLUMN tool_call_external_id TEXT;

ALTER TABLE metrics ADD COLUMN project_id INTEGER REFERENCES project_info(id) ON DELETE CASCADE;
UPDATE metrics SET project_id = (SELECT t.project_id FROM traces t WHERE t.id = metrics.trace_id);
CREATE UNIQUE INDEX metrics_external_id ON metrics(project_id, external_id);

ALTER TABLE project_info ADD COLUMN retention_days INTEGER;
