-- Repairs what numbers outside the input ranges (README: Input ranges) left
-- behind before ingestion refused them: a token count near 2^63 made its
-- project's total overflow bigint on every later write. LLM calls, tool
-- calls and metrics are brought into the ranges, then the totals of every
-- trace and project they touch, or whose totals are broken, are recounted.

CREATE TEMP TABLE repair_calls ON COMMIT DROP AS
SELECT id, trace_id FROM llm_call
WHERE input_tokens NOT BETWEEN 0 AND 1000000000 OR completion_tokens NOT BETWEEN 0 AND 1000000000
   OR reasoning_tokens NOT BETWEEN 0 AND 1000000000 OR total_tokens NOT BETWEEN 0 AND 3000000000
   OR input_cost NOT BETWEEN 0 AND 1000000 OR output_cost NOT BETWEEN 0 AND 1000000
   OR reasoning_cost NOT BETWEEN 0 AND 1000000 OR total_cost NOT BETWEEN 0 AND 3000000;

-- NaN sorts above every number, so LEAST brings it to the top of the range.
UPDATE llm_call SET
    input_tokens = LEAST(GREATEST(input_tokens, 0), 1000000000),
    completion_tokens = LEAST(GREATEST(completion_tokens, 0), 1000000000),
    reasoning_tokens = LEAST(GREATEST(reasoning_tokens, 0), 1000000000),
    total_tokens = LEAST(GREATEST(total_tokens, 0), 3000000000),
    input_cost = LEAST(GREATEST(input_cost, 0), 1000000),
    output_cost = LEAST(GREATEST(output_cost, 0), 1000000),
    reasoning_cost = LEAST(GREATEST(reasoning_cost, 0), 1000000),
    total_cost = LEAST(GREATEST(total_cost, 0), 3000000)
WHERE id IN (SELECT id FROM repair_calls);

-- The JSON copies say what the columns now say, as ingestion writes them.
UPDATE llm_call SET
    token_usage = jsonb_build_object('input', input_tokens, 'completion', completion_tokens, 'reasoning', reasoning_tokens, 'total', total_tokens),
    cost = jsonb_build_object('input', input_cost, 'output', output_cost, 'reasoning', reasoning_cost, 'total', total_cost)
WHERE id IN (SELECT id FROM repair_calls);

UPDATE llm_call SET memory_used = LEAST(GREATEST(memory_used, -1125899906842624), 1125899906842624)
WHERE memory_used NOT BETWEEN -1125899906842624 AND 1125899906842624;
UPDATE tool_call SET memory_used = LEAST(GREATEST(memory_used, -1125899906842624), 1125899906842624)
WHERE memory_used NOT BETWEEN -1125899906842624 AND 1125899906842624;
UPDATE metrics SET score = LEAST(GREATEST(score, -1000000000000), 1000000000000)
WHERE score NOT BETWEEN -1000000000000 AND 1000000000000;

CREATE TEMP TABLE repair_traces ON COMMIT DROP AS
SELECT trace_id AS id FROM repair_calls
UNION
SELECT id FROM traces WHERE total_tokens < 0 OR NOT (total_cost BETWEEN 0 AND 1e300);

UPDATE traces SET
    total_tokens = (SELECT LEAST(COALESCE(SUM(c.total_tokens), 0), 9223372036854775807)::bigint FROM llm_call c WHERE c.trace_id = traces.id),
    total_cost = (SELECT COALESCE(SUM(c.total_cost), 0) FROM llm_call c WHERE c.trace_id = traces.id)
WHERE id IN (SELECT id FROM repair_traces);

UPDATE project_info SET
    total_tokens = (SELECT LEAST(COALESCE(SUM(c.total_tokens), 0), 9223372036854775807)::bigint FROM llm_call c WHERE c.project_id = project_info.id),
    total_cost = (SELECT COALESCE(SUM(c.total_cost), 0) FROM llm_call c WHERE c.project_id = project_info.id)
WHERE id IN (SELECT project_id FROM traces WHERE id IN (SELECT id FROM repair_traces))
   OR total_tokens < 0 OR NOT (total_cost BETWEEN 0 AND 1e300);
