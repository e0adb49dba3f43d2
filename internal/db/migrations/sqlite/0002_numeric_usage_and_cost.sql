-- Token usage and cost as plain numeric columns, so sums and averages need no
-- JSON parsing per row. The original JSON columns stay; rows written before
-- this migration are backfilled from them (AgentNeo and OpenAI key spellings).
ALTER TABLE llm_call ADD COLUMN input_tokens      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN reasoning_tokens  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN total_tokens      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN input_cost        REAL    NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN output_cost       REAL    NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN reasoning_cost    REAL    NOT NULL DEFAULT 0;
ALTER TABLE llm_call ADD COLUMN total_cost        REAL    NOT NULL DEFAULT 0;

UPDATE llm_call SET
    input_tokens = CAST(COALESCE(json_extract(token_usage, '$.input'), json_extract(token_usage, '$.prompt_tokens'),
                                 json_extract(token_usage, '$.input_tokens'), 0) AS INTEGER),
    completion_tokens = CAST(COALESCE(json_extract(token_usage, '$.completion'), json_extract(token_usage, '$.completion_tokens'),
                                      json_extract(token_usage, '$.output_tokens'), 0) AS INTEGER),
    reasoning_tokens = CAST(COALESCE(json_extract(token_usage, '$.reasoning'), json_extract(token_usage, '$.reasoning_tokens'), 0) AS INTEGER)
WHERE json_valid(token_usage) AND json_type(token_usage) = 'object';

UPDATE llm_call SET
    total_tokens = CAST(COALESCE(json_extract(token_usage, '$.total'), json_extract(token_usage, '$.total_tokens'),
                                 input_tokens + completion_tokens + reasoning_tokens) AS INTEGER)
WHERE json_valid(token_usage) AND json_type(token_usage) = 'object';

UPDATE llm_call SET
    input_cost = COALESCE(json_extract(cost, '$.input'), json_extract(cost, '$.input_cost'), 0),
    output_cost = COALESCE(json_extract(cost, '$.output'), json_extract(cost, '$.output_cost'), 0),
    reasoning_cost = COALESCE(json_extract(cost, '$.reasoning'), json_extract(cost, '$.reasoning_cost'), 0)
WHERE json_valid(cost) AND json_type(cost) = 'object';

UPDATE llm_call SET
    total_cost = COALESCE(json_extract(cost, '$.total'), json_extract(cost, '$.total_cost'),
                          input_cost + output_cost + reasoning_cost)
WHERE json_valid(cost) AND json_type(cost) = 'object';

-- A bare number in token_usage or cost is a total without a breakdown.
UPDATE llm_call SET total_tokens = CAST(token_usage AS INTEGER)
WHERE json_valid(token_usage) AND json_type(token_usage) IN ('integer', 'real');
UPDATE llm_call SET total_cost = CAST(cost AS REAL)
WHERE json_valid(cost) AND json_type(cost) IN ('integer', 'real');
