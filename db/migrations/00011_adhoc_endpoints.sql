-- +goose Up
-- adhoc: the endpoint is the target of one `hookscope send` or replay to a
-- URL. It holds that send's URL, credentials and timeout for its delivery
-- and the delivery's retries, but it is not one of the user's endpoints:
-- it is never listed, and raised events never fan out to it.
ALTER TABLE endpoints ADD COLUMN adhoc INTEGER NOT NULL DEFAULT 0;
-- Sends used to keep their targets as enabled endpoints named
-- "send:PROFILE:URL" (a prefix the user's endpoints may not take).
UPDATE endpoints SET adhoc = 1 WHERE substr(name, 1, 5) = 'send:';
-- The user's endpoints, listed on every refresh of the console, among
-- the many targets of sends.
CREATE INDEX endpoints_user ON endpoints (id) WHERE adhoc = 0;

-- +goose Down
DROP INDEX endpoints_user;
ALTER TABLE endpoints DROP COLUMN adhoc;
