// Package agentneotest writes a small AgentNeo database for tests: the
// tables as AgentNeo's SQLAlchemy models create them on SQLite, with rows
// that show every quirk of the real format (naive local-time datetimes,
// double-encoded JSON, repeated ids in the agent id lists, lowercase error
// types, agents without end_time, metrics without a project id, system info
// with and without GPUs).
package agentneotest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "github.com/glebarez/go-sqlite"
)

// Zone is the time zone the fixture's naive datetimes were recorded in.
// Summer dates are UTC-4 there, winter dates UTC-5.
const Zone = "America/New_York"

// Schema is AgentNeo's schema as SQLAlchemy creates it on SQLite.
const Schema = `
CREATE TABLE project_info (
	id INTEGER NOT NULL,
	project_name VARCHAR NOT NULL,
	start_time DATETIME,
	end_time DATETIME,
	duration FLOAT,
	total_cost FLOAT,
	total_tokens INTEGER,
	PRIMARY KEY (id)
);
CREATE TABLE traces (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	start_time DATETIME,
	end_time DATETIME,
	duration FLOAT,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id)
);
CREATE TABLE system_info (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	os_name VARCHAR NOT NULL,
	os_version VARCHAR NOT NULL,
	python_version VARCHAR NOT NULL,
	cpu_info VARCHAR NOT NULL,
	gpu_info VARCHAR,
	disk_info VARCHAR,
	memory_total FLOAT NOT NULL,
	installed_packages VARCHAR NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id)
);
CREATE TABLE agent_call (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	name VARCHAR NOT NULL,
	start_time DATETIME,
	end_time DATETIME,
	trace_id INTEGER NOT NULL,
	llm_call_ids JSON,
	tool_call_ids JSON,
	user_interaction_ids JSON,
	PRIMARY KEY (id),
	UNIQUE (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id)
);
CREATE TABLE llm_call (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	agent_id INTEGER,
	name VARCHAR NOT NULL,
	model VARCHAR,
	input_prompt VARCHAR NOT NULL,
	output VARCHAR NOT NULL,
	tool_call VARCHAR,
	start_time DATETIME,
	end_time DATETIME,
	duration FLOAT,
	token_usage JSON NOT NULL,
	cost JSON NOT NULL,
	memory_used INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(agent_id) REFERENCES agent_call (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id)
);
CREATE TABLE tool_call (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	agent_id INTEGER,
	name VARCHAR NOT NULL,
	input_parameters VARCHAR NOT NULL,
	output VARCHAR NOT NULL,
	start_time DATETIME,
	end_time DATETIME,
	duration FLOAT,
	memory_used INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	network_calls JSON,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(agent_id) REFERENCES agent_call (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id)
);
CREATE TABLE user_interactions (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	agent_id INTEGER,
	interaction_type VARCHAR NOT NULL,
	content VARCHAR NOT NULL,
	timestamp DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id),
	FOREIGN KEY(agent_id) REFERENCES agent_call (id)
);
CREATE TABLE errors (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	agent_id INTEGER,
	tool_call_id INTEGER,
	llm_call_id INTEGER,
	error_type VARCHAR NOT NULL,
	error_message VARCHAR NOT NULL,
	timestamp DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES project_info (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id),
	FOREIGN KEY(agent_id) REFERENCES agent_call (id),
	FOREIGN KEY(tool_call_id) REFERENCES tool_call (id),
	FOREIGN KEY(llm_call_id) REFERENCES llm_call (id)
);
CREATE TABLE metrics (
	id INTEGER NOT NULL,
	trace_id INTEGER NOT NULL,
	metric_name VARCHAR NOT NULL,
	score FLOAT,
	reason VARCHAR,
	result_detail JSON NOT NULL,
	config JSON NOT NULL,
	start_time DATETIME,
	end_time DATETIME,
	duration FLOAT,
	timestamp DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(trace_id) REFERENCES traces (id)
);
`

// Rows fills the schema. JSON written by AgentNeo with json.dumps into a
// JSON column is a JSON string holding JSON (double-encoded); the text
// columns hold JSON once. Python writes ", " and ": " separators.
//
// The data, by trace (datetimes are local time in Zone):
//
//	trace 1, project 1 "travel-planner", 2024-07-15 (EDT): agents 1 "planner"
//	  (ended) and 2 "summarizer" (no end_time); LLM calls 1, 2 in agent 1
//	  (llm_call_ids lists 1 twice), 3 in agent 2 (JSON encoded once), 4
//	  outside agents; tool calls 1 in agent 1 (with a network call, negative
//	  memory), 2 outside; interactions 1, 2 in agent 1, 3 outside; errors 1
//	  "llm" (call 2, agent 1), 2 "tool" (call 1, agent 1), 3 "agent"
//	  (agent 2); metrics 1, 2 (result_detail double-encoded); system info 1
//	  with a GPU.
//	trace 2, project 1, 2024-01-10 (EST), no end_time: LLM call 5 outside
//	  agents; metric 3; system info 2 without GPU or disk info.
//	trace 3, project 2 "support-bot", 2024-11-05 (EST): agent 3 "support"
//	  (no end_time, llm_call_ids [6, 6]); LLM call 6 and tool call 3 and
//	  interaction 4 in it; errors 4 "llm" (call 6), 5 "tool" (tool 3,
//	  agent 3); system info 3 with two GPUs.
//	trace 4, project 2, 2024-11-06 (EST): error 6 "agent" without any
//	  reference; metric 4.
//	project 3 "idle-project" has no traces.
const Rows = `
INSERT INTO project_info VALUES
 (1, 'travel-planner', '2024-01-10 23:30:00.250000', '2024-07-15 09:00:05.500000', 15765905.25, 0.0123, 2100),
 (2, 'support-bot', '2024-11-05 14:15:16.123456', '2024-11-06 08:00:01.000000', 63644.876544, 0.002, 700),
 (3, 'idle-project', '2024-12-01 10:00:00.000000', NULL, NULL, NULL, NULL);

INSERT INTO traces VALUES
 (1, 1, '2024-07-15 09:00:00.000000', '2024-07-15 09:00:05.500000', 5.5),
 (2, 1, '2024-01-10 23:30:00.250000', NULL, NULL),
 (3, 2, '2024-11-05 14:15:16.123456', '2024-11-05 14:15:20.000000', 3.876544),
 (4, 2, '2024-11-06 08:00:00.000000', '2024-11-06 08:00:01.000000', 1.0);

INSERT INTO system_info VALUES
 (1, 1, 1, 'Linux', '6.5.0-41-generic', '3.11.9', 'x86_64',
  '[{"name": "NVIDIA A100-SXM4-40GB", "memory_total": 40960.0}]',
  '{"total": 512.0, "available": 128.5}', 31.25,
  '{"agentneo": "1.2.3", "openai": "1.40.0", "requests": "2.32.3"}'),
 (2, 1, 2, 'Darwin', '23.5.0', '3.12.4', 'arm', NULL, NULL, 16.0, '{"agentneo": "1.2.2"}'),
 (3, 2, 3, 'Linux', '5.15.0', '3.10.14', 'x86_64',
  '[{"name": "Tesla T4", "memory_total": 15360.0}, {"name": "Tesla T4", "memory_total": 15360.0}]',
  '{"total": 100.0, "available": 42.0}', 64.0, '{"langchain": "0.2.14"}');

INSERT INTO agent_call VALUES
 (1, 1, 'planner', '2024-07-15 09:00:00.100000', '2024-07-15 09:00:04.000000', 1,
  '"[1, 1, 2]"', '"[1]"', '"[1, 2]"'),
 (2, 1, 'summarizer', '2024-07-15 09:00:04.100000', NULL, 1, '"[3]"', '"[]"', '"[]"'),
 (3, 2, 'support', '2024-11-05 14:15:16.200000', NULL, 3, '"[6, 6]"', '"[3]"', '"[4]"');

INSERT INTO llm_call VALUES
 (1, 1, 1, 'plan_trip', 'gpt-4o-mini', 'Plan a trip to Lisbon', 'Day 1: Alfama...', NULL,
  '2024-07-15 09:00:00.200000', '2024-07-15 09:00:01.000000', 0.8,
  '"{\"input\": 451, \"completion\": 59, \"reasoning\": 0}"',
  '"{\"input\": 6.765e-05, \"output\": 3.54e-05, \"reasoning\": 0.0}"', 2048, 1),
 (2, 1, 1, 'choose_flight', 'gpt-4o', 'Which flight?', '', '{"name": "search_flights", "arguments": "{\"to\": \"LIS\"}"}',
  '2024-07-15 09:00:01.500000', '2024-07-15 09:00:03.250000', 1.75,
  '"{\"input\": 1200, \"completion\": 300, \"reasoning\": 50}"',
  '"{\"input\": 0.003, \"output\": 0.003, \"reasoning\": 0.0005}"', 4096, 1),
 (3, 1, 2, 'summarize', 'gpt-4o-mini', 'Summarize the plan', 'A 3-day trip.', NULL,
  '2024-07-15 09:00:04.200000', '2024-07-15 09:00:05.000000', 0.8,
  '{"input": 10, "completion": 5, "reasoning": 0}',
  '{"input": 1.5e-06, "output": 3e-06, "reasoning": 0.0}', 0, 1),
 (4, 1, NULL, 'classify', 'gpt-4o-mini', 'Is this a trip request?', 'yes', NULL,
  '2024-07-15 09:00:05.100000', '2024-07-15 09:00:05.400000', 0.3,
  '"{\"input\": 20, \"completion\": 1, \"reasoning\": 0}"',
  '"{\"input\": 3e-06, \"output\": 6e-07, \"reasoning\": 0.0}"', 512, 1),
 (5, 1, NULL, 'warmup', 'claude-3-5-sonnet-20240620', 'ping', 'pong', NULL,
  '2024-01-10 23:30:01.000000', '2024-01-10 23:30:02.500000', 1.5,
  '"{\"input\": 7, \"completion\": 3, \"reasoning\": 0}"',
  '"{\"input\": 2.1e-05, \"output\": 4.5e-05, \"reasoning\": 0.0}"', 128, 2),
 (6, 2, 3, 'answer', 'gpt-4o-mini', 'My order is late', 'Sorry to hear that...', NULL,
  '2024-11-05 14:15:17.000000', '2024-11-05 14:15:18.500000', 1.5,
  '"{\"input\": 600, \"completion\": 100, \"reasoning\": 0}"',
  '"{\"input\": 9e-05, \"output\": 6e-05, \"reasoning\": 0.0}"', 1024, 3);

INSERT INTO tool_call VALUES
 (1, 1, 1, 'search_flights', '{"to": "LIS", "date": "2024-08-01"}', '[{"flight": "TP1234"}]',
  '2024-07-15 09:00:01.100000', '2024-07-15 09:00:01.400000', 0.3, -512, 1,
  '[{"method": "GET", "url": "https://api.example.com/flights?to=LIS", "status_code": 200, "error": null, "start_time": "2024-07-15T09:00:01.200000", "end_time": "2024-07-15T09:00:01.350000", "duration": 0.15, "request_headers": {"Accept": "application/json"}, "response_headers": {"Content-Type": "application/json"}, "request_body": null, "response_body": "[{\"flight\": \"TP1234\"}]"}]'),
 (2, 1, NULL, 'currency', '{"from": "USD", "to": "EUR"}', '0.92',
  '2024-07-15 09:00:05.410000', '2024-07-15 09:00:05.450000', 0.04, 256, 1, NULL),
 (3, 2, 3, 'lookup_order', '{"order": 42}', 'shipped',
  '2024-11-05 14:15:18.600000', '2024-11-05 14:15:19.000000', 0.4, 64, 3, '[]');

INSERT INTO user_interactions VALUES
 (1, 1, 1, 1, 'input', 'I want to go to Lisbon', '2024-07-15 09:00:00.050000'),
 (2, 1, 1, 1, 'output', 'Here is your plan', '2024-07-15 09:00:03.900000'),
 (3, 1, 1, NULL, 'input', 'Thanks!', '2024-07-15 09:00:05.450000'),
 (4, 2, 3, 3, 'output', 'Your order has shipped', '2024-11-05 14:15:19.500000');

INSERT INTO errors VALUES
 (1, 1, 1, 1, NULL, 2, 'llm', 'RateLimitError: slow down', '2024-07-15 09:00:03.300000'),
 (2, 1, 1, 1, 1, NULL, 'tool', 'TimeoutError: flights API', '2024-07-15 09:00:01.450000'),
 (3, 1, 1, 2, NULL, NULL, 'agent', 'summarizer crashed', '2024-07-15 09:00:05.050000'),
 (4, 2, 3, NULL, NULL, 6, 'llm', 'content filter', '2024-11-05 14:15:18.600000'),
 (5, 2, 3, 3, 3, NULL, 'tool', 'order service 503', '2024-11-05 14:15:19.100000'),
 (6, 2, 4, NULL, NULL, NULL, 'agent', 'no agent available', '2024-11-06 08:00:00.500000');

INSERT INTO metrics VALUES
 (1, 1, 'goal_decomposition_efficiency', 0.85, 'Clear sub-goals',
  '{"subgoals": 3, "scores": [0.8, 0.9]}', '{"model": "gpt-4o-mini"}',
  '2024-07-15 09:01:00.000000', '2024-07-15 09:01:02.000000', 2.0, '2024-07-15 09:01:02.000000'),
 (2, 1, 'tool_call_success_rate', 0.5, NULL,
  '"{\"successes\": 1, \"calls\": 2}"', '{}',
  '2024-07-15 09:01:03.000000', NULL, NULL, '2024-07-15 09:01:03.000000'),
 (3, 2, 'response_latency', 1.5, 'one call', '{"p50": 1.5}', '{}',
  '2024-01-10 23:31:00.000000', '2024-01-10 23:31:00.500000', 0.5, '2024-01-10 23:31:00.500000'),
 (4, 4, 'error_detection_rate', NULL, NULL, '{}', '{"threshold": 0.5}',
  NULL, NULL, NULL, '2024-11-06 08:00:02.000000');
`

// Counts is the number of rows of each table in the fixture.
var Counts = map[string]int{
	"project_info": 3, "traces": 4, "system_info": 3, "agent_call": 3, "llm_call": 6,
	"tool_call": 3, "user_interactions": 4, "errors": 6, "metrics": 4,
}

// OtherRows fill the schema with a second, unrelated recording: the same
// project names and row ids as Rows, other data. Its trace 1 (travel-planner)
// and 3 (support-bot) have the keys of Rows' traces 1 and 3 when no source
// tells the files apart; agent 1 is "booker" where Rows has "planner".
//
//	trace 1, project 1 "travel-planner", 2025-03-02, 24 s: agent 1 "booker"
//	  with LLM call 1, tool call 1 and interaction 1; metric 1; system info
//	  1 (Windows).
//	trace 2, project 2 "support-bot", 2025-03-03: agent 2 "helper" with LLM
//	  call 2.
//	trace 3, project 2: LLM call 3 outside agents, error 1 "llm" on it.
const OtherRows = `
INSERT INTO project_info VALUES
 (1, 'travel-planner', '2025-03-02 08:00:00.000001', '2025-03-02 08:00:24.000001', 24.0, 0.0015, 300),
 (2, 'support-bot', '2025-03-03 09:00:00.000002', '2025-03-03 09:05:04.000000', 304.0, 0.0000351, 111);

INSERT INTO traces VALUES
 (1, 1, '2025-03-02 08:00:00.000001', '2025-03-02 08:00:24.000001', 24.0),
 (2, 2, '2025-03-03 09:00:00.000002', '2025-03-03 09:00:10.000002', 10.0),
 (3, 2, '2025-03-03 09:05:00.000000', '2025-03-03 09:05:04.000000', 4.0);

INSERT INTO system_info VALUES
 (1, 1, 1, 'Windows', '10.0.22631', '3.12.1', 'AMD64', NULL, NULL, 8.0, '{"agentneo": "1.2.2"}');

INSERT INTO agent_call VALUES
 (1, 1, 'booker', '2025-03-02 08:00:00.100000', '2025-03-02 08:00:23.000000', 1, '"[1]"', '"[1]"', '"[1]"'),
 (2, 2, 'helper', '2025-03-03 09:00:00.100000', NULL, 2, '"[2]"', '"[]"', '"[]"');

INSERT INTO llm_call VALUES
 (1, 1, 1, 'book_hotel', 'gpt-4o', 'Book a hotel in Porto', 'Booked.', NULL,
  '2025-03-02 08:00:01.000000', '2025-03-02 08:00:20.000000', 19.0,
  '"{\"input\": 200, \"completion\": 100, \"reasoning\": 0}"',
  '"{\"input\": 0.0005, \"output\": 0.001, \"reasoning\": 0.0}"', 1024, 1),
 (2, 2, 2, 'reply', 'gpt-4o-mini', 'Hello', 'Hi!', NULL,
  '2025-03-03 09:00:01.000000', '2025-03-03 09:00:02.000000', 1.0,
  '"{\"input\": 60, \"completion\": 40, \"reasoning\": 0}"',
  '"{\"input\": 9e-06, \"output\": 2.4e-05, \"reasoning\": 0.0}"', 256, 2),
 (3, 2, NULL, 'triage', 'gpt-4o-mini', 'Urgent?', 'no', NULL,
  '2025-03-03 09:05:01.000000', '2025-03-03 09:05:02.000000', 1.0,
  '"{\"input\": 10, \"completion\": 1, \"reasoning\": 0}"',
  '"{\"input\": 1.5e-06, \"output\": 6e-07, \"reasoning\": 0.0}"', 64, 3);

INSERT INTO tool_call VALUES
 (1, 1, 1, 'hotel_search', '{"city": "Porto"}', '[{"hotel": "Ribeira"}]',
  '2025-03-02 08:00:02.000000', '2025-03-02 08:00:03.000000', 1.0, 128, 1, '[]');

INSERT INTO user_interactions VALUES
 (1, 1, 1, 1, 'input', 'A hotel in Porto, please', '2025-03-02 08:00:00.050000');

INSERT INTO errors VALUES
 (1, 2, 3, NULL, NULL, 3, 'llm', 'overloaded', '2025-03-03 09:05:03.000000');

INSERT INTO metrics VALUES
 (1, 1, 'goal_fulfillment_rate', 1.0, 'booked', '{}', '{}',
  '2025-03-02 08:01:00.000000', '2025-03-02 08:01:01.000000', 1.0, '2025-03-02 08:01:01.000000');
`

// OtherCounts is the number of rows of each table in OtherRows.
var OtherCounts = map[string]int{
	"project_info": 2, "traces": 3, "system_info": 1, "agent_call": 2, "llm_call": 3,
	"tool_call": 1, "user_interactions": 1, "errors": 1, "metrics": 1,
}

// Growth is what AgentNeo adds to the fixture when it records on: trace 2
// ends (and gets LLM call 7), and trace 5 in support-bot, with agent 4 and
// its LLM call 8, is new.
const Growth = `
UPDATE traces SET end_time = '2024-01-10 23:30:09.000000', duration = 8.75 WHERE id = 2;
INSERT INTO llm_call VALUES
 (7, 1, NULL, 'followup', 'gpt-4o-mini', 'And then?', 'Done.', NULL,
  '2024-01-10 23:30:05.000000', '2024-01-10 23:30:09.000000', 4.0,
  '"{\"input\": 5, \"completion\": 5, \"reasoning\": 0}"',
  '"{\"input\": 7.5e-07, \"output\": 3e-06, \"reasoning\": 0.0}"', 64, 2);
INSERT INTO traces VALUES (5, 2, '2024-11-07 10:00:00.000000', '2024-11-07 10:00:02.000000', 2.0);
INSERT INTO agent_call VALUES
 (4, 2, 'support', '2024-11-07 10:00:00.100000', '2024-11-07 10:00:01.900000', 5, '"[8]"', '"[]"', '"[]"');
INSERT INTO llm_call VALUES
 (8, 2, 4, 'answer', 'gpt-4o-mini', 'Where is my refund?', 'On its way.', NULL,
  '2024-11-07 10:00:00.200000', '2024-11-07 10:00:01.800000', 1.6,
  '"{\"input\": 30, \"completion\": 10, \"reasoning\": 0}"',
  '"{\"input\": 4.5e-06, \"output\": 6e-06, \"reasoning\": 0.0}"', 128, 5);
UPDATE project_info SET end_time = '2024-11-07 10:00:02.000000' WHERE id = 2;
`

// GrowthCounts is the number of rows Growth adds to each table.
var GrowthCounts = map[string]int{"traces": 1, "agent_call": 1, "llm_call": 2}

// Write creates the fixture database at path, which must not exist.
func Write(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("agentneotest: %s exists", path)
	}
	return Exec(path, Schema, Rows)
}

// WriteOther creates the OtherRows database at path, which must not exist.
func WriteOther(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("agentneotest: %s exists", path)
	}
	return Exec(path, Schema, OtherRows)
}

// Copy copies the database file at from to to, which must not exist.
func Copy(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// DropColumn removes column from table in the database at path, by
// copying the table without it (SQLite cannot drop a key column).
func DropColumn(path, table, column string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return err
	}
	var keep []string
	found := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if name == column {
			found = true
			continue
		}
		keep = append(keep, `"`+name+`"`)
	}
	rows.Close()
	if !found {
		return fmt.Errorf("agentneotest: %s has no column %s", table, column)
	}
	script := fmt.Sprintf(`CREATE TABLE "new_%[1]s" AS SELECT %[2]s FROM "%[1]s"; DROP TABLE "%[1]s"; ALTER TABLE "new_%[1]s" RENAME TO "%[1]s";`,
		table, strings.Join(keep, ", "))
	if _, err := db.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("agentneotest: %w", err)
	}
	return db.Close()
}

// Exec runs SQL scripts on the SQLite database at path, creating it when missing.
func Exec(path string, scripts ...string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	for _, s := range scripts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("agentneotest: %w", err)
		}
	}
	return db.Close()
}
