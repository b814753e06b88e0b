-- +goose Up
-- An attempt sent to hookscope's own receiver and the request that
-- receiver recorded for it are the same bytes at the same moment: these
-- indexes find one from the other by time (see db/links.go), and serve
-- any listing bounded by time.
CREATE INDEX requests_received ON requests (received_at);
CREATE INDEX attempts_started ON attempts (started_at);

-- +goose Down
DROP INDEX attempts_started;
DROP INDEX requests_received;
