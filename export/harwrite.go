package export

import (
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/hookscope/hookscope/db"
)

// writeHAR writes a HAR 1.2 file entry by entry: the log's opening, each
// entry as it is read (one per request, or one per attempt of a
// delivery), then the closing. The file is valid JSON only once complete.
func writeHAR(ctx context.Context, h db.Handle, w io.Writer, s Spec) (Summary, error) {
	var sum Summary
	enc := newRecordEncoder(w)
	if err := enc.write(`{"log":{"version":"1.2","creator":`, Creator{Name: "hookscope", Version: cmp.Or(s.Version, "dev")}, false); err != nil {
		return sum, err
	}
	if _, err := io.WriteString(w, `,"entries":[`); err != nil {
		return sum, fmt.Errorf("writing the export: %w", err)
	}
	entry := func(e Entry) error {
		sep := ",\n"
		if sum.Entries == 0 {
			sep = "\n"
		}
		sum.Entries++
		return enc.write(sep, e, false)
	}
	var err error
	switch s.What {
	case Requests:
		err = db.NewRequestStore().EachRequest(ctx, h, s.Requests, s.Span, func(r *db.Request) error {
			sum.Rows++
			if err := entry(RequestEntry(r, s.ReceiverAddr)); err != nil {
				return fmt.Errorf("request %d: %w", r.ID, err)
			}
			return nil
		})
	default:
		err = db.NewDeliveryStore().EachDelivery(ctx, h, s.Deliveries, s.Span, func(d *db.Delivery) error {
			sum.Rows++
			for _, a := range d.Attempts {
				if err := entry(AttemptEntry(d, a)); err != nil {
					return fmt.Errorf("delivery %d attempt %d: %w", d.ID, a.N, err)
				}
			}
			return nil
		})
	}
	if err != nil {
		return sum, err
	}
	if _, err := io.WriteString(w, "\n]}}\n"); err != nil {
		return sum, fmt.Errorf("writing the export: %w", err)
	}
	return sum, nil
}
