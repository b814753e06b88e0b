-- +goose Up
-- The vendor's wait before each retry, as its schedule defines it (before
-- any time scale), so a ladder run at ×N still reads 1m, 5m, 30m, ...
ALTER TABLE attempts ADD COLUMN vendor_wait_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN wait_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE attempts DROP COLUMN wait_reason;
ALTER TABLE attempts DROP COLUMN vendor_wait_ms;
