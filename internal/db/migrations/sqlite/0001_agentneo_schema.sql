-- The AgentNeo tables with their original names and columns, plus real
-- foreign keys and the indexes that parent->children lists and time sorts use.
CREATE TABLE project_info (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_name TEXT    NOT NULL UNIQUE,
    start_time   DATETIME,
    end_time     DATETIME,
    duration     REAL,
    total_cost   REAL    NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE traces (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    start_time DATETIME NOT NULL,
    end_time   DATETIME,
    duration   REAL
);
CREATE INDEX traces_project_id_start_time ON traces(project_id, start_time, id);
CREATE INDEX traces_start_time ON traces(start_time, id);

CREATE TABLE system_info (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id         INTEGER NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id           INTEGER NOT NULL UNIQUE REFERENCES traces(id) ON DELETE CASCADE,
    os_name            TEXT,
    os_version         TEXT,
    python_version     TEXT,
    cpu_info           TEXT,
    gpu_info           TEXT,
    disk_info          TEXT,
    memory_total       REAL,
    installed_packages TEXT
);
CREATE INDEX system_info_project_id ON system_info(project_id, id);

CREATE TABLE agent_call (
    id                   INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id           INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id             INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    name                 TEXT     NOT NULL,
    start_time           DATETIME NOT NULL,
    end_time             DATETIME,
    llm_call_ids         TEXT     NOT NULL DEFAULT '[]',
    tool_call_ids        TEXT     NOT NULL DEFAULT '[]',
    user_interaction_ids TEXT     NOT NULL DEFAULT '[]'
);
CREATE INDEX agent_call_project_id_start_time ON agent_call(project_id, start_time, id);
CREATE INDEX agent_call_trace_id_start_time ON agent_call(trace_id, start_time, id);

CREATE TABLE llm_call (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id     INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    agent_id     INTEGER  REFERENCES agent_call(id) ON DELETE SET NULL,
    name         TEXT     NOT NULL,
    model        TEXT,
    input_prompt TEXT,
    output       TEXT,
    tool_call    TEXT,
    start_time   DATETIME NOT NULL,
    end_time     DATETIME,
    duration     REAL,
    token_usage  TEXT,
    cost         TEXT,
    memory_used  INTEGER
);
CREATE INDEX llm_call_project_id_start_time ON llm_call(project_id, start_time, id);
CREATE INDEX llm_call_trace_id_start_time ON llm_call(trace_id, start_time, id);
CREATE INDEX llm_call_agent_id_start_time ON llm_call(agent_id, start_time, id);

CREATE TABLE tool_call (
    id               INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id       INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id         INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    agent_id         INTEGER  REFERENCES agent_call(id) ON DELETE SET NULL,
    name             TEXT     NOT NULL,
    input_parameters TEXT,
    output           TEXT,
    start_time       DATETIME NOT NULL,
    end_time         DATETIME,
    duration         REAL,
    memory_used      INTEGER,
    network_calls    TEXT
);
CREATE INDEX tool_call_project_id_start_time ON tool_call(project_id, start_time, id);
CREATE INDEX tool_call_trace_id_start_time ON tool_call(trace_id, start_time, id);
CREATE INDEX tool_call_agent_id_start_time ON tool_call(agent_id, start_time, id);

CREATE TABLE user_interactions (
    id               INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id       INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id         INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    agent_id         INTEGER  REFERENCES agent_call(id) ON DELETE SET NULL,
    interaction_type TEXT     NOT NULL,
    content          TEXT,
    timestamp        DATETIME NOT NULL
);
CREATE INDEX user_interactions_project_id_timestamp ON user_interactions(project_id, timestamp, id);
CREATE INDEX user_interactions_trace_id_timestamp ON user_interactions(trace_id, timestamp, id);
CREATE INDEX user_interactions_agent_id_timestamp ON user_interactions(agent_id, timestamp, id);

CREATE TABLE errors (
    id            INTEGER  PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER  NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    trace_id      INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    agent_id      INTEGER  REFERENCES agent_call(id) ON DELETE SET NULL,
    tool_call_id  INTEGER  REFERENCES tool_call(id) ON DELETE SET NULL,
    llm_call_id   INTEGER  REFERENCES llm_call(id) ON DELETE SET NULL,
    error_type    TEXT     NOT NULL,
    error_message TEXT,
    timestamp     DATETIME NOT NULL
);
CREATE INDEX errors_project_id_timestamp ON errors(project_id, timestamp, id);
CREATE INDEX errors_trace_id_timestamp ON errors(trace_id, timestamp, id);
CREATE INDEX errors_agent_id_timestamp ON errors(agent_id, timestamp, id);
CREATE INDEX errors_tool_call_id_timestamp ON errors(tool_call_id, timestamp, id);
CREATE INDEX errors_llm_call_id_timestamp ON errors(llm_call_id, timestamp, id);

CREATE TABLE metrics (
    id            INTEGER  PRIMARY KEY AUTOINCREMENT,
    trace_id      INTEGER  NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    metric_name   TEXT     NOT NULL,
    score         REAL,
    reason        TEXT,
    result_detail TEXT,
    config        TEXT,
    start_time    DATETIME,
    end_time      DATETIME,
    duration      REAL,
    timestamp     DATETIME NOT NULL
);
CREATE INDEX metrics_trace_id_timestamp ON metrics(trace_id, timestamp, id);
