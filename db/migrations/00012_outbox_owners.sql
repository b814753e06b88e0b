-- +goose Up
-- The processes that claim deliveries. A claim names its holder
-- (deliveries.claimed_by), so that a process can tell that the holder has
-- died (its pid no longer runs on this host) and take the delivery up at
-- its due time instead of waiting for the lease to run out.
-- id: random, chosen by each process's sender.
-- host: the host (with, where the OS tells them, its pid namespace and
--   boot) the pid belongs to; a process only judges owners of its own.
-- start: the process's start time where the OS tells it ('' elsewhere),
--   so that a pid reused by another process is not taken for the owner.
CREATE TABLE outbox_owners (
    id          INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    start       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
-- claimed_by: the outbox_owners id of the claim's holder (NULL: the claim
--   ends with its lease alone).
-- private: a load run's delivery: only the process that created it sends
--   it; another process never claims it, and cancels it once that process
--   is gone.
ALTER TABLE deliveries ADD COLUMN claimed_by INTEGER;
ALTER TABLE deliveries ADD COLUMN private INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN private;
ALTER TABLE deliveries DROP COLUMN claimed_by;
DROP TABLE outbox_owners;
