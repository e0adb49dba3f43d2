-- Stable views for BI tools (Metabase, Superset, Grafana): one flat view per
-- kind of call with project and trace columns joined in, and a daily rollup
-- per project. Their columns only ever grow; see docs/bi.md.
CREATE VIEW bi_llm_calls AS
SELECT c.id, c.project_id, p.project_name, c.trace_id, tr.start_time AS trace_start_time, c.agent_id, a.name AS agent_name,
       c.name, c.model, c.start_time, c.end_time, c.duration,
       c.input_tokens, c.completion_tokens, c.reasoning_tokens, c.total_tokens,
       c.input_cost, c.output_cost, c.reasoning_cost, c.total_cost, c.memory_used,
       (SELECT COUNT(*) FROM errors e WHERE e.llm_call_id = c.id) AS error_count
FROM llm_call c
JOIN project_info p ON p.id = c.project_id
JOIN traces tr ON tr.id = c.trace_id
LEFT JOIN agent_call a ON a.id = c.agent_id;

CREATE VIEW bi_tool_calls AS
SELECT c.id, c.project_id, p.project_name, c.trace_id, tr.start_time AS trace_start_time, c.agent_id, a.name AS agent_name,
       c.name, c.start_time, c.end_time, c.duration, c.memory_used,
       (SELECT COUNT(*) FROM errors e WHERE e.tool_call_id = c.id) AS error_count
FROM tool_call c
JOIN project_info p ON p.id = c.project_id
JOIN traces tr ON tr.id = c.trace_id
LEFT JOIN agent_call a ON a.id = c.agent_id;

CREATE VIEW bi_agent_calls AS
SELECT c.id, c.project_id, p.project_name, c.trace_id, tr.start_time AS trace_start_time, c.name,
       c.start_time, c.end_time, EXTRACT(EPOCH FROM (c.end_time - c.start_time))::double precision AS duration
FROM agent_call c
JOIN project_info p ON p.id = c.project_id
JOIN traces tr ON tr.id = c.trace_id;

CREATE VIEW bi_traces AS
SELECT tr.id, tr.project_id, p.project_name, tr.external_id, tr.start_time, tr.end_time, tr.duration,
       tr.total_cost, tr.total_tokens,
       (SELECT COUNT(*) FROM errors e WHERE e.trace_id = tr.id) AS error_count
FROM traces tr
JOIN project_info p ON p.id = tr.project_id;

CREATE VIEW bi_errors AS
SELECT e.id, e.project_id, p.project_name, e.trace_id, e.error_type, e.error_message, e.fingerprint,
       e.normalized_message, e.timestamp, e.agent_id, e.llm_call_id, e.tool_call_id
FROM errors e
JOIN project_info p ON p.id = e.project_id;

CREATE VIEW bi_daily_usage AS
SELECT p.id AS project_id, p.project_name, d.day,
       COALESCE(t.traces, 0) AS traces, COALESCE(t.traces_with_errors, 0) AS traces_with_errors,
       COALESCE(c.llm_calls, 0) AS llm_calls, COALESCE(c.total_tokens, 0) AS total_tokens, COALESCE(c.total_cost, 0) AS total_cost
FROM project_info p
JOIN (SELECT DISTINCT project_id, (start_time AT TIME ZONE 'UTC')::date AS day FROM traces) d ON d.project_id = p.id
LEFT JOIN (SELECT project_id, (start_time AT TIME ZONE 'UTC')::date AS day, COUNT(*) AS traces,
                  COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM errors e WHERE e.trace_id = traces.id)) AS traces_with_errors
           FROM traces GROUP BY 1, 2) t ON t.project_id = p.id AND t.day = d.day
LEFT JOIN (SELECT project_id, (start_time AT TIME ZONE 'UTC')::date AS day, COUNT(*) AS llm_calls,
                  SUM(total_tokens) AS total_tokens, SUM(total_cost) AS total_cost
           FROM llm_call GROUP BY 1, 2) c ON c.project_id = p.id AND c.day = d.day;
