package db

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A delivery matches a text when its own columns (event types, execution
// and message ids, last error) or one of its attempts (URL, error, request
// and response body) hold it. Both have a text index, built like the
// requests': the attempts, the bulk of the text, never change once written
// (attemptText); the delivery's own columns change (last_error with every
// attempt, event_types when events join), so their index (deliveryText)
// lists the rows changed since they were indexed in delivery_text_dirty,
// and ownIndex names as candidates the index's and those. Deliveries past
// that index's reach are read row by row.
//
// A search first reads the newest deliveries row by row, as a scan would
// (scanFirst, up to scanMax while the matches promise a full page): a
// common text fills its page there. Below them it turns to the indexes.
//
// An old delivery can get a new attempt (a retry, a manual resend), so
// attempt ids do not follow delivery ids. What ties them is that an
// attempt belongs to a delivery that existed when it was written: every
// span of an indexed block records the largest delivery id among its
// attempts (attempt_grams_spans). The search walks the attempts from the
// newest (the unindexed tail, read row by row) down through the spans;
// before span s, every attempt still unseen belongs to a delivery no newer
// than the largest max_delivery of the spans up to s, so every delivery
// above that bound is decided: it is listed if it passes the filters and
// its own columns hold the text or an attempt already seen (and checked
// with the same LIKE as the scan) does. A retried old delivery is simply
// remembered until the walk reaches its range. The walk stops when the
// page is full, so a text that is not rare reads a span or two and a rare
// one reads every span's bitmaps, the few candidate attempts, and the
// deliveries its own-column candidates and those attempts name.

// matchingAttempts adds to found the deliveries below hi owning an
// attempt that satisfies cond (on "attempts a") and the text match att,
// and passing the search's other filters flt (on "deliveries d"; none
// when flt has no conditions), checked before the text.
func matchingAttempts(ctx context.Context, h Handle, att, flt *where, cond string, args []any, hi int64, found map[int64]bool) error {
	// "+a.delivery_id" keeps SQLite on the rowid range or list cond
	// names rather than the attempts' (delivery_id, n) index.
	q := `SELECT DISTINCT a.delivery_id FROM attempts a WHERE ` + cond + ` AND +a.delivery_id < ? AND `
	args = append(args, hi)
	if len(flt.conds) > 0 {
		q += `EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND ` + strings.Join(flt.conds, " AND ") + `) AND `
		args = append(args, flt.args...)
	}
	q += att.conds[0]
	args = append(args, att.args...)
	rows, err := h.QueryContext(ctx, q, args...)
	if err != nil {
		return mapErr(err, "searching attempts")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return mapErr(err, "searching attempts")
		}
		found[id] = true
	}
	return mapErr(rows.Err(), "searching attempts")
}

// attemptSpan is one span of attempt ids: its first attempt id and the
// largest delivery id of any attempt in it or an earlier span.
type attemptSpan struct{ lo, bound int64 }

// readAttemptSpans lists the spans of attempts, oldest first: those of the
// indexed blocks as the index recorded them, and then those past the
// index's reach (upto is a block's start, so a span's too), found by
// reading those attempts' delivery ids.
func readAttemptSpans(ctx context.Context, h Handle, st textIndexState) ([]attemptSpan, error) {
	rows, err := h.QueryContext(ctx, `SELECT lo, max_delivery FROM attempt_grams_spans WHERE lo < ?
		UNION ALL
		SELECT a.id - a.id % ?, max(a.delivery_id) FROM attempts a WHERE a.id >= ? GROUP BY 1
		ORDER BY 1`, st.upto, spanSize(st.blockSize), st.upto)
	if err != nil {
		return nil, mapErr(err, "reading the attempts' text index")
	}
	defer rows.Close()
	var (
		out   []attemptSpan
		bound int64
	)
	for rows.Next() {
		var s attemptSpan
		var m int64
		if err := rows.Scan(&s.lo, &m); err != nil {
			return nil, mapErr(err, "reading the attempts' text index")
		}
		bound = max(bound, m)
		s.bound = bound
		out = append(out, s)
	}
	return out, mapErr(rows.Err(), "reading the attempts' text index")
}

// idList renders ids as a JSON array for json_each.
func idList(ids []int64) string {
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// scanFirst is how many of the newest deliveries a text search reads row
// by row, as the scan does, before turning to the indexes: a common text
// fills its page from them at the scan's cost, without reading the
// indexes' spans and bitmaps.
var scanFirst int64 = 512

// scanMax is how many of the newest deliveries a text search may read row
// by row when the matches among the first scanFirst promise a full page.
var scanMax int64 = 16384

// listDeliveriesByText answers a text search with the text indexes of
// attempts (st) and of the deliveries' own columns (ost), as the comment at
// the top of this file says; it returns what listDeliveries returns.
func listDeliveriesByText(ctx context.Context, h Handle, f DeliveryFilter, st, ost textIndexState) ([]Delivery, error) {
	limit := pageLimit(f.Limit)
	out := make([]Delivery, 0, limit)
	hi := int64(math.MaxInt64) // deliveries at or above hi are listed or rejected
	if f.Before > 0 {
		hi = f.Before
	}
	// The newest deliveries first, read as the scan reads them: first
	// scanFirst of them, then, while the matches found so far promise to
	// fill the page within scanMax deliveries, as many more as they
	// suggest. A common text stops there; a rarer one goes on below
	// through the indexes.
	var top sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT max(id) FROM deliveries WHERE id < ?`, hi).Scan(&top); err != nil {
		return nil, mapErr(err, "listing deliveries")
	}
	if !top.Valid {
		return out, nil
	}
	for depth := scanFirst; ; {
		lo := max(0, top.Int64+1-depth)
		w := deliveryWhere(f, false)
		w.add("d.id >= ? AND d.id < ?", lo, hi)
		var err error
		if lo < hi {
			out, err = queryDeliveries(ctx, h, out, `SELECT `+deliveryColumns+` FROM deliveries d`+w.sql()+` ORDER BY d.id DESC LIMIT ?`, append(w.args, limit-len(out))...)
		}
		if err != nil || len(out) >= limit || lo == 0 {
			return out, err
		}
		hi = lo
		if len(out) == 0 || depth <= 0 || depth >= scanMax {
			break
		}
		need := depth * int64(limit-len(out)) / int64(len(out))
		if depth+need > scanMax {
			break
		}
		depth = min(depth+need+need/2, scanMax)
	}
	own, att := deliveryTextMatch(f.Text)
	g := f
	g.Text, g.Before = "", 0
	flt := deliveryWhere(g, false) // the other filters, checked before an attempt's text
	found := map[int64]bool{}      // deliveries below hi with a matching attempt that pass flt
	spans, err := readAttemptSpans(ctx, h, st)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	buckets := textBuckets(f.Text)
	idx := &ownIndex{st: ost, buckets: buckets, blocks: map[int64][]int64{}}
	var (
		cands    []int64 // the current block's candidates not yet checked, newest first
		block    = int64(-1)
		step     = int64(2 * limit) // how many decided ids to gather before reading them
		decided  = hi               // deliveries at or above it are decided
		lastSpan = len(spans) - 1
	)
	for i := lastSpan; i >= -1; i-- {
		if i >= 0 {
			decided = min(decided, spans[i].bound+1)
		} else {
			decided = 0
		}
		if hi-decided >= step || i < 0 {
			if out, err = decidedDeliveries(ctx, h, f, own, idx, decided, hi, found, limit, out); err != nil {
				return nil, err
			}
			if len(out) >= limit || i < 0 {
				return out, nil
			}
			hi, step = decided, min(4*step, 1<<20)
		}
		s := spans[i]
		if s.lo >= st.upto {
			// Past the index's reach: every attempt of the span is read.
			if err := matchingAttempts(ctx, h, att, flt, "a.id >= ? AND a.id < ?", []any{s.lo, s.lo + spanSize(st.blockSize)}, hi, found); err != nil {
				return nil, fmt.Errorf("listing deliveries: %w", err)
			}
			continue
		}
		if b := st.block(s.lo); b != block {
			block = b
			if cands, err = blockCandidates(ctx, h, attemptText, b*st.blockSize, b, buckets, math.MaxInt64); err != nil {
				return nil, fmt.Errorf("listing deliveries: %w", err)
			}
		}
		n := 0
		for n < len(cands) && cands[n] >= s.lo {
			n++
		}
		if n > 0 {
			if err := matchingAttempts(ctx, h, att, flt, "a.id IN (SELECT value FROM json_each(?))", []any{idList(cands[:n])}, hi, found); err != nil {
				return nil, fmt.Errorf("listing deliveries: %w", err)
			}
			cands = cands[n:]
		}
	}
	return out, nil
}

// ownIndex names the deliveries whose own columns may hold a search's
// text, from the index of those columns (deliveryText) as it stood at st.
type ownIndex struct {
	st      textIndexState
	buckets []uint16
	blocks  map[int64][]int64 // each block's candidates read so far, newest first
}

// candidates returns the deliveries in [lo, hi) (hi at most the index's
// reach) whose own columns may hold the text: the index's candidates and
// the rows changed since they were indexed. The order is unspecified.
func (o *ownIndex) candidates(ctx context.Context, h Handle, lo, hi int64) ([]int64, error) {
	var out []int64
	rows, err := h.QueryContext(ctx, `SELECT id FROM delivery_text_dirty WHERE id >= ? AND id < ?`, lo, hi)
	if err != nil {
		return nil, mapErr(err, "reading changed deliveries")
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, mapErr(err, "reading changed deliveries")
		}
		out = append(out, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "reading changed deliveries")
	}
	for b := o.st.block(hi - 1); b >= 0 && b >= o.st.block(lo); b-- {
		c, ok := o.blocks[b]
		if !ok {
			if c, err = blockCandidates(ctx, h, deliveryText, b*o.st.blockSize, b, o.buckets, math.MaxInt64); err != nil {
				return nil, err
			}
			o.blocks[b] = c
		}
		for _, id := range c {
			if lo <= id && id < hi {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// decidedDeliveries appends to out, newest first, the deliveries in
// [lo, hi) that pass f's other filters and whose own columns match (own)
// or are in found, up to limit rows in out. The deliveries past idx's
// reach are read row by row; below it, only idx's candidates and found
// (every delivery of the range, when those are a quarter of it or more).
// A nil idx reads every delivery of the range.
func decidedDeliveries(ctx context.Context, h Handle, f DeliveryFilter, own *where, idx *ownIndex, lo, hi int64, found map[int64]bool, limit int, out []Delivery) ([]Delivery, error) {
	if lo >= hi {
		return out, nil
	}
	var ids []int64
	for id := range found {
		if lo <= id && id < hi {
			ids = append(ids, id)
		}
	}
	foundList := idList(ids)
	g := f
	g.Text, g.Before = "", 0
	list := func(out []Delivery, cond string, args ...any) ([]Delivery, error) {
		w := deliveryWhere(g, false)
		w.add(cond, args...)
		w.add("("+own.conds[0]+" OR d.id IN (SELECT value FROM json_each(?)))", append(append([]any{}, own.args...), foundList)...)
		q := `SELECT ` + deliveryColumns + ` FROM deliveries d` + w.sql() + ` ORDER BY d.id DESC LIMIT ?`
		return queryDeliveries(ctx, h, out, q, append(w.args, limit-len(out))...)
	}
	split := lo // ids below split are named by idx
	if idx != nil {
		split = min(max(idx.st.upto, lo), hi)
	}
	var err error
	if split < hi {
		if out, err = list(out, "d.id >= ? AND d.id < ?", split, hi); err != nil || len(out) >= limit {
			return out, err
		}
	}
	if lo >= split {
		return out, nil
	}
	cands, err := idx.candidates(ctx, h, lo, split)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	for _, id := range ids {
		if id < split {
			cands = append(cands, id)
		}
	}
	if len(cands) == 0 {
		return out, nil
	}
	if int64(len(cands))*4 >= split-lo {
		return list(out, "d.id >= ? AND d.id < ?", lo, split)
	}
	return list(out, "d.id >= ? AND d.id < ? AND d.id IN (SELECT value FROM json_each(?))", lo, split, idList(cands))
}
