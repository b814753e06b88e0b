-- +goose Up
-- The text index of the deliveries' own columns (db/textindex.go, built
-- like request_grams and attempt_grams): per block of delivery ids and
-- trigram bucket, the ids in the block whose event_types, execution_id,
-- message_id or last_error hold a trigram of that bucket. A delivery text
-- search (db/deliverytext.go) takes its own-column candidates from it and
-- checks them with the same LIKE as before. Derived data: it can be
-- dropped and rebuilt from the deliveries.
CREATE TABLE delivery_grams (
    block  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    ids    BLOB NOT NULL,
    PRIMARY KEY (block, bucket)
) WITHOUT ROWID;

-- How far the index reaches (upto), its block size and gen (as for the
-- other indexes), and mark: the end of the block an indexer is building,
-- or has built (mark >= upto). Every delivery below mark whose text may
-- differ from what the index holds for it is listed in
-- delivery_text_dirty.
CREATE TABLE delivery_grams_state (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    upto       INTEGER NOT NULL,
    block_size INTEGER NOT NULL CHECK (block_size BETWEEN 1 AND 65536),
    gen        INTEGER NOT NULL DEFAULT 0,
    mark       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO delivery_grams_state (one, upto, block_size) VALUES (1, 0, 16384);

-- Unlike attempts, deliveries change after they are written: last_error
-- with every attempt, event_types when events join a batch. A delivery
-- below the mark whose text columns change (or that is inserted there,
-- taking an id freed by a deleted endpoint) is listed here; a search reads
-- it row by row, and the indexer ORs its new trigrams into its block's
-- bitmaps (old ones only add candidates) and removes it, in one write.
-- The update trigger fires only when a text column's value changes, so
-- the sender finishing a delivery without a new error writes nothing more.
CREATE TABLE delivery_text_dirty (
    id INTEGER PRIMARY KEY
);

-- +goose StatementBegin
CREATE TRIGGER delivery_text_inserted AFTER INSERT ON deliveries
WHEN new.id < (SELECT mark FROM delivery_grams_state WHERE one = 1)
BEGIN
    INSERT OR IGNORE INTO delivery_text_dirty (id) VALUES (new.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER delivery_text_updated AFTER UPDATE OF id, event_types, execution_id, message_id, last_error ON deliveries
WHEN (old.last_error IS NOT new.last_error OR old.event_types IS NOT new.event_types
      OR old.execution_id IS NOT new.execution_id OR old.message_id IS NOT new.message_id
      OR old.id IS NOT new.id)
 AND new.id < (SELECT mark FROM delivery_grams_state WHERE one = 1)
BEGIN
    INSERT OR IGNORE INTO delivery_text_dirty (id) VALUES (new.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER delivery_text_updated;
DROP TRIGGER delivery_text_inserted;
DROP TABLE delivery_text_dirty;
DROP TABLE delivery_grams_state;
DROP TABLE delivery_grams;
