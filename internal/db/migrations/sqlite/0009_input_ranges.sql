-- Repairs what numbers outside the input ranges (README: Input ranges) left
-- behind before ingestion refused them: token counts near 2^63 overflowed
-- trace and project totals, which SQLite then holds as REAL and nothing can
-- read or add to. LLM calls, tool calls and metrics are brought into the
-- ranges, then the totals of every trace and project they touch, or whose
-- totals are broken, are recounted as integers.

CREATE TEMP TABLE repair_calls AS
SELECT id, trace_id FROM llm_call
WHERE typeof(input_tokens) <> 'integer' OR typeof(completion_tokens) <> 'integer'
   OR typeof(reasoning_tokens) <> 'integer' OR typeof(total_tokens) <> 'integer'
   OR input_tokens NOT BETWEEN 0 AND 1000000000 OR completion_tokens NOT BETWEEN 0 AND 1000000000
   OR reasoning_tokens NOT BETWEEN 0 AND 1000000000 OR total_tokens NOT BETWEEN 0 AND 3000000000
   OR input_cost NOT BETWEEN 0 AND 1000000 OR output_cost NOT BETWEEN 0 AND 1000000
   OR reasoning_cost NOT BETWEEN 0 AND 1000000 OR total_cost NOT BETWEEN 0 AND 3000000;

-- CAST brings a REAL beyond the 64-bit range to the nearest end of it.
UPDATE llm_call SET
    input_tokens = MIN(MAX(CAST(input_tokens AS INTEGER), 0), 1000000000),
    completion_tokens = MIN(MAX(CAST(completion_tokens AS INTEGER), 0), 1000000000),
    reasoning_tokens = MIN(MAX(CAST(reasoning_tokens AS INTEGER), 0), 1000000000),
    total_tokens = MIN(MAX(CAST(total_tokens AS INTEGER), 0), 3000000000),
    input_cost = MIN(MAX(input_cost, 0), 1000000),
    output_cost = MIN(MAX(output_cost, 0), 1000000),
    reasoning_cost = MIN(MAX(reasoning_cost, 0), 1000000),
    total_cost = MIN(MAX(total_cost, 0), 3000000)
WHERE id IN (SELECT id FROM repair_calls);

-- The JSON copies say what the columns now say, as ingestion writes them.
UPDATE llm_call SET
    token_usage = json_object('input', input_tokens, 'completion', completion_tokens, 'reasoning', reasoning_tokens, 'total', total_tokens),
    cost = json_object('input', input_cost, 'output', output_cost, 'reasoning', reasoning_cost, 'total', total_cost)
WHERE id IN (SELECT id FROM repair_calls);

UPDATE llm_call SET memory_used = MIN(MAX(CAST(memory_used AS INTEGER), -1125899906842624), 1125899906842624)
WHERE memory_used NOT BETWEEN -1125899906842624 AND 1125899906842624;
UPDATE tool_call SET memory_used = MIN(MAX(CAST(memory_used AS INTEGER), -1125899906842624), 1125899906842624)
WHERE memory_used NOT BETWEEN -1125899906842624 AND 1125899906842624;
UPDATE metrics SET score = MIN(MAX(score, -1000000000000), 1000000000000)
WHERE score NOT BETWEEN -1000000000000 AND 1000000000000;

CREATE TEMP TABLE repair_traces AS
SELECT trace_id AS id FROM repair_calls
UNION
SELECT id FROM traces WHERE typeof(total_tokens) <> 'integer' OR total_tokens < 0 OR NOT (total_cost BETWEEN 0 AND 1e300);

UPDATE traces SET
    total_tokens = COALESCE((SELECT CAST(SUM(CAST(c.total_tokens AS REAL)) AS INTEGER) FROM llm_call c WHERE c.trace_id = traces.id), 0),
    total_cost = COALESCE((SELECT SUM(c.total_cost) FROM llm_call c WHERE c.trace_id = traces.id), 0)
WHERE id IN (SELECT id FROM repair_traces);

UPDATE project_info SET
    total_tokens = COALESCE((SELECT CAST(SUM(CAST(c.total_tokens AS REAL)) AS INTEGER) FROM llm_call c WHERE c.project_id = project_info.id), 0),
    total_cost = COALESCE((SELECT SUM(c.total_cost) FROM llm_call c WHERE c.project_id = project_info.id), 0)
WHERE id IN (SELECT project_id FROM traces WHERE id IN (SELECT id FROM repair_traces))
   OR typeof(total_tokens) <> 'integer' OR total_tokens < 0 OR NOT (total_cost BETWEEN 0 AND 1e300);

DROP TABLE repair_traces;
DROP TABLE repair_calls;
