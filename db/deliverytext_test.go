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
	write(t, d, func(h Handle) error {
		_, err := h.ExecContext(ctx, `UPDATE attempt_grams_state SET block_size = ? WHERE upto = 0`, testAttemptBlock)
		return err
	})
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

// TestDeliveryTextIndexPagesLikeAScan walks every page of several texts:
// the same deliveries as the scan, each once.
func TestDeliveryTextIndexPagesLikeAScan(t *testing.T) {
	d := indexedDeliveries(t, 400)
	ctx := context.Background()
	for _, text := range []string{"CVE-2031-0042", "zq-", "connection refused", "critical", "zq-retry"} {
		var walks [2][]int64
		for k, list := range []func(DeliveryFilter) ([]Delivery, error){
			func(f DeliveryFilter) ([]Delivery, error) {
				return NewDeliveryStore().ListDeliveries(ctx, d.Reader(), f)
			},
			func(f DeliveryFilter) ([]Delivery, error) { return listDeliveries(ctx, d.Reader(), f) },
		} {
			f := DeliveryFilter{Text: text, Limit: 7}
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
	write(t, d, func(h Handle) error {
		_, err := h.ExecContext(ctx, `UPDATE attempt_grams_state SET block_size = ? WHERE upto = 0`, testAttemptBlock)
		return err
	})
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
	compareDeliveries(t, d, []string{"zq-reused-id", "critical", "CVE-2031"}, []DeliveryFilter{{}, {Limit: 2}})
	got, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: "zq-reused-id"})
	if err != nil || len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("found %v (%v), want delivery 2", deliveryIDs(got), err)
	}
	// Re-indexing rebuilds the pulled-back blocks; still the same answers.
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	compareDeliveries(t, d, []string{"zq-reused-id", "critical"}, []DeliveryFilter{{}, {Limit: 2}})
}
