package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
)

// recordEncoder encodes one record at a time into a reused buffer and
// writes it whole: JSON with every character a terminal could act on
// escaped (sanitize.EscapeJSON), so the export is safe to print and a
// record is never split by a later flush.
type recordEncoder struct {
	buf     bytes.Buffer
	escaped []byte
	enc     *json.Encoder
	w       io.Writer
}

func newRecordEncoder(w io.Writer) *recordEncoder {
	e := &recordEncoder{w: w}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// write encodes v, then writes it after prefix; the encoder's newline is
// kept when keepNewline, else dropped.
func (e *recordEncoder) write(prefix string, v any, keepNewline bool) error {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	b := e.buf.Bytes()
	if !keepNewline {
		b = b[:len(b)-1]
	}
	if _, err := io.WriteString(e.w, prefix); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	e.escaped = sanitize.AppendEscapeJSON(e.escaped[:0], b)
	if _, err := e.w.Write(e.escaped); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}

// writeJSONL writes one line per request or delivery: the object
// `requests show --json` or `deliveries show --json` prints (bodies as
// text, base64 in body_base64 where not UTF-8; credentials masked).
func writeJSONL(ctx context.Context, h db.Handle, w io.Writer, s Spec) (Summary, error) {
	var sum Summary
	enc := newRecordEncoder(w)
	switch s.What {
	case Requests:
		err := db.NewRequestStore().EachRequest(ctx, h, s.Requests, s.Span, func(r *db.Request) error {
			if err := enc.write("", api.NewRequestView(r, true), true); err != nil {
				return fmt.Errorf("request %d: %w", r.ID, err)
			}
			sum.Rows++
			return nil
		})
		sum.Entries = sum.Rows
		return sum, err
	default:
		err := db.NewDeliveryStore().EachDelivery(ctx, h, s.Deliveries, s.Span, func(d *db.Delivery) error {
			if err := enc.write("", api.ViewDelivery(*d), true); err != nil {
				return fmt.Errorf("delivery %d: %w", d.ID, err)
			}
			sum.Rows++
			return nil
		})
		sum.Entries = sum.Rows
		return sum, err
	}
}
