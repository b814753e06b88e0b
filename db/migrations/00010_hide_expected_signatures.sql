-- +goose Up
-- Until this version the reason of an invalid signature quoted the whole
-- signature the route's secret gives for the body received, so anyone who
-- could read the records held a valid signature for a body the sender
-- chose. Reasons written since show its first 8 characters; this shortens
-- the ones already stored the same way. Rewritten, in the two forms the
-- receiver wrote, only where the whole value stands exactly where the
-- receiver put it (a received value is quoted with escapes, so it cannot
-- pose as one):
--   ... with the configured secret is "sha256=<64 hex>"[; hint]
--   ... ; expected v1,<44 base64>            (Standard Webhooks, at the end)
UPDATE requests
SET sig_reason = substr(sig_reason, 1, instr(sig_reason, 'with the configured secret is "sha256=') + 45)
    || '…' || substr(sig_reason, instr(sig_reason, 'with the configured secret is "sha256=') + 102)
WHERE sig_status = 'invalid'
  AND instr(sig_reason, 'with the configured secret is "sha256=') > 0
  AND substr(sig_reason, instr(sig_reason, 'with the configured secret is "sha256=') + 102, 1) = '"';

UPDATE requests
SET sig_reason = substr(sig_reason, 1, length(sig_reason) - 36) || '…'
WHERE sig_status = 'invalid'
  AND length(sig_reason) >= 58
  AND substr(sig_reason, -58, 14) = '; expected v1,';

-- +goose Down
-- The whole values are gone: there is nothing to put back.
