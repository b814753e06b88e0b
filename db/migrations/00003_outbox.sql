-- +goose Up
-- The sender's outbox: what the claim query and the console need beyond
-- the initial deliveries table.
-- ordered: the endpoint's profile preserves order (PolicyCortex); a later
--   delivery is not claimed while an earlier one of its endpoint is unfinished.
-- no_retry: one attempt only (tests, `hookscope send --no-retry`).
-- wait: JSON RetryWait, the vendor's real wait before next_attempt_at.
ALTER TABLE deliveries ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN no_retry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN wait TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id, id) WHERE status IN ('pending', 'retrying');

-- +goose Down
DROP INDEX deliveries_unfinished;
ALTER TABLE deliveries DROP COLUMN wait;
ALTER TABLE deliveries DROP COLUMN no_retry;
ALTER TABLE deliveries DROP COLUMN ordered;
