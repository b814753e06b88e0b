package receiver

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// repeatNote starts every note judgeRepeat adds to a request's Error.
const repeatNote = "repeats the id of "

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
// message's duplicate.
//
// The common cases cost what the plain lookup did: a fresh key (the
// filter spares the lookup), and a repeat whose first copy was genuine
// (one seek). A genuine request whose id a failed request carried first
// looks for the first genuine copy among that key's requests alone.
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
	own := req.Signature.Status
	if own != string(fixtures.Valid) {
		if first.SigStatus == string(fixtures.Valid) {
			req.Error = setRepeatNote(req.Error, fmt.Sprintf("%s#%d, whose signature was valid, but its own signature is %s: not an at-least-once duplicate", repeatNote, first.ID, verdictWord(own)))
		} else {
			req.Error = setRepeatNote(req.Error, fmt.Sprintf("%san earlier request whose signature was %s (#%d); its own is %s", repeatNote, verdictWord(first.SigStatus), first.ID, verdictWord(own)))
		}
		return nil
	}
	orig := first
	if first.SigStatus != string(fixtures.Valid) {
		if orig, err = rc.requests.FirstWithDedupKey(ctx, tx, req.Vendor, req.DedupKey, true); err != nil {
			return fmt.Errorf("looking for an earlier genuine copy: %w", err)
		}
	}
	if orig.ID > 0 {
		req.Duplicate, req.DuplicateOf = true, orig.ID
		return nil
	}
	req.Error = setRepeatNote(req.Error, fmt.Sprintf("%san earlier request whose signature was %s (#%d), so it is not a duplicate of it", repeatNote, verdictWord(first.SigStatus), first.ID))
	return nil
}

// signatureApplies says whether vendor's requests carry a signature or
// token to verify. An unknown vendor is taken to.
func signatureApplies(vendor string) bool {
	p, err := fixtures.Lookup(vendor)
	return err != nil || p.Auth() != fixtures.AuthNone
}

// setRepeatNote replaces any repeat note in errText with note: a batch
// that rolled back is written again, and the ids it names may change.
func setRepeatNote(errText, note string) string {
	return joinNote(clearRepeatNote(errText), note)
}

// clearRepeatNote removes a repeat note left by an earlier write of req.
func clearRepeatNote(errText string) string {
	if !strings.Contains(errText, repeatNote) {
		return errText
	}
	var kept []string
	for part := range strings.SplitSeq(errText, "; ") {
		if !strings.HasPrefix(part, repeatNote) {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "; ")
}

// verdictWord names a signature verdict in a note ("none" for a row
// written without one).
func verdictWord(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
