package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/hookscope/hookscope/limits"
)

// maxQueryBuckets caps the buckets one search reads per block; a longer
// text is still checked whole by LIKE, its first trigrams narrow enough.
const maxQueryBuckets = 24

// checkSearchText refuses a search text past limits.SearchText (a
// *limits.RangeError, the client's input) before any query is built: past
// 50,000 bytes SQLite refuses the LIKE pattern, and every row a search
// reads is matched against the whole text. The API, the CLI and the
// console check it where they read the filter; this check holds for any
// other caller.
func checkSearchText(text string) error {
	return limits.SearchText.Check(int64(len(text)))
}

// indexable reports whether the text index can narrow a search for text:
// it needs a trigram, and LIKE must match text byte for byte. LIKE reads
// a malformed UTF-8 sequence as U+FFFD, so a text holding U+FFFD (or
// malformed itself) could match bytes it does not share; those texts are
// searched by reading every row, as before.
func indexable(text string) bool {
	return len(text) >= 3 && utf8.ValidString(text) && !strings.ContainsRune(text, utf8.RuneError)
}

// listByText answers a text search with the text index: first the ids at
// or past the index's reach (read row by row), then each indexed block,
// newest first, narrowed to the ids holding every trigram of the text and
// checked by the same conditions as any list. It stops once the page is
// full, so a common text reads one block and a rare one reads the
// bitmaps of every block but only the rows that may match.
func listByText(ctx context.Context, h Handle, f RequestFilter, st textIndexState) ([]Request, error) {
	upto := st.upto
	limit := pageLimit(f.Limit)
	out := make([]Request, 0, limit)
	top := upto // exclusive bound on the ids still to look at
	if f.Before > 0 && f.Before < top {
		top = f.Before
	}
	if f.Before == 0 || f.Before > upto {
		var err error
		if out, err = listRequests(ctx, h, f, upto, out); err != nil || len(out) >= limit {
			return out, err
		}
	}
	buckets := textBuckets(f.Text)
	for block := st.block(top - 1); top > 0 && block >= 0 && len(out) < limit; block-- {
		ids, err := blockCandidates(ctx, h, requestText, block*st.blockSize, block, buckets, top)
		if err != nil {
			return nil, fmt.Errorf("listing requests: %w", err)
		}
		if out, err = checkCandidates(ctx, h, f, ids, limit, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// listByTextUp is listByText from the oldest end (f.After, f.Oldest),
// oldest first: each indexed block from the one holding the first id
// past After upward (below Before, if set), narrowed and checked the same
// way, then the ids at or past the index's reach, read row by row. It
// stops once the page is full.
func listByTextUp(ctx context.Context, h Handle, f RequestFilter, st textIndexState) ([]Request, error) {
	limit := pageLimit(f.Limit)
	out := make([]Request, 0, limit)
	from := max(f.After+1, 0) // the first id to look at
	top := st.upto            // exclusive bound on the indexed ids to look at
	if f.Before > 0 && f.Before < top {
		top = f.Before
	}
	buckets := textBuckets(f.Text)
	for block := st.block(from); block*st.blockSize < top && len(out) < limit; block++ {
		ids, err := blockCandidates(ctx, h, requestText, block*st.blockSize, block, buckets, top)
		if err != nil {
			return nil, fmt.Errorf("listing requests: %w", err)
		}
		slices.Reverse(ids)
		first, _ := slices.BinarySearch(ids, from)
		ids = ids[first:]
		if out, err = checkCandidates(ctx, h, f, ids, limit, out); err != nil {
			return nil, err
		}
	}
	if len(out) >= limit || (f.Before > 0 && f.Before <= st.upto) {
		return out, nil
	}
	rest := f
	rest.Limit = limit - len(out)
	return listRequests(ctx, h, rest, st.upto, out)
}

// blockCandidates returns, newest first, the ids below top in block that
// hold a trigram of every bucket in t's index (block's first id is lo).
func blockCandidates(ctx context.Context, h Handle, t *textTable, lo, block int64, buckets []uint16, top int64) ([]int64, error) {
	q := `SELECT ids FROM ` + t.grams + ` WHERE block = ? AND bucket IN (` + strings.Repeat("?,", len(buckets)-1) + `?)`
	args := make([]any, 0, len(buckets)+1)
	args = append(args, block)
	for _, b := range buckets {
		args = append(args, int(b))
	}
	rows, err := h.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "reading the text index")
	}
	defer rows.Close()
	var sets []*roaring.Bitmap
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, mapErr(err, "reading the text index")
		}
		bm := roaring.New()
		if err := bm.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("reading the text index of block %d: %w", block, err)
		}
		sets = append(sets, bm)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "reading the text index")
	}
	if len(sets) < len(buckets) {
		return nil, nil // some trigram occurs nowhere in the block
	}
	slices.SortFunc(sets, func(a, b *roaring.Bitmap) int { return int(a.GetCardinality()) - int(b.GetCardinality()) })
	and := roaring.FastAnd(sets...)
	ids := make([]int64, 0, and.GetCardinality())
	it := and.ReverseIterator()
	for it.HasNext() {
		if id := lo + int64(it.Next()); id < top {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// checkCandidates appends to out, in the order of ids (newest first, or
// oldest first when f pages from the oldest end), the candidates that
// pass f, until out holds limit rows. The candidates go in growing
// chunks: a common text fills the page from the first few.
func checkCandidates(ctx context.Context, h Handle, f RequestFilter, ids []int64, limit int, out []Request) ([]Request, error) {
	w, err := requestWhere(f, false)
	if err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	chunk := min(2*limit, 500)
	for len(ids) > 0 && len(out) < limit {
		n := min(chunk, len(ids))
		args := make([]any, 0, n+len(w.args)+1)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		args = append(args, w.args...)
		args = append(args, limit-len(out))
		cond := "id IN (" + strings.Repeat("?,", n-1) + "?)"
		if s := w.sql(); s != "" {
			cond += " AND " + strings.TrimPrefix(s, " WHERE ")
		}
		order := ` ORDER BY id DESC LIMIT ?`
		if f.fromOldest() {
			order = ` ORDER BY id LIMIT ?`
		}
		q := `SELECT ` + requestListColumns + ` FROM requests WHERE ` + cond + order
		if out, err = queryRequests(ctx, h, out, q, args...); err != nil {
			return nil, err
		}
		ids = ids[n:]
		chunk = min(chunk*4, 500)
	}
	return out, nil
}
