-- +goose Up
-- The text index of requests (db/textindex.go): for each block of request
-- ids (16384 unless request_grams_state says otherwise) and each trigram bucket, the ids in the block whose path,
-- query, headers or body hold a trigram of that bucket, as a roaring
-- bitmap of offsets in the block. It only narrows a text search down to
-- candidates, which the search then checks with the same LIKE it always
-- used, so what a search finds is unchanged. Derived data: it can be
-- dropped and rebuilt from the requests at any time.
CREATE TABLE request_grams (
    block  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    ids    BLOB NOT NULL,
    PRIMARY KEY (block, bucket)
) WITHOUT ROWID;

-- How far the index reaches (every request id below upto is indexed) and
-- the block size it is built with (at most 65536; changed only while
-- upto is 0).
CREATE TABLE request_grams_state (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    upto       INTEGER NOT NULL,
    block_size INTEGER NOT NULL CHECK (block_size BETWEEN 1 AND 65536)
);
INSERT INTO request_grams_state (one, upto, block_size) VALUES (1, 0, 16384);

-- +goose Down
DROP TABLE request_grams_state;
DROP TABLE request_grams;
