-- Full-text search over what a trace said: prompts and outputs of LLM calls,
-- tool inputs and outputs, interaction contents. One FTS5 index; each row's
-- rowid is its source id * 4 + a kind (0 LLM call, 1 tool call,
-- 2 interaction), so triggers keep it in step with the tables.
CREATE VIRTUAL TABLE search_text USING fts5(body, trace_id UNINDEXED, tokenize = 'unicode61');

INSERT INTO search_text (rowid, body, trace_id)
    SELECT id * 4, COALESCE(input_prompt, '') || ' ' || COALESCE(output, ''), trace_id FROM llm_call;
INSERT INTO search_text (rowid, body, trace_id)
    SELECT id * 4 + 1, COALESCE(input_parameters, '') || ' ' || COALESCE(output, ''), trace_id FROM tool_call;
INSERT INTO search_text (rowid, body, trace_id)
    SELECT id * 4 + 2, COALESCE(content, ''), trace_id FROM user_interactions;

CREATE TRIGGER llm_call_search_insert AFTER INSERT ON llm_call BEGIN
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4, COALESCE(new.input_prompt, '') || ' ' || COALESCE(new.output, ''), new.trace_id);
END;
CREATE TRIGGER llm_call_search_update AFTER UPDATE OF input_prompt, output, trace_id ON llm_call BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4;
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4, COALESCE(new.input_prompt, '') || ' ' || COALESCE(new.output, ''), new.trace_id);
END;
CREATE TRIGGER llm_call_search_delete AFTER DELETE ON llm_call BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4;
END;

CREATE TRIGGER tool_call_search_insert AFTER INSERT ON tool_call BEGIN
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4 + 1, COALESCE(new.input_parameters, '') || ' ' || COALESCE(new.output, ''), new.trace_id);
END;
CREATE TRIGGER tool_call_search_update AFTER UPDATE OF input_parameters, output, trace_id ON tool_call BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4 + 1;
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4 + 1, COALESCE(new.input_parameters, '') || ' ' || COALESCE(new.output, ''), new.trace_id);
END;
CREATE TRIGGER tool_call_search_delete AFTER DELETE ON tool_call BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4 + 1;
END;

CREATE TRIGGER user_interactions_search_insert AFTER INSERT ON user_interactions BEGIN
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4 + 2, COALESCE(new.content, ''), new.trace_id);
END;
CREATE TRIGGER user_interactions_search_update AFTER UPDATE OF content, trace_id ON user_interactions BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4 + 2;
    INSERT INTO search_text (rowid, body, trace_id) VALUES (new.id * 4 + 2, COALESCE(new.content, ''), new.trace_id);
END;
CREATE TRIGGER user_interactions_search_delete AFTER DELETE ON user_interactions BEGIN
    DELETE FROM search_text WHERE rowid = old.id * 4 + 2;
END;
