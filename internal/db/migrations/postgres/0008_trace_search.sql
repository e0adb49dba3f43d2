-- Text search reads per-trace documents instead of GIN indexes on
-- to_tsvector of every call: ingestion tokenizes in Go and appends the
-- distinct words a transaction wrote for a trace as one tsvector (see
-- internal/db/search_doc.go), so PostgreSQL never runs to_tsvector on a
-- write. A trace may have several rows; the backfill of existing traces
-- runs in Go after this script, in the same transaction (migrate.go).
CREATE TABLE trace_search (
    trace_id BIGINT   NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
-- Documents are kept small enough to stay in the row (under 6000 bytes):
-- out of line, the planner would not see their size and would rather
-- read every one than the GIN index.
ALTER TABLE trace_search ALTER COLUMN document SET STORAGE MAIN;
-- Writes go to the index's pending list, merged when it holds 1 MiB (or
-- by vacuum): as fast to write as the default 4 MiB here, and the planner,
-- which counts every pending page against the index, keeps choosing it.
CREATE INDEX trace_search_document ON trace_search USING GIN (document) WITH (gin_pending_list_limit = 1024);
CREATE INDEX trace_search_trace_id ON trace_search(trace_id);

DROP INDEX IF EXISTS llm_call_search;
DROP INDEX IF EXISTS tool_call_search;
DROP INDEX IF EXISTS user_interactions_search;
