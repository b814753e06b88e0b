-- +goose Up
-- An attempt whose request body is byte for byte the payload of the one
-- event it carried (a PolicyCortex delivery sends its event as is) stores
-- that body once, as the event's: req_body_event names the event and
-- req_body is empty. Every read resolves it (db/deliveries.go), so an
-- attempt's recorded body is always the full body sent.
ALTER TABLE attempts ADD COLUMN req_body_event INTEGER REFERENCES events (id);

-- +goose Down
ALTER TABLE attempts DROP COLUMN req_body_event;
