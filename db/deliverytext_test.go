package db

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// testAttemptBlock is the attempts' index block size in tests (spans of 4).
const testAttemptBlock = 64

// testDeliveryBlock is the block size of the deliveries' own-column index
// in tests.
const testDeliveryBlock = 32

// smallIndexBlocks sets the block sizes of the attempts' and deliveries'
// indexes for a test database, and has a search read only the 8 newest
// deliveries row by row (64 when they promise a page) before turning to
// the indexes.
func smallIndexBlocks(t *testing.T, d *DB) {
	t.Helper()
	write(t, d, func(h Handle) error {
		ctx := context.Background()
		if _, err := h.ExecContext(ctx, `UPDATE attempt_grams_state SET block_size = ? WHERE upto = 0`, testAttemptBlock); err != nil {
			return err
		}
		_, err := h.ExecContext(ctx, `UPDATE delivery_grams_state SET block_size = ? WHERE upto = 0`, testDeliveryBlock)
		return err
	})
	oldFirst, oldMax := scanFirst, scanMax
	scanFirst, scanMax = 8, 64
	t.Cleanup(func() { scanFirst, scanMax = oldFirst, oldMax })
}

// edgeDeliveries writes deliveries whose text sits in each place a search
// reads: own columns, attempt URL, error, request body (inline and as an
// event's payload), response body; in other case and multi-byte. It
// returns their ids.
func edgeDeliveries(t *testing.T, d *DB, tag string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ep int64
	write(t, d, func(h Handle) error {
		return h.QueryRowContext(ctx, `SELECT min(id) FROM endpoints`).Scan(&ep)
	})
	now := time.Unix(1, 0)
	att := func(a Attempt) []Attempt {
		a.N, a.StartedAt = 1, now
		if a.Request.URL == "" {
			a.Request.URL = "https://edge.example.com/hook"
		}
		return []Attempt{a}
	}
	dels := []*Delivery{
		{Vendor: "holm", Status: "failed", ExecutionID: "Exec-ZQ-Own-" + tag, MessageID: "msg-zq-own", LastError: "zq-last-ERROR boom", EventTypes: []string{"zq.event.type"}},
		{Vendor: "holm", Status: "delivered", Attempts: att(Attempt{Request: OutgoingRequest{URL: "https://zq-url.example.com/Hook?x=ÜNÏ"}})},
		{Vendor: "cyscale", Status: "failed", Attempts: att(Attempt{Error: "zq-attempt-error: résumé " + tag})},
		{Vendor: "cyscale", Status: "delivered", Attempts: att(Attempt{Response: &Response{Status: 200, Body: []byte("zq-resp-body naïve")}})},
		{Vendor: "policycortex", Status: "delivered", Attempts: att(Attempt{Request: OutgoingRequest{Body: []byte("zq-req-body inline")}})},
	}
	var ids []int64
	write(t, d, func(h Handle) error {
		for _, x := range dels {
			x.EndpointID, x.CreatedAt, x.UpdatedAt = ep, now, now
			if err := insertDelivery(ctx, h, x); err != nil {
				return err
			}
			ids = append(ids, x.ID)
		}
		// The request body stored once, as the event's payload.
		res, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES ('policycortex', 'policy.violated', ?, 'test', 1)`,
			[]byte(`{"note":"zq-event-payload façade `+tag+`"}`))
		if err != nil {
			return err
		}
		ev := mustID(res)
		x := &Delivery{EndpointID: ep, Vendor: "policycortex", Status: "delivered", CreatedAt: now, UpdatedAt: now}
		if err := insertDelivery(ctx, h, x); err != nil {
			return err
		}
		ids = append(ids, x.ID)
		_, err = h.ExecContext(ctx, `INSERT INTO attempts (delivery_id, n, started_at, req_url, req_body, req_body_event) VALUES (?, 1, 1, 'https://edge.example.com/pc', x'', ?)`, x.ID, ev)
		return err
	})
	return ids
}

// retryAttempt adds an attempt carrying text to an existing delivery.
func retryAttempt(t *testing.T, d *DB, delivery int64, n int, errText string) {
	t.Helper()
	write(t, d, func(h Handle) error {
		_, err := h.ExecContext(context.Background(), `INSERT INTO attempts (delivery_id, n, started_at, req_url, error) VALUES (?, ?, 1, 'https://retry.example.com', ?)`, delivery, n, errText)
		return err
	})
}

// indexedDeliveries opens a database of n bench deliveries with edge
// cases and retries of old deliveries spread over indexed spans and the
// unindexed tail, and indexes its closed blocks.
func indexedDeliveries(t *testing.T, n int) *DB {
	t.Helper()
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	smallIndexBlocks(t, d)
	r := rand.New(rand.NewPCG(11, 12))
	if err := seedDeliveries(d, r, n/2); err != nil {
		t.Fatal(err)
	}
	early := edgeDeliveries(t, d, "early")
	if err := seedDeliveries(d, r, n/2); err != nil {
		t.Fatal(err)
	}
	// Retries of old deliveries written late: one indexed, one in the tail.
	retryAttempt(t, d, early[1], 2, "zq-retry-indexed")
	retryAttempt(t, d, 3, 7, "zq-retry-indexed OLDEST")
	// A burst of resends of old deliveries fills whole spans: spans whose
	// newest delivery is older than the spans before them hold.
	for i := range 3 * spanSize(testAttemptBlock) {
		retryAttempt(t, d, 10+i, 20, "zq-resend-burst")
	}
	if err := seedDeliveries(d, r, 3*testAttemptBlock); err != nil {
		t.Fatal(err)
	}
	if n, err := d.IndexText(ctx); err != nil || n == 0 {
		t.Fatalf("IndexText: %d blocks, %v", n, err)
	}
	retryAttempt(t, d, early[0], 2, "zq-retry-tail")
	retryAttempt(t, d, 5, 8, "zq-retry-tail")
	edgeDeliveries(t, d, "late")
	return d
}

func deliveryIDs(ds []Delivery) []int64 {
	ids := make([]int64, len(ds))
	for i, x := range ds {
		ids[i] = x.ID
	}
	return ids
}

// compareDeliveries checks ListDeliveries (through the index) against the
// scan for every text and filter, and returns how many searches found
// rows whose matching attempts lie inside the indexed reach.
func compareDeliveries(t *testing.T, d *DB, texts []string, filters []DeliveryFilter) {
	t.Helper()
	// With and without the newest deliveries read row by row first.
	defer func(n int64) { scanFirst = n }(scanFirst)
	for _, scanFirst = range []int64{scanFirst, 0} {
		compareDeliveriesOnce(t, d, texts, filters)
	}
}

func compareDeliveriesOnce(t *testing.T, d *DB, texts []string, filters []DeliveryFilter) {
	t.Helper()
	ctx := context.Background()
	for _, text := range texts {
		for _, base := range filters {
			f := base
			f.Text = text
			want, err := listDeliveries(ctx, d.Reader(), f)
			if err != nil {
				t.Fatalf("scan %+v: %v", f, err)
			}
			got, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), f)
			if err != nil {
				t.Fatalf("ListDeliveries(%+v): %v", f, err)
			}
			if g, w := deliveryIDs(got), deliveryIDs(want); !slices.Equal(g, w) {
				t.Fatalf("text %q filter %+v:\n index %v\n scan  %v", text, base, g, w)
			}
		}
	}
}

// TestDeliveryTextIndexFindsWhatAScanFinds: the same deliveries, in the
// same order, as reading every delivery and attempt, for texts common,
// rare, absent, in other case, multi-byte, in each column a search reads,
// on retries of old deliveries, with filters and keyset bounds.
func TestDeliveryTextIndexFindsWhatAScanFinds(t *testing.T) {
	d := indexedDeliveries(t, 600)
	ctx := context.Background()
	st, err := attemptText.readState(ctx, d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	var attempts int64
	d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM attempts`).Scan(&attempts)
	if st.upto < attempts/2 || st.upto >= attempts {
		t.Fatalf("index reaches %d of %d attempts", st.upto, attempts)
	}
	texts := []string{
		"critical", "CRITICAL", "CVE-2031-0042", "no-such-token-xyz", "connection refused", "HTTP 503",
		"exec-zq-own", "EXEC-ZQ-OWN-early", "zq-last-error", "ZQ.EVENT", "msg-zq", "zq-url.example", "üNÏ", "ÜNÏ",
		"zq-attempt-error", "résumé early", "zq-resp-body", "NAÏVE", "naïve", "zq-req-body", "zq-event-payload",
		"façade early", "façade late", "zq-retry-indexed", "zq-retry-tail", "oldest", "upstream unavailable",
		"hooks3.example.com/holm", "policy.violated", "%", "_", `\`, "zq-", `"received":true`, "msg-12",
	}
	r := rand.New(rand.NewPCG(9, 9))
	for range 10 {
		// Substrings of stored bodies, cut anywhere.
		var body []byte
		d.Reader().QueryRowContext(ctx, `SELECT `+attemptReqBody+` FROM attempts a WHERE a.id = ?`, 1+r.Int64N(st.upto)).Scan(&body)
		if len(body) > 30 {
			i := r.IntN(len(body) - 20)
			texts = append(texts, string(body[i:i+3+r.IntN(15)]))
		}
	}
	filters := []DeliveryFilter{{}, {Vendor: "holm"}, {Status: "failed"}, {EndpointID: 1}, {Before: 200}, {Before: 7}, {Limit: 3}, {Vendor: "cyscale", Status: "delivered", Limit: 5}}
	compareDeliveries(t, d, texts, filters)
}

// walkDeliveryPages walks every page (of limit rows) of a text search,
// through ListDeliveries and by reading rows: the ids of each walk.
func walkDeliveryPages(t *testing.T, d *DB, text string, limit int) [2][]int64 {
	t.Helper()
	ctx := context.Background()
	var walks [2][]int64
	for k, list := range []func(DeliveryFilter) ([]Delivery, error){
		func(f DeliveryFilter) ([]Delivery, error) {
			return NewDeliveryStore().ListDeliveries(ctx, d.Reader(), f)
		},
		func(f DeliveryFilter) ([]Delivery, error) { return listDeliveries(ctx, d.Reader(), f) },
	} {
		f := DeliveryFilter{Text: text, Limit: limit}
		for range 1000 {
			got, err := list(f)
			if err != nil {
				t.Fatal(err)
			}
			walks[k] = append(walks[k], deliveryIDs(got)...)
			if len(got) < f.Limit {
				break
			}
			f.Before = got[len(got)-1].ID
		}
	}
	return walks
}

// TestDeliveryTextIndexPagesLikeAScan walks every page of several texts:
// the same deliveries as the scan, each once.
func TestDeliveryTextIndexPagesLikeAScan(t *testing.T) {
	d := indexedDeliveries(t, 400)
	for _, text := range []string{"CVE-2031-0042", "zq-", "connection refused", "critical", "zq-retry"} {
		walks := walkDeliveryPages(t, d, text, 7)
		if !slices.Equal(walks[0], walks[1]) || len(walks[1]) == 0 {
			t.Fatalf("%q: paging through the index gave %v, reading rows %v", text, walks[0], walks[1])
		}
	}
}

// TestDeliveryTextIndexSurvivesReusedIDs deletes the endpoint owning the
// newest attempts, so SQLite hands their ids out again, inside an indexed
// block: the reach is pulled back and the new attempts are still found.
func TestDeliveryTextIndexSurvivesReusedIDs(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	smallIndexBlocks(t, d)
	r := rand.New(rand.NewPCG(1, 1))
	if err := seedDeliveries(d, r, 100); err != nil {
		t.Fatal(err)
	}
	// A second set of endpoints owns the newest attempts.
	if err := seedDeliveries(d, r, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := attemptText.readState(ctx, d.Reader())
	write(t, d, func(h Handle) error {
		_, err := h.ExecContext(ctx, `DELETE FROM endpoints WHERE id > 5`)
		return err
	})
	var maxID int64
	d.Reader().QueryRowContext(ctx, `SELECT max(id) FROM attempts`).Scan(&maxID)
	if maxID >= before.upto {
		t.Fatalf("the test needs the newest attempt (%d) below the reach (%d)", maxID, before.upto)
	}
	retryAttempt(t, d, 2, 9, "zq-reused-id")
	after, _ := attemptText.readState(ctx, d.Reader())
	if after.upto > maxID+1 || after.gen == before.gen {
		t.Fatalf("reach %d gen %d after reusing id %d (before: reach %d gen %d)", after.upto, after.gen, maxID+1, before.upto, before.gen)
	}
	// A delivery takes a freed id inside the deliveries' indexed reach.
	var maxDelivery int64
	d.Reader().QueryRowContext(ctx, `SELECT max(id) FROM deliveries`).Scan(&maxDelivery)
	ost, _ := deliveryText.readState(ctx, d.Reader())
	if maxDelivery+1 >= ost.upto {
		t.Fatalf("the test needs the newest delivery (%d) below the own-column reach (%d)", maxDelivery, ost.upto)
	}
	reused := &Delivery{EndpointID: 2, Vendor: "holm", Status: "failed", MessageID: "zq-reused-own", CreatedAt: time.Unix(1, 0), UpdatedAt: time.Unix(1, 0)}
	write(t, d, func(h Handle) error { return insertDelivery(ctx, h, reused) })
	if reused.ID != maxDelivery+1 {
		t.Fatalf("the new delivery took id %d, want the freed %d", reused.ID, maxDelivery+1)
	}
	compareDeliveries(t, d, []string{"zq-reused-id", "zq-reused-own", "critical", "CVE-2031"}, []DeliveryFilter{{}, {Limit: 2}})
	got, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: "zq-reused-id"})
	if err != nil || len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("found %v (%v), want delivery 2", deliveryIDs(got), err)
	}
	got, err = NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: "ZQ-REUSED-OWN"})
	if err != nil || len(got) != 1 || got[0].ID != reused.ID {
		t.Fatalf("found %v (%v), want delivery %d", deliveryIDs(got), err, reused.ID)
	}
	// Re-indexing rebuilds the pulled-back blocks; still the same answers.
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	compareDeliveries(t, d, []string{"zq-reused-id", "zq-reused-own", "critical"}, []DeliveryFilter{{}, {Limit: 2}})
}

// dirtyIDs lists the deliveries waiting to be folded into the index.
func dirtyIDs(t *testing.T, d *DB) []int64 {
	t.Helper()
	rows, err := d.Reader().QueryContext(context.Background(), `SELECT id FROM delivery_text_dirty ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// TestDeliveryOwnTextFollowsChanges changes the own columns of indexed
// deliveries as the sender and the batcher do (a new last error, an error
// cleared, events joining): a search finds the new text and no longer the
// old, before the indexer folds the changes in, after, and after a change
// on top of a folded one; every page as the scan's.
func TestDeliveryOwnTextFollowsChanges(t *testing.T) {
	d := indexedDeliveries(t, 400)
	ctx := context.Background()
	ost, err := deliveryText.readState(ctx, d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	var deliveries, early int64
	d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM deliveries`).Scan(&deliveries)
	d.Reader().QueryRowContext(ctx, `SELECT id FROM deliveries WHERE execution_id = 'Exec-ZQ-Own-early'`).Scan(&early)
	if ost.upto < deliveries/2 || early == 0 || early >= ost.upto {
		t.Fatalf("own-column index reaches %d of %d deliveries (early edge case %d)", ost.upto, deliveries, early)
	}
	if got := dirtyIDs(t, d); len(got) != 0 {
		t.Fatalf("changed deliveries %v before any change", got)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		write(t, d, func(h Handle) error {
			_, err := h.ExecContext(ctx, q, args...)
			return err
		})
	}
	find := func(text string, want ...int64) {
		t.Helper()
		got, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(deliveryIDs(got), want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%q found %v, want %v", text, deliveryIDs(got), want)
		}
	}
	texts := []string{"zq-own-new", "zq-second", "zq-last-error", "boom", "zq.joined", "ZQ.EVENT", `"zq.event.type"`,
		"critical", "connection refused", "CVE-2031-0042", "msg-1", "exec-", "policy.violated", "zq-"}
	filters := []DeliveryFilter{{}, {Vendor: "holm"}, {Status: "failed"}, {Before: ost.upto / 2}, {Before: early + 1}, {Limit: 3}}
	pages := func() {
		t.Helper()
		compareDeliveries(t, d, texts, filters)
		for _, text := range []string{"zq-", "zq.", "o"} {
			walks := walkDeliveryPages(t, d, text, 3)
			if !slices.Equal(walks[0], walks[1]) {
				t.Fatalf("%q: paging through the index gave %v, reading rows %v", text, walks[0], walks[1])
			}
		}
	}
	// The sender finishing a delivery without a new error, and a claim,
	// change no text: nothing is listed.
	exec(`UPDATE deliveries SET claimed_until = NULL, updated_at = 7, last_error = last_error, status = status WHERE id < ?`, ost.upto)
	if got := dirtyIDs(t, d); len(got) != 0 {
		t.Fatalf("unchanged texts listed %v as changed", got)
	}
	// Changes after indexing: listed, and found through the list.
	a, b, c := early-3, ost.upto-1, ost.upto // two indexed deliveries, one at the reach's edge, and the first past it
	exec(`UPDATE deliveries SET last_error = 'zq-own-new failure' WHERE id IN (?, ?, ?)`, a, b, c)
	exec(`UPDATE deliveries SET last_error = '' WHERE id = ?`, early) // held "zq-last-ERROR boom"
	var ev int64
	write(t, d, func(h Handle) error {
		res, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES ('holm', 'zq.joined.type', x'', 'test', 1)`)
		if err != nil {
			return err
		}
		ev = mustID(res)
		return NewOutboxStore().AttachEvents(ctx, h, 9, []Event{{ID: ev, Type: "zq.joined.type"}}, time.Unix(2, 0))
	})
	if got, want := dirtyIDs(t, d), []int64{9, a, early, b}; !slices.Equal(got, want) {
		t.Fatalf("changed deliveries %v, want %v", got, want)
	}
	find("zq-own-new", c, b, a)
	find("zq.joined", 9)
	late := deliveryIDs(must(NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: "EXEC-ZQ-OWN-late"})))
	find("zq-last-ERROR boom", late...)
	pages()
	// Folded in: nothing listed, the same answers.
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dirtyIDs(t, d); len(got) != 0 {
		t.Fatalf("changed deliveries %v left after indexing", got)
	}
	find("zq-own-new", c, b, a)
	find("zq.joined", 9)
	pages()
	// A change on top of a folded one: the old text is gone, the new found.
	exec(`UPDATE deliveries SET last_error = 'zq-second error' WHERE id = ?`, a)
	exec(`UPDATE deliveries SET event_types = '["zq.event.type"]' WHERE id = 9`)
	find("zq-own-new", c, b)
	find("zq-second", a)
	find("zq.joined")
	pages()
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	find("zq-own-new", c, b)
	find("zq-second", a)
	pages()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
