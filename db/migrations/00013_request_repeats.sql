-- +goose Up
-- A request whose message id (dedup_key) an earlier request of its vendor
-- carried, and which is not that message's at-least-once duplicate (see
-- duplicate_of): the earlier request's signature failed, or its own did.
-- repeat_of: the id of the first earlier request with that key (0: not
--   such a repeat). A request is either a duplicate or a repeat, never both.
-- repeat_note: what the repeat means, in a sentence ('' when repeat_of is 0).
ALTER TABLE requests ADD COLUMN repeat_of INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN repeat_note TEXT NOT NULL DEFAULT '';

-- Until this version the note was kept in error, joined to any other
-- error text with "; ". It is moved here, the rest of the error kept. The
-- receiver wrote it in three forms, all starting "repeats the id of " and
-- naming the earlier request as "#N":
--   repeats the id of #N, whose signature was valid, but its own signature
--     is W: not an at-least-once duplicate
--   repeats the id of an earlier request whose signature was W (#N), so it
--     is not a duplicate of it
--   repeats the id of an earlier request whose signature was W (#N); its
--     own is W
-- The third holds "; " itself, and a request written again after its batch
-- rolled back kept a stray "its own is W" part of it beside its new note:
-- that part goes too. A note only stands at the start of the error or
-- after a "; "; only keyed requests carry one.
-- +goose StatementBegin
UPDATE requests
SET repeat_note = m.note,
    repeat_of = CAST(substr(m.note, instr(m.note, '#') + 1) AS INTEGER),
    error = CASE WHEN m.kept = '; ' THEN '' ELSE substr(m.kept, 3, length(m.kept) - 4) END
FROM (
    SELECT id, note,
        replace(replace('; ' || e || '; ', '; ' || note || '; ', '; '),
                '; ' || CASE WHEN instr(note, '); its own is ') > 0
                             THEN 'its own is ' || substr(note, instr(note, '); its own is ') + 14)
                             ELSE note END || '; ',
                '; ') AS kept
    FROM (
        SELECT id, e, CASE
            WHEN substr(t, 1, 19) = 'repeats the id of #' AND instr(t, ': not an at-least-once duplicate') > 0
                THEN substr(t, 1, instr(t, ': not an at-least-once duplicate') + 31)
            WHEN substr(t, instr(t, ')'), 33) = '), so it is not a duplicate of it'
                THEN substr(t, 1, instr(t, ')') + 32)
            WHEN substr(t, instr(t, ')'), 14) = '); its own is '
                THEN substr(t, 1, instr(t, ')') + 13 + CASE
                    WHEN instr(substr(t, instr(t, ')') + 14), '; ') > 0
                        THEN instr(substr(t, instr(t, ')') + 14), '; ') - 1
                    ELSE length(t) END)
            WHEN instr(t, '; ') > 0 THEN substr(t, 1, instr(t, '; ') - 1)
            ELSE t END AS note
        FROM (
            SELECT id, error AS e, substr(error, instr(error, 'repeats the id of ')) AS t
            FROM requests
            WHERE dedup_key <> '' AND instr(error, 'repeats the id of ') > 0
              AND (instr(error, 'repeats the id of ') = 1
                   OR substr(error, instr(error, 'repeats the id of ') - 2, 2) = '; ')
        )
    )
) AS m
WHERE requests.id = m.id;
-- +goose StatementEnd

-- +goose Down
-- The notes go back to the end of error, where older versions show them.
UPDATE requests
SET error = CASE WHEN error = '' THEN repeat_note ELSE error || '; ' || repeat_note END
WHERE repeat_note <> '';
ALTER TABLE requests DROP COLUMN repeat_note;
ALTER TABLE requests DROP COLUMN repeat_of;
