-- +goose Up
-- The text index of attempts (db/textindex.go), built like request_grams
-- (00006): per block of attempt ids and trigram bucket, the ids in the
-- block whose req_url, error, request body (req_body, or the payload of
-- req_body_event, as every read resolves it) or resp_body hold a trigram
-- of that bucket. A delivery text search (db/deliverytext.go) takes its
-- attempt candidates from it and checks them with the same LIKE as before.
-- Derived data: it can be dropped and rebuilt from the attempts.
CREATE TABLE attempt_grams (
    block  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    ids    BLOB NOT NULL,
    PRIMARY KEY (block, bucket)
) WITHOUT ROWID;

-- The largest delivery_id among the attempts of each span of an indexed
-- block (a sixteenth of it; lo is the span's first attempt id, spans
-- without attempts have no row): once a search has looked at every
-- attempt from span s on, none left belongs to a delivery newer than the
-- largest max_delivery of the spans before s.
CREATE TABLE attempt_grams_spans (
    lo           INTEGER PRIMARY KEY,
    max_delivery INTEGER NOT NULL
);

-- How far the index reaches, its block size, and gen, bumped whenever a
-- block at or below the reach may have changed under an indexer.
CREATE TABLE attempt_grams_state (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    upto       INTEGER NOT NULL,
    block_size INTEGER NOT NULL CHECK (block_size BETWEEN 1 AND 65536),
    gen        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO attempt_grams_state (one, upto, block_size) VALUES (1, 0, 16384);
ALTER TABLE request_grams_state ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;

-- Attempts are never updated, but they are deleted with their delivery's
-- endpoint, and SQLite hands out max(id)+1: once the newest attempts are
-- gone, a new attempt can take an id inside an indexed block. Such an
-- insert pulls the reach back to that block, so the block is read row by
-- row again until it is re-indexed. Deleting an attempt at or past the
-- reach bumps gen, so a build under way (which read its block before a
-- new attempt could take a freed id in it) is dropped and redone.
-- +goose StatementBegin
CREATE TRIGGER attempt_grams_reused AFTER INSERT ON attempts
WHEN new.id < (SELECT upto FROM attempt_grams_state WHERE one = 1)
BEGIN
    UPDATE attempt_grams_state SET upto = new.id - new.id % block_size, gen = gen + 1 WHERE one = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER attempt_grams_deleted AFTER DELETE ON attempts
WHEN old.id >= (SELECT upto FROM attempt_grams_state WHERE one = 1)
BEGIN
    UPDATE attempt_grams_state SET gen = gen + 1 WHERE one = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER attempt_grams_deleted;
DROP TRIGGER attempt_grams_reused;
ALTER TABLE request_grams_state DROP COLUMN gen;
DROP TABLE attempt_grams_state;
DROP TABLE attempt_grams_spans;
DROP TABLE attempt_grams;
