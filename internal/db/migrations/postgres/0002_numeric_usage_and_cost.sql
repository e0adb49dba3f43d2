-- Token usage and cost as plain numeric columns, so sums and averages need no
-- JSON parsing per row. The original JSON columns stay; rows written before
-- this migration are backfilled from them (AgentNeo and OpenAI key spellings).
ALTER TABLE llm_call
    ADD COLUMN input_tokens      BIGINT           NOT NULL DEFAULT 0,
    ADD COLUMN completion_tokens BIGINT           NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_tokens  BIGINT           NOT NULL DEFAULT 0,
    ADD COLUMN total_tokens      BIGINT           NOT NULL DEFAULT 0,
    ADD COLUMN input_cost        DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN output_cost       DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_cost    DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN total_cost        DOUBLE PRECISION NOT NULL DEFAULT 0;

UPDATE llm_call SET
    input_tokens = COALESCE(token_usage->>'input', token_usage->>'prompt_tokens', token_usage->>'input_tokens', '0')::numeric::bigint,
    completion_tokens = COALESCE(token_usage->>'completion', token_usage->>'completion_tokens', token_usage->>'output_tokens', '0')::numeric::bigint,
    reasoning_tokens = COALESCE(token_usage->>'reasoning', token_usage->>'reasoning_tokens', '0')::numeric::bigint
WHERE jsonb_typeof(token_usage) = 'object';

UPDATE llm_call SET
    total_tokens = COALESCE((COALESCE(token_usage->>'total', token_usage->>'total_tokens'))::numeric::bigint,
                            input_tokens + completion_tokens + reasoning_tokens)
WHERE jsonb_typeof(token_usage) = 'object';

UPDATE llm_call SET
    input_cost = COALESCE(cost->>'input', cost->>'input_cost', '0')::double precision,
    output_cost = COALESCE(cost->>'output', cost->>'output_cost', '0')::double precision,
    reasoning_cost = COALESCE(cost->>'reasoning', cost->>'reasoning_cost', '0')::double precision
WHERE jsonb_typeof(cost) = 'object';

UPDATE llm_call SET
    total_cost = COALESCE((COALESCE(cost->>'total', cost->>'total_cost'))::double precision,
                          input_cost + output_cost + reasoning_cost)
WHERE jsonb_typeof(cost) = 'object';

-- A bare number in token_usage or cost is a total without a breakdown.
UPDATE llm_call SET total_tokens = (token_usage #>> '{}')::numeric::bigint WHERE jsonb_typeof(token_usage) = 'number';
UPDATE llm_call SET total_cost = (cost #>> '{}')::double precision WHERE jsonb_typeof(cost) = 'number';
