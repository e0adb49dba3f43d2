-- Full-text search over what a trace said: prompts and outputs of LLM calls,
-- tool inputs and outputs, interaction contents, through GIN indexes on the
-- same tsvector expressions the search filter uses.
CREATE INDEX llm_call_search ON llm_call
    USING GIN (to_tsvector('simple', COALESCE(input_prompt, '') || ' ' || COALESCE(output, '')));
CREATE INDEX tool_call_search ON tool_call
    USING GIN (to_tsvector('simple', COALESCE(input_parameters, '') || ' ' || COALESCE(output, '')));
CREATE INDEX user_interactions_search ON user_interactions
    USING GIN (to_tsvector('simple', COALESCE(content, '')));
