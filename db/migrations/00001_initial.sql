-- +goose Up
CREATE TABLE routes (
    name        TEXT PRIMARY KEY,
    profile     TEXT NOT NULL,
    secret      TEXT NOT NULL DEFAULT '',
    token       TEXT NOT NULL DEFAULT '',
    header      TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '{}', -- JSON SimResponse
    received    INTEGER NOT NULL DEFAULT 0, -- requests counted for fail-first
    created_at  INTEGER NOT NULL,           -- unix nanoseconds
    updated_at  INTEGER NOT NULL
);

CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    received_at     INTEGER NOT NULL,        -- unix nanoseconds
    route           TEXT NOT NULL DEFAULT '',
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    query           TEXT NOT NULL DEFAULT '',
    headers         TEXT NOT NULL DEFAULT '[]', -- JSON [{name,value}] in arrival order
    body            BLOB NOT NULL DEFAULT x'',
    body_size       INTEGER NOT NULL DEFAULT 0,
    body_truncated  INTEGER NOT NULL DEFAULT 0,
    remote_addr     TEXT NOT NULL DEFAULT '',
    json_valid      INTEGER NOT NULL DEFAULT 0,
    vendor          TEXT NOT NULL DEFAULT '',
    event_types     TEXT NOT NULL DEFAULT '[]', -- JSON array
    sig_status      TEXT NOT NULL DEFAULT '',
    sig_reason      TEXT NOT NULL DEFAULT '',
    dedup_key       TEXT NOT NULL DEFAULT '',
    duplicate_of    INTEGER NOT NULL DEFAULT 0,
    stale           INTEGER NOT NULL DEFAULT 0,
    stale_reason    TEXT NOT NULL DEFAULT '',
    shape_issues    TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    resp_status     INTEGER NOT NULL DEFAULT 0,
    resp_headers    TEXT NOT NULL DEFAULT '[]',
    resp_body       BLOB NOT NULL DEFAULT x'',
    resp_truncated  INTEGER NOT NULL DEFAULT 0,
    latency_ms      REAL NOT NULL DEFAULT 0,
    forward         TEXT NOT NULL DEFAULT '',   -- JSON Forward, '' when not forwarded
    forward_body    BLOB NOT NULL DEFAULT x'',
    error           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX requests_vendor ON requests (vendor, id);
CREATE INDEX requests_route ON requests (route, id);
CREATE INDEX requests_status ON requests (resp_status, id);
CREATE INDEX requests_sig ON requests (sig_status, id);
CREATE INDEX requests_dedup ON requests (vendor, dedup_key) WHERE dedup_key <> '';

CREATE TABLE endpoints (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    url             TEXT NOT NULL,
    profile         TEXT NOT NULL,
    secret          TEXT NOT NULL DEFAULT '',
    token           TEXT NOT NULL DEFAULT '',
    header          TEXT NOT NULL DEFAULT '',
    events          TEXT NOT NULL DEFAULT '[]', -- JSON array; empty: all
    filters         TEXT NOT NULL DEFAULT '{}', -- JSON Filters
    headers         TEXT NOT NULL DEFAULT '[]', -- JSON [{name,value}]
    retry           TEXT NOT NULL DEFAULT '',   -- JSON RetryConfig, '' for the profile's
    timeout_seconds INTEGER NOT NULL DEFAULT 0, -- 0: the profile's
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT NOT NULL DEFAULT '',
    disabled_at     INTEGER,                    -- unix nanoseconds
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    vendor      TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    payload     BLOB NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint_id     INTEGER NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    vendor          TEXT NOT NULL,
    event_types     TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    execution_id    TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER,                  -- unix nanoseconds; NULL when nothing is due
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    escalation      TEXT NOT NULL DEFAULT '', -- JSON Escalation
    claimed_until   INTEGER,                  -- a worker's lease, unix nanoseconds
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_status ON deliveries (status, id);
CREATE INDEX deliveries_vendor ON deliveries (vendor, id);

CREATE TABLE delivery_events (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, event_id)
);
CREATE INDEX delivery_events_event ON delivery_events (event_id);

CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    delivery_id     INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    n               INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    duration_ms     REAL NOT NULL DEFAULT 0,
    req_method      TEXT NOT NULL DEFAULT 'POST',
    req_url         TEXT NOT NULL,
    req_headers     TEXT NOT NULL DEFAULT '[]',
    req_body        BLOB NOT NULL DEFAULT x'',
    resp_status     INTEGER NOT NULL DEFAULT 0,   -- 0: no response
    resp_headers    TEXT NOT NULL DEFAULT '[]',
    resp_body       BLOB NOT NULL DEFAULT x'',
    resp_truncated  INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    manual          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (delivery_id, n)
);

-- +goose Down
DROP TABLE attempts;
DROP TABLE delivery_events;
DROP TABLE deliveries;
DROP TABLE events;
DROP TABLE endpoints;
DROP TABLE requests;
DROP TABLE routes;
