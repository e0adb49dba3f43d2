-- API keys: only a hash of each secret is kept. A key is scoped to the
-- projects listed in api_key_projects, or to all of them.
CREATE TABLE api_keys (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    prefix       TEXT     NOT NULL,
    secret_hash  TEXT     NOT NULL UNIQUE,
    role         TEXT     NOT NULL CHECK (role IN ('read', 'ingest', 'admin')),
    all_projects BOOLEAN  NOT NULL DEFAULT FALSE,
    note         TEXT     NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    revoked_at   DATETIME
);

CREATE TABLE api_key_projects (
    key_id     INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, project_id)
);
CREATE INDEX api_key_projects_project_id ON api_key_projects(project_id);
