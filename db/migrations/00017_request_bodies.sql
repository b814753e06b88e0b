-- +goose Up
-- A request's bodies above 262,144 bytes (BodyPreviewBytes in
-- db/bodies.go) are kept whole out of its row, in request_bodies, and the
-- row keeps their first 262,144 bytes as a preview. Every read of the
-- request's row (a list page, a detail, a column stored after the body)
-- then costs what a 256 KB body costs, where a 10 MB body used to be
-- walked page by page to reach the columns after it.
-- outside: which bodies are out of the row, as bits: 1 body, 2 resp_body,
--   4 forward_body. A body whose bit is clear is whole in the row.
-- request_bodies: one row per request with a body out of its row; a body
--   whose bit is clear is NULL here.
ALTER TABLE requests ADD COLUMN outside INTEGER NOT NULL DEFAULT 0;
CREATE TABLE request_bodies (
    request_id   INTEGER PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    body         BLOB,
    resp_body    BLOB,
    forward_body BLOB
);

INSERT INTO request_bodies (request_id, body, resp_body, forward_body)
SELECT id,
       CASE WHEN length(body) > 262144 THEN body END,
       CASE WHEN length(resp_body) > 262144 THEN resp_body END,
       CASE WHEN length(forward_body) > 262144 THEN forward_body END
FROM requests
WHERE length(body) > 262144 OR length(resp_body) > 262144 OR length(forward_body) > 262144;

UPDATE requests SET
    outside = (length(body) > 262144) | ((length(resp_body) > 262144) << 1) | ((length(forward_body) > 262144) << 2),
    body = CASE WHEN length(body) > 262144 THEN substr(body, 1, 262144) ELSE body END,
    resp_body = CASE WHEN length(resp_body) > 262144 THEN substr(resp_body, 1, 262144) ELSE resp_body END,
    forward_body = CASE WHEN length(forward_body) > 262144 THEN substr(forward_body, 1, 262144) ELSE forward_body END
WHERE id IN (SELECT request_id FROM request_bodies);

-- +goose Down
UPDATE requests SET
    body = coalesce((SELECT b.body FROM request_bodies b WHERE b.request_id = requests.id), body),
    resp_body = coalesce((SELECT b.resp_body FROM request_bodies b WHERE b.request_id = requests.id), resp_body),
    forward_body = coalesce((SELECT b.forward_body FROM request_bodies b WHERE b.request_id = requests.id), forward_body)
WHERE outside <> 0;
DROP TABLE request_bodies;
ALTER TABLE requests DROP COLUMN outside;
