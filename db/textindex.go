package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// The text index lets a text filter over a million requests (or the
// attempts of a million deliveries, db/deliverytext.go) skip the rows
// that cannot match, without changing what the filter means: a search is
// still a substring match (ASCII case folded) checked with LIKE on each row
// it returns. The index only has to name a superset of the rows that match.
//
// It is a trigram index. Every run of three bytes of a request's path,
// query, headers and body, ASCII letters folded to lower case, falls into
// one of gramBuckets buckets; for each block of request ids (16384; the
// size is stored with the index)
// the index keeps, per bucket, the bitmap of the ids in the block holding
// such a trigram. A row holding the search text holds every trigram of it,
// so it is in the intersection of their buckets' bitmaps. Two trigrams
// sharing a bucket only widen that intersection, never narrow it.
//
// A block is indexed once it is closed (a later id exists: rowids are
// handed out as max+1 and requests are never deleted, so no row can join a
// closed block). Ids from the indexed reach (request_grams_state.upto) on
// are searched by reading them, as every row was before: at most one open
// block plus what the indexer has not reached yet.
//
// Each indexed table is a textTable: its bitmaps, its state row and the
// texts of a row. Attempts are indexed the same way (attemptText); they
// are never updated, and the id reuse their deletion allows is caught by
// the triggers of migration 00008.

const (
	// gramBuckets is the number of trigram buckets.
	gramBuckets = 1 << 16
	// gramWriteChunk is how many bucket rows one write holds, so that
	// writing a block never holds the write connection for long.
	gramWriteChunk = 2048
	// gramRowsPerInsert is how many bucket rows one INSERT statement
	// carries (3 parameters each, under SQLite's limit of 32766).
	gramRowsPerInsert = 256
)

// foldASCII lowers an ASCII capital, as LIKE does; other bytes are kept.
func foldASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// gramBucket is the bucket of the trigram a b c (already folded).
func gramBucket(a, b, c byte) uint16 {
	v := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	return uint16((v * 2654435761) >> 16)
}

// textBuckets lists the distinct buckets of the trigrams of a search text
// s, folded, the first maxQueryBuckets of them.
func textBuckets(s string) []uint16 {
	seen := make(map[uint16]bool)
	var out []uint16
	eachGram([]byte(s), func(k uint16) {
		if !seen[k] && len(out) < maxQueryBuckets {
			seen[k] = true
			out = append(out, k)
		}
	})
	return out
}

// gramBuilder gathers one block's bitmaps: for each bucket, the offsets in
// the block (ascending) of the rows holding one of its trigrams.
type gramBuilder struct {
	lists [][]uint16
}

func newGramBuilder() *gramBuilder { return &gramBuilder{lists: make([][]uint16, gramBuckets)} }

// add records the trigrams of text for the row at offset off. Rows must be
// added in ascending offset order (a row may be added in several texts).
//
// It is eachGram written out: through eachGram's callback, indexing a
// block took ~12% longer (BenchmarkIndexText, 17–18 vs 19–21 µs per request).
func (g *gramBuilder) add(off uint16, text []byte) {
	if len(text) < 3 {
		return
	}
	a, b := foldASCII(text[0]), foldASCII(text[1])
	for i := 2; i < len(text); i++ {
		c := foldASCII(text[i])
		k := gramBucket(a, b, c)
		l := g.lists[k]
		if n := len(l); n == 0 || l[n-1] != off {
			g.lists[k] = append(l, off)
		}
		a, b = b, c
	}
}

// gramRow is one stored bitmap.
type gramRow struct {
	bucket int
	ids    []byte
}

// rows serialises every non-empty bucket.
func (g *gramBuilder) rows() ([]gramRow, error) {
	var out []gramRow
	bm := roaring.New()
	var vals []uint32
	for k, l := range g.lists {
		if len(l) == 0 {
			continue
		}
		vals = vals[:0]
		for _, o := range l {
			vals = append(vals, uint32(o))
		}
		bm.Clear()
		bm.AddMany(vals)
		bm.RunOptimize()
		b, err := bm.ToBytes()
		if err != nil {
			return nil, fmt.Errorf("encoding bucket %d: %w", k, err)
		}
		out = append(out, gramRow{bucket: k, ids: b})
	}
	return out, nil
}

// reset empties g for the next block, keeping its memory.
func (g *gramBuilder) reset() {
	for k := range g.lists {
		g.lists[k] = g.lists[k][:0]
	}
}

// textTable describes one table the text index covers: requests, and
// attempts (db/deliverytext.go). Its rows must be immutable once a later
// id exists, or (attempts) have triggers that pull the reach back when an
// id below it is handed out again (migration 00008).
type textTable struct {
	name  string // for messages: "requests"
	table string // whose max(id) closes a block
	grams string // the bitmaps: (block, bucket, ids)
	state string // the state row: (one, upto, block_size, gen)
	// rows selects, for ids in [?, ?) in id order, the id, then (when
	// spans is set) an integer key, then the texts to index.
	rows string
	// spans, when set, is a table (lo, max_delivery) given, for each
	// span of textSpans ids of an indexed block that holds rows, the
	// largest key of its rows.
	spans string
	// dirty, when set, is a table (id) of rows below the state's mark
	// whose texts may have changed since they were indexed, filled by
	// triggers (migration 00009): the rows of such a table change. Before
	// reading a block the indexer raises the mark to the block's end, so
	// a change made after the read is listed there; it later folds the
	// listed rows' current texts into their blocks (foldDirty).
	dirty string
	// dirtyRows selects, for the ids listed in dirty below ? (the reach),
	// in id order, at most ? of them: the id, then the texts to index
	// (NULL for a row gone).
	dirtyRows string
}

// textSpans is how many spans a block is cut into for textTable.spans.
const textSpans = 16

// spanSize is the number of ids of a span of a block of blockSize ids.
func spanSize(blockSize int64) int64 { return max(1, blockSize/textSpans) }

// requestText is the text index of requests.
var requestText = &textTable{
	name: "requests", table: "requests", grams: "request_grams", state: "request_grams_state",
	rows: `SELECT id, path, query, headers, ` + wholeBody("requests", "body") + ` FROM requests WHERE id >= ? AND id < ? ORDER BY id`,
}

// attemptText is the text index of attempts: what deliveryWhere's text
// match reads of an attempt, the request body as attemptReqBody resolves
// it. Its key is the attempt's delivery.
var attemptText = &textTable{
	name: "attempts", table: "attempts", grams: "attempt_grams", state: "attempt_grams_state",
	rows: `SELECT a.id, a.delivery_id, a.req_url, a.error, ` + attemptReqBody + `, a.resp_body
		FROM attempts a WHERE a.id >= ? AND a.id < ? ORDER BY a.id`,
	spans: "attempt_grams_spans",
}

// deliveryText is the text index of the deliveries' own columns: what
// deliveryTextMatch's own half reads. Those columns change after insert,
// so changed rows are listed in delivery_text_dirty (migration 00009).
var deliveryText = &textTable{
	name: "deliveries", table: "deliveries", grams: "delivery_grams", state: "delivery_grams_state",
	rows:  `SELECT id, event_types, execution_id, message_id, last_error FROM deliveries WHERE id >= ? AND id < ? ORDER BY id`,
	dirty: "delivery_text_dirty",
	dirtyRows: `SELECT x.id, d.event_types, d.execution_id, d.message_id, d.last_error
		FROM delivery_text_dirty x LEFT JOIN deliveries d ON d.id = x.id WHERE x.id < ? ORDER BY x.id LIMIT ?`,
}

// textTables are the tables IndexText keeps indexed.
var textTables = []*textTable{requestText, attemptText, deliveryText}

// textIndexState is how far a text index reaches (every id below upto
// is indexed), how many ids its blocks span, and its generation (bumped
// when a block an indexer may be building could have changed).
type textIndexState struct{ upto, blockSize, gen int64 }

func (s textIndexState) block(id int64) int64 { return id / s.blockSize }

// readState reads t's index state.
func (t *textTable) readState(ctx context.Context, h Handle) (textIndexState, error) {
	var s textIndexState
	err := h.QueryRowContext(ctx, `SELECT upto, block_size, gen FROM `+t.state+` WHERE one = 1`).Scan(&s.upto, &s.blockSize, &s.gen)
	if errors.Is(err, sql.ErrNoRows) {
		return textIndexState{}, nil
	}
	if err != nil {
		return s, mapErr(err, "reading the text index's state of %s", t.name)
	}
	return s, nil
}

// readTextIndexState reads the state of the text index of requests.
func readTextIndexState(ctx context.Context, h Handle) (textIndexState, error) {
	return requestText.readState(ctx, h)
}

// IndexText indexes every closed block of requests and attempts the text
// index does not cover yet, oldest first, and returns how many it indexed.
// It reads through the read pool and writes each block in short writes
// through the group committer, so it can run beside the receiver and the
// sender. Two processes indexing one file at once do no harm: a block is
// written by whoever gets there first and the other finds it done.
func (d *DB) IndexText(ctx context.Context) (int, error) {
	n := 0
	var g *gramBuilder
	for _, t := range textTables {
		for {
			st, err := t.readState(ctx, d.read)
			if err != nil {
				return n, err
			}
			if st.blockSize == 0 {
				break
			}
			var maxID sql.NullInt64
			if err := d.read.QueryRowContext(ctx, `SELECT max(id) FROM `+t.table).Scan(&maxID); err != nil {
				return n, mapErr(err, "finding the newest of %s", t.name)
			}
			block := st.block(st.upto)
			lo, hi := block*st.blockSize, (block+1)*st.blockSize
			if !maxID.Valid || maxID.Int64 < hi {
				break // the next block is still open
			}
			if t.dirty != "" {
				// Changes from now on to rows below hi are listed in
				// t.dirty; what the block read below misses is there.
				if err := d.Write(ctx, func(h Handle) error {
					_, err := h.ExecContext(ctx, `UPDATE `+t.state+` SET mark = max(mark, ?) WHERE one = 1`, hi)
					return mapErr(err, "marking block %d of %s", block, t.name)
				}); err != nil {
					return n, err
				}
			}
			if g == nil {
				g = newGramBuilder()
			}
			g.reset()
			done, err := d.indexBlock(ctx, t, g, st, block, lo, hi)
			if err != nil {
				return n, fmt.Errorf("indexing %s %d to %d: %w", t.name, lo, hi-1, err)
			}
			if done {
				n++
			}
		}
		if t.dirty != "" {
			if err := d.foldDirty(ctx, t); err != nil {
				return n, fmt.Errorf("folding changed %s into the text index: %w", t.name, err)
			}
		}
	}
	return n, nil
}

// dirtyChunk is how many changed rows one write of foldDirty folds in:
// each row touches about a hundred bitmaps (a read and a write each), so
// 16 rows hold the write connection for a few milliseconds, not the tens
// of milliseconds a receiver's answer would wait behind 64.
const dirtyChunk = 16

// foldDirty folds the rows t.dirty lists below the index's reach into
// their blocks' bitmaps, dirtyChunk rows per write: each row's current
// trigrams are ORed into its block's buckets (the trigrams it no longer
// holds stay, which only adds candidates a search re-checks) and the row
// leaves t.dirty. Reading the rows inside the write means no change can
// slip between the read and the removal.
func (d *DB) foldDirty(ctx context.Context, t *textTable) error {
	for {
		more := false
		err := d.Write(ctx, func(h Handle) error {
			st, err := t.readState(ctx, h)
			if err != nil || st.upto == 0 {
				return err
			}
			rows, err := h.QueryContext(ctx, t.dirtyRows, st.upto, dirtyChunk)
			if err != nil {
				return mapErr(err, "reading changed %s", t.name)
			}
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return mapErr(err, "reading changed %s", t.name)
			}
			var ids []int64
			adds := map[[2]int64]*roaring.Bitmap{} // by (block, bucket)
			for rows.Next() {
				var id int64
				texts := make([]sql.RawBytes, len(cols)-1)
				dest := []any{&id}
				for i := range texts {
					dest = append(dest, &texts[i])
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return mapErr(err, "reading changed %s", t.name)
				}
				ids = append(ids, id)
				block, off := st.block(id), uint32(id%st.blockSize)
				for _, text := range texts {
					eachGram(text, func(k uint16) {
						bm := adds[[2]int64{block, int64(k)}]
						if bm == nil {
							bm = roaring.New()
							adds[[2]int64{block, int64(k)}] = bm
						}
						bm.Add(off)
					})
				}
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return mapErr(err, "reading changed %s", t.name)
			}
			rows.Close()
			if len(ids) == 0 {
				return nil
			}
			more = len(ids) == dirtyChunk
			for key, add := range adds {
				var old []byte
				err := h.QueryRowContext(ctx, `SELECT ids FROM `+t.grams+` WHERE block = ? AND bucket = ?`, key[0], key[1]).Scan(&old)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return mapErr(err, "reading the text index of %s", t.name)
				}
				if old != nil {
					bm := roaring.New()
					if err := bm.UnmarshalBinary(old); err != nil {
						return fmt.Errorf("reading the text index of %s block %d: %w", t.name, key[0], err)
					}
					add.Or(bm)
				}
				add.RunOptimize()
				b, err := add.ToBytes()
				if err != nil {
					return err
				}
				if _, err := h.ExecContext(ctx, `INSERT OR REPLACE INTO `+t.grams+` (block, bucket, ids) VALUES (?, ?, ?)`, key[0], key[1], b); err != nil {
					return mapErr(err, "storing the text index of %s", t.name)
				}
			}
			if _, err := h.ExecContext(ctx, `DELETE FROM `+t.dirty+` WHERE id IN (SELECT value FROM json_each(?))`, idList(ids)); err != nil {
				return mapErr(err, "clearing changed %s", t.name)
			}
			return nil
		})
		if err != nil || !more {
			return err
		}
	}
}

// eachGram calls fn with the bucket of every trigram of text, folded
// (repeats included).
func eachGram(text []byte, fn func(uint16)) {
	if len(text) < 3 {
		return
	}
	a, b := foldASCII(text[0]), foldASCII(text[1])
	for i := 2; i < len(text); i++ {
		c := foldASCII(text[i])
		fn(gramBucket(a, b, c))
		a, b = b, c
	}
}

// indexBlock builds and stores the bitmaps of one closed block of t, read
// at state st; it reports false if the state moved on meanwhile (another
// indexer, or a changed block) and the block must be looked at again.
func (d *DB) indexBlock(ctx context.Context, t *textTable, g *gramBuilder, st textIndexState, block, lo, hi int64) (bool, error) {
	rows, err := d.read.QueryContext(ctx, t.rows, lo, hi)
	if err != nil {
		return false, mapErr(err, "reading %s", t.name)
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return false, mapErr(err, "reading %s", t.name)
	}
	var (
		id, key int64
		texts   = make([]sql.RawBytes, len(cols)-1)
		dest    = []any{&id}
		span    = spanSize(st.blockSize)
		maxKey  = map[int64]int64{} // by span's first id
	)
	if t.spans != "" {
		texts = texts[1:]
		dest = append(dest, &key)
	}
	for i := range texts {
		dest = append(dest, &texts[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return false, mapErr(err, "reading %s", t.name)
		}
		off := uint16(id - lo)
		for _, text := range texts {
			g.add(off, text)
		}
		if t.spans != "" {
			s := id - (id-lo)%span
			if k, ok := maxKey[s]; !ok || key > k {
				maxKey[s] = key
			}
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return false, mapErr(err, "reading %s", t.name)
	}
	rows.Close()
	stored, err := g.rows()
	if err != nil {
		return false, err
	}
	for start := 0; start < len(stored) || start == 0; start += gramWriteChunk {
		chunk := stored[start:min(start+gramWriteChunk, len(stored))]
		first, last := start == 0, start+gramWriteChunk >= len(stored)
		err := d.Write(ctx, func(h Handle) error {
			now, err := t.readState(ctx, h)
			if err != nil {
				return err
			}
			if now.upto != lo || now.gen != st.gen {
				return errBlockTaken
			}
			if first {
				// Bitmaps of an earlier build of this block (its reach
				// was pulled back, or that build was dropped).
				if _, err := h.ExecContext(ctx, `DELETE FROM `+t.grams+` WHERE block = ?`, block); err != nil {
					return mapErr(err, "clearing block %d of the %s text index", block, t.name)
				}
				if t.spans != "" {
					if _, err := h.ExecContext(ctx, `DELETE FROM `+t.spans+` WHERE lo >= ? AND lo < ?`, lo, hi); err != nil {
						return mapErr(err, "clearing block %d of the %s text index", block, t.name)
					}
				}
			}
			for len(chunk) > 0 {
				n := min(len(chunk), gramRowsPerInsert)
				args := make([]any, 0, 3*n)
				for _, r := range chunk[:n] {
					args = append(args, block, r.bucket, r.ids)
				}
				q := `INSERT OR REPLACE INTO ` + t.grams + ` (block, bucket, ids) VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, n-1)
				if _, err := h.ExecContext(ctx, q, args...); err != nil {
					return mapErr(err, "storing the bitmaps of block %d of %s", block, t.name)
				}
				chunk = chunk[n:]
			}
			if last {
				for s, k := range maxKey {
					if _, err := h.ExecContext(ctx, `INSERT OR REPLACE INTO `+t.spans+` (lo, max_delivery) VALUES (?, ?)`, s, k); err != nil {
						return mapErr(err, "storing block %d of %s", block, t.name)
					}
				}
				if _, err := h.ExecContext(ctx, `UPDATE `+t.state+` SET upto = ? WHERE one = 1`, hi); err != nil {
					return mapErr(err, "advancing the text index of %s", t.name)
				}
			}
			return nil
		})
		if errors.Is(err, errBlockTaken) {
			return false, nil // another indexer did or is doing it, or the block changed
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// errBlockTaken stops writing a block another indexer has moved past.
var errBlockTaken = errors.New("the block was indexed by another process")

// RunTextIndexer keeps the text index up to date until ctx ends: it
// indexes what is closed at once and then again every interval. Errors are
// logged and retried at the next tick; a search never depends on the
// indexer having run, only its speed does.
func (d *DB) RunTextIndexer(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := d.IndexText(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrLowSpace):
			// Below the free-space floor the index waits (space says so).
			log.Warn("indexing text", "err", err)
		case n > 0:
			log.Debug("indexed text", "blocks", n, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
