package sender

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// TestLoadRecordsEveryRequest: a load run sends each request once, and
// records each as a finished delivery with its one full attempt, with
// failures counted by status.
func TestLoadRecordsEveryRequest(t *testing.T) {
	s, d := openSender(t, 1)
	srv := testkit.NewHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ctx := context.Background()
	const count = 300
	rep, err := s.Load(ctx, LoadOptions{
		Vendor: "policycortex", Event: "policy.violation.created", URL: srv.URL,
		Credentials: fixtures.Credentials{Secret: "s"}, Count: count, Concurrency: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != count || rep.Succeeded != count-count/10 || rep.Errors["http status 503"] != count/10 {
		t.Fatalf("report %+v; want %d sent, %d failed with 503", rep, count, count/10)
	}
	reqs := srv.Requests()
	bodies := map[string]int{}
	for _, g := range reqs {
		bodies[string(g.Body)]++
	}
	received := len(reqs)
	if received != count {
		t.Fatalf("the server got %d requests; want %d", received, count)
	}
	var ids []int64
	rows, err := d.Reader().Query(`SELECT id FROM deliveries WHERE claimed_until IS NULL AND attempt_count = 1 AND status IN ('succeeded', 'failed')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != count {
		t.Fatalf("%d finished deliveries with one attempt; want %d", len(ids), count)
	}
	for _, id := range ids {
		dl, err := db.NewDeliveryStore().GetDelivery(ctx, d.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		a := dl.Attempts[0]
		if bodies[string(a.Request.Body)] != 1 || a.Response == nil {
			t.Fatalf("delivery %d: recorded body %q (response %+v) is not one the server got", id, a.Request.Body, a.Response)
		}
	}
}

// TestLoadCancelledCancelsWhatItDidNotSend: a cancelled run stops
// creating, records what it sent, and leaves nothing to send: a delivery
// it created is finished with its attempt, or cancelled with the attempt
// it interrupted in flight, or cancelled unsent; none is pending or
// claimed, and the report counts each kind.
func TestLoadCancelledCancelsWhatItDidNotSend(t *testing.T) {
	s, d := openSender(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	srv := testkit.NewHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 50 {
			cancel()
		}
		w.WriteHeader(http.StatusOK)
	})
	rep, err := s.Load(ctx, LoadOptions{
		Vendor: "policycortex", Event: "policy.violation.created", URL: srv.URL,
		Credentials: fixtures.Credentials{Secret: "s"}, Count: 100000, Concurrency: 4,
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load: %v, want an error saying the run was interrupted", err)
	}
	var finished, interrupted, unsent, open, total, attempts int
	r := d.Reader()
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NULL AND attempt_count = 1 AND status IN ('succeeded', 'failed')`).Scan(&finished)
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NULL AND attempt_count = 1 AND status = 'cancelled'`).Scan(&interrupted)
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NULL AND attempt_count = 0 AND status = 'cancelled'`).Scan(&unsent)
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NOT NULL OR status IN ('pending', 'retrying')`).Scan(&open)
	r.QueryRow(`SELECT count(*) FROM deliveries`).Scan(&total)
	r.QueryRow(`SELECT count(*) FROM attempts`).Scan(&attempts)
	if total >= 100000 || open != 0 || finished+interrupted+unsent != total || attempts != finished+interrupted ||
		finished != rep.Sent || interrupted != rep.Interrupted || unsent != rep.Cancelled || rep.NotStarted != 100000-total {
		t.Fatalf("%d deliveries: %d finished, %d interrupted, %d cancelled unsent, %d still open, %d attempts; report %+v",
			total, finished, interrupted, unsent, open, attempts, rep)
	}
}
