package receiver

import (
	"context"
	"fmt"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// judgeRepeat decides, inside the write transaction, what it means that
// an earlier request carried req's dedup key.
//
// A duplicate is an at-least-once repeat of a message the vendor sent: of
// an earlier request whose signature was valid, or whose profile
// documents no authentication (nothing there could be forged). Anyone
// can send a message's id, so a repeat is otherwise only noted: a forgery
// sent first does not make the genuine message its duplicate, and a
// forgery (or a replay out of its signature's tolerance) carrying a
// genuine message's id keeps its verdict and is not presented as that
// message's duplicate. Such a request is a repeat: RepeatOf names the
// earlier request (the genuine one a forgery reuses the id of, or else
// the first that carried the id) and RepeatNote says what the repeat
// means. A repeat is a verdict, not a failure to receive: Error is left
// alone.
//
// The common cases cost what the plain lookup did: a fresh key (the
// filter spares the lookup), and a repeat whose first copy was genuine
// (one seek). A request whose id a failed request carried first looks
// for the first genuine copy among that key's requests alone.
func (rc *Receiver) judgeRepeat(ctx context.Context, tx db.Handle, req *db.Request) error {
	first, err := rc.requests.FirstWithDedupKey(ctx, tx, req.Vendor, req.DedupKey, false)
	if err != nil {
		return fmt.Errorf("looking for an earlier copy: %w", err)
	}
	if first.ID == 0 {
		return nil
	}
	if !signatureApplies(req.Vendor) {
		req.Duplicate, req.DuplicateOf = true, first.ID
		return nil
	}
	orig := first
	if first.SigStatus != string(fixtures.Valid) {
		if orig, err = rc.requests.FirstWithDedupKey(ctx, tx, req.Vendor, req.DedupKey, true); err != nil {
			return fmt.Errorf("looking for an earlier genuine copy: %w", err)
		}
	}
	own := req.Signature.Status
	switch {
	case own == string(fixtures.Valid) && orig.ID > 0:
		req.Duplicate, req.DuplicateOf = true, orig.ID
	case own == string(fixtures.Valid):
		req.RepeatOf = first.ID
		req.RepeatNote = fmt.Sprintf("repeats the id of #%d (its signature was %s), so it is not a duplicate of it", first.ID, verdictWord(first.SigStatus))
	case orig.ID > 0:
		req.RepeatOf = orig.ID
		req.RepeatNote = fmt.Sprintf("repeats the id of #%d (its signature was valid), but its own signature is %s: not an at-least-once duplicate", orig.ID, verdictWord(own))
	default:
		req.RepeatOf = first.ID
		req.RepeatNote = fmt.Sprintf("repeats the id of #%d (its signature was %s), and its own signature is %s: not a duplicate", first.ID, verdictWord(first.SigStatus), verdictWord(own))
	}
	return nil
}

// signatureApplies says whether vendor's requests carry a signature or
// token to verify. An unknown vendor is taken to.
func signatureApplies(vendor string) bool {
	p, err := fixtures.Lookup(vendor)
	return err != nil || p.Auth() != fixtures.AuthNone
}

// verdictWord names a signature verdict in a note ("none" for a row
// written without one).
func verdictWord(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
