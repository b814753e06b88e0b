package db

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// indexedDB opens a database holding n bench-like requests plus rows that
// test the edges of matching (case, UTF-8, NUL, malformed bytes, text in
// headers, path and query), and indexes its closed blocks.
func indexedDB(t *testing.T, n int) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hookscope.db")
	if err := bulkInsert(path, n); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	setBlockSize(t, d, testBlock)
	edge := []*Request{
		{Path: "/hooks/Edge-Path", Query: "tenant=ACME&x=1", Body: []byte(`{"note":"MiXeD CaSe Needle"}`)},
		{Path: "/hooks/edge", Body: []byte("résumé naïve façade ünïcödé")},
		{Path: "/hooks/edge", Body: []byte("before\x00after-the-nul zq-nul-token")},
		{Path: "/hooks/edge", Body: []byte("bad \xff\xfe bytes zq-malformed")},
		{Path: "/hooks/edge", Headers: []Header{{Name: "X-Trace", Value: "zq-header-value"}}, Body: []byte(`{}`)},
	}
	// Spread them over indexed and open blocks.
	for i, r := range edge {
		r.Method, r.ReceivedAt = "POST", time.Unix(0, int64(i))
		write(t, d, func(h Handle) error { return NewRequestStore().CreateRequest(ctx, h, r) })
	}
	if err := bulkInsertMore(d, testBlock); err != nil {
		t.Fatal(err)
	}
	for i, r := range edge {
		r.ID, r.ReceivedAt = 0, time.Unix(0, int64(100+i))
		write(t, d, func(h Handle) error { return NewRequestStore().CreateRequest(ctx, h, r) })
	}
	blocks, err := d.IndexText(ctx)
	if err != nil {
		t.Fatalf("IndexText: %v", err)
	}
	if blocks == 0 {
		t.Fatalf("IndexText indexed nothing over %d rows", n+testBlock+10)
	}
	return d, path
}

// testBlock is the text index's block size in tests: small, so a few
// thousand rows span several blocks.
const testBlock = 256

// setBlockSize sets the block size of d's (still empty) text index.
func setBlockSize(t testing.TB, d *DB, n int) {
	t.Helper()
	write(t, d, func(h Handle) error {
		_, err := h.ExecContext(context.Background(), `UPDATE request_grams_state SET block_size = ? WHERE upto = 0`, n)
		return err
	})
}

// bulkInsertMore appends n more bench rows through the committer.
func bulkInsertMore(d *DB, n int) error {
	r := rand.New(rand.NewPCG(3, 4))
	return d.Write(context.Background(), func(h Handle) error {
		for i := range n {
			body := benchBody(r, benchVendors[i%len(benchVendors)], i+7)
			if _, err := h.ExecContext(context.Background(), `INSERT INTO requests (received_at, route, method, path, headers, body, body_size, vendor)
				VALUES (?, 'pc-prod', 'POST', '/hooks/pc-prod', '[]', ?, ?, ?)`, int64(i), body, len(body), benchVendors[i%len(benchVendors)]); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanList is the reference: the same filter answered by reading every
// row, as before the index existed.
func scanList(t *testing.T, d *DB, f RequestFilter) []int64 {
	t.Helper()
	got, err := listRequests(context.Background(), d.Reader(), f, 0, nil)
	if err != nil {
		t.Fatalf("scan %+v: %v", f, err)
	}
	return requestIDs(got)
}

func requestIDs(rs []Request) []int64 {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// TestTextIndexFindsWhatAScanFinds checks that a search through the index
// returns exactly the rows, in the order, that reading every row returns,
// for texts that are common, rare, absent, in other case, multi-byte, next
// to a NUL, in headers, path or query, combined with other filters and
// paged with the keyset cursor.
func TestTextIndexFindsWhatAScanFinds(t *testing.T) {
	t.Parallel()
	d, _ := indexedDB(t, 8*testBlock+100)
	ctx := context.Background()
	st, err := readTextIndexState(ctx, d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	reach := st.upto
	if reach < 2*testBlock {
		t.Fatalf("index reaches %d, want at least %d", reach, 2*testBlock)
	}
	texts := []string{
		"CVE-2031-0042", "cve-2031-0042", "Storage bucket", "STORAGE BUCKET", "critical",
		"no-such-token-xyz", "needle", "MIXED case", "acme", "edge-path",
		"ünïcödé", "façade", "after-the-nul", "zq-nul-token", "zq-malformed",
		"zq-header-value", "x-trace", "pc-prod", "pol-42\"", "lodash", "%", "_", `\`,
		"4.17.1", "host-1", `"severity":"low"`,
	}
	// Substrings of stored bodies, cut anywhere.
	r := rand.New(rand.NewPCG(9, 9))
	all, err := NewRequestStore().GetRequest(ctx, d.Reader(), 1+int64(r.IntN(int(reach))))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		i := r.IntN(len(all.Body) - 20)
		texts = append(texts, string(all.Body[i:i+3+r.IntN(15)]))
	}
	filters := []RequestFilter{{}, {Vendor: "holm"}, {Status: "5xx"}, {Status: "200"}, {Signature: "invalid"}, {Before: testBlock + 77}, {Before: reach + 3}, {Limit: 7},
		// From the oldest end (G, and paging up from there).
		{Oldest: true}, {Oldest: true, Limit: 7}, {Oldest: true, Vendor: "holm"}, {Oldest: true, Status: "5xx"},
		{After: testBlock + 77}, {After: reach - 2}, {After: reach + 3}, {After: testBlock, Limit: 3},
		// Both cursors: the rows between them.
		{After: 5, Before: reach / 2, Limit: 500}, {After: 5, Before: reach + 3, Limit: 500}}
	hitIndexed := 0
	for _, text := range texts {
		for _, base := range filters {
			f := base
			f.Text = text
			want := scanList(t, d, f)
			if f.fromOldest() {
				slices.Reverse(want) // ListRequests gives a page newest first
			}
			got, err := NewRequestStore().ListRequests(ctx, d.Reader(), f)
			if err != nil {
				t.Fatalf("ListRequests(%+v): %v", f, err)
			}
			if ids := requestIDs(got); !slices.Equal(ids, want) {
				t.Fatalf("text %q filter %+v:\n index %v\n scan  %v", text, base, ids, want)
			}
			if len(want) > 0 && slices.Min(want) < reach {
				hitIndexed++
			}
		}
	}
	if hitIndexed < len(texts) {
		t.Fatalf("only %d searches found rows inside the indexed blocks; the test is not exercising the index", hitIndexed)
	}
}

// TestTextIndexPagesLikeAScan walks every page of a rare and a common
// text through the index and by reading rows, from the newest end down
// and from the oldest end up: the same rows, no repeats.
func TestTextIndexPagesLikeAScan(t *testing.T) {
	t.Parallel()
	d, _ := indexedDB(t, 4*testBlock)
	ctx := context.Background()
	viaIndex := func(f RequestFilter) []int64 {
		got, err := NewRequestStore().ListRequests(ctx, d.Reader(), f)
		if err != nil {
			t.Fatal(err)
		}
		return requestIDs(got)
	}
	viaScan := func(f RequestFilter) []int64 {
		ids := scanList(t, d, f)
		if f.fromOldest() {
			slices.Reverse(ids) // as ListRequests gives it: newest first
		}
		return ids
	}
	for _, text := range []string{"CVE-2031-0042", "zq-", "Outdated OpenSSL on host-4"} {
		for _, up := range []bool{false, true} {
			index, scan := walkPages(viaIndex, text, up), walkPages(viaScan, text, up)
			if !slices.Equal(index, scan) || len(scan) == 0 {
				t.Fatalf("%q (up %v): paging through the index gave %v, reading rows %v", text, up, index, scan)
			}
		}
	}
}

// walkPages lists every page of text 3 rows at a time, down from the
// newest or up from the oldest, each page newest first as list gives it.
func walkPages(list func(RequestFilter) []int64, text string, up bool) []int64 {
	var ids []int64
	f := RequestFilter{Text: text, Limit: 3, Oldest: up}
	for range 1000 {
		got := list(f)
		ids = append(ids, got...)
		if len(got) < f.Limit {
			break
		}
		if up {
			f.After = got[0] // the page's newest
		} else {
			f.Before = got[len(got)-1]
		}
	}
	return ids
}

// TestTextIndexIsIncrementalAndShared runs the indexer twice and from a
// second process-like handle on the same file: each block is indexed once,
// and a block closed later is picked up by the next run.
func TestTextIndexIsIncrementalAndShared(t *testing.T) {
	d, path := indexedDB(t, testBlock)
	ctx := context.Background()
	st1, _ := readTextIndexState(ctx, d.Reader())
	reach1 := st1.upto
	if n, err := d.IndexText(ctx); err != nil || n != 0 {
		t.Fatalf("second run indexed %d blocks (err %v), want 0", n, err)
	}
	other, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := bulkInsertMore(other, testBlock); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for _, db := range []*DB{d, other} {
		go func() { _, err := db.IndexText(ctx); done <- err }()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("indexing from two handles: %v", err)
		}
	}
	st2, _ := readTextIndexState(ctx, d.Reader())
	reach2 := st2.upto
	if reach2 != reach1+testBlock {
		t.Fatalf("reach went from %d to %d, want +%d", reach1, reach2, testBlock)
	}
	f := RequestFilter{Text: "CVE-2031-0042", Limit: 500}
	got, err := NewRequestStore().ListRequests(ctx, d.Reader(), f)
	if err != nil {
		t.Fatal(err)
	}
	if want := scanList(t, d, f); !slices.Equal(requestIDs(got), want) {
		t.Fatalf("after indexing from two handles: index %v, scan %v", requestIDs(got), want)
	}
}

// TestTextIndexerRunsInTheBackground starts RunTextIndexer and sees it
// index a block closed while it runs.
func TestTextIndexerRunsInTheBackground(t *testing.T) {
	d, _ := openTest(t, Options{})
	setBlockSize(t, d, testBlock)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { d.RunTextIndexer(ctx, 20*time.Millisecond, slog.New(slog.DiscardHandler)); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	if err := bulkInsertMore(d, testBlock+1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := readTextIndexState(ctx, d.Reader())
		if err != nil {
			t.Fatal(err)
		}
		if st.upto == testBlock {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the indexer did not index the closed block (reach %d)", st.upto)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTextBucketsFoldASCIIOnly(t *testing.T) {
	if a, b := textBuckets("AbC"), textBuckets("abc"); !slices.Equal(a, b) {
		t.Fatalf("ASCII case not folded: %v vs %v", a, b)
	}
	if a, b := textBuckets("ÉCU"), textBuckets("écu"); slices.Equal(a, b) {
		t.Fatalf("non-ASCII folded (LIKE does not): %v", a)
	}
	for _, s := range []string{"ab", "a\uFFFDb", "a\xffbc"} {
		if indexable(s) {
			t.Errorf("indexable(%q) = true", s)
		}
	}
}

// BenchmarkIndexText measures what the background indexer spends per
// request: one block of bench requests (~1 KB bodies) read, its trigrams
// gathered and its bitmaps written (the default 16384 ids).
//
//	go test ./db -run '^$' -bench IndexText
func BenchmarkIndexText(b *testing.B) {
	path := filepath.Join(b.TempDir(), "hookscope.db")
	if err := bulkInsert(path, 16384+1); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	reindexLoop(b, d, `DELETE FROM request_grams; UPDATE request_grams_state SET upto = 0`)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*16384), "µs/request")
}

// reindexLoop times, b.N times, IndexText building one block again after
// reset (untimed) has dropped it.
func reindexLoop(b *testing.B, d *DB, reset string) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		if err := d.Write(ctx, func(h Handle) error {
			_, err := h.ExecContext(ctx, reset)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := d.IndexText(ctx); err != nil || n != 1 {
			b.Fatalf("indexed %d blocks: %v", n, err)
		}
	}
}
