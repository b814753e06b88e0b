-- +goose Up
-- Processes sharing one database share its outbox without undoing each
-- other's work (issue #12).
--
-- time_scale: the time scale the delivery was scheduled with (the waits
--   before its retries are the vendor's divided by it), whichever process
--   sends its next attempt. 1 is real time.
-- runner: the outbox_owners id of the process that alone sends this
--   delivery while it runs (a `hookscope send` run's own delivery); NULL:
--   the outbox holder sends it. Cleared when that process stops or is
--   found gone, so the holder carries the delivery on.
ALTER TABLE deliveries ADD COLUMN time_scale REAL NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN runner INTEGER;

-- The process that runs the outbox (sends every delivery no runner
-- holds): one row at most, held under a lease its holder renews every
-- second or so. Another process takes it over once the lease has run out,
-- or at once when the holder is a process of its own host that no longer
-- runs. Other processes read it to say where the sender runs.
-- owner: the holder's outbox_owners id (its sender's random id).
-- pid, host, start: the holder's process, as in outbox_owners.
-- kind: what the holder is ("serve", "console").
-- receiver: the holder's receiver address (host:port; '' for none): the
--   default endpoints (local-...) point at it.
-- time_scale: the holder's own time scale (new deliveries it schedules).
-- since: when it took the outbox (unix ns); expires_at: when its lease
--   runs out unless renewed (unix ns).
CREATE TABLE outbox_holder (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    owner       INTEGER NOT NULL,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    start       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    receiver    TEXT NOT NULL DEFAULT '',
    time_scale  REAL NOT NULL DEFAULT 1,
    since       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE outbox_holder;
ALTER TABLE deliveries DROP COLUMN runner;
ALTER TABLE deliveries DROP COLUMN time_scale;
