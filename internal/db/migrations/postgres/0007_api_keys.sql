-- API keys: only a hash of each secret is kept. A key is scoped to the
-- projects listed in api_key_projects, or to all of them.
CREATE TABLE api_keys (
    id           BIGSERIAL   PRIMARY KEY,
    prefix       TEXT     NOT NULL,
    secret_hash  TEXT     NOT NULL UNIQUE,
    role         TEXT     NOT NULL CHECK (role IN ('read', 'ingest', 'admin')),
    all_projects BOOLEAN  NOT NULL DEFAULT FALSE,
    note         TEXT     NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE api_key_projects (
    key_id     BIGINT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES project_info(id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, project_id)
);
CREATE INDEX api_key_projects_project_id ON api_key_projects(project_id);
