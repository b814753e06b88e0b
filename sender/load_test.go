package sender

import (
	"context"
	"net/http"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// TestLoadRecordsEveryRequest: a load run sends each request once, and
// records each as a finished delivery with its one full attempt, with
// failures counted by status.
func TestLoadRecordsEveryRequest(t *testing.T) {
	s, d := openSender(t, 1)
	srv := newHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
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
	srv.mu.Lock()
	bodies := map[string]int{}
	for _, g := range srv.reqs {
		bodies[string(g.body)]++
	}
	received := len(srv.reqs)
	srv.mu.Unlock()
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

// TestLoadCancelledLeavesWorkClaimed: a cancelled run stops creating,
// records what it sent, and leaves nothing it created unaccounted for: a
// delivery is either finished with its attempt or still claimed (a started
// sender sends it when the lease ends).
func TestLoadCancelledLeavesWorkClaimed(t *testing.T) {
	s, d := openSender(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	srv := newHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 50 {
			cancel()
		}
		w.WriteHeader(http.StatusOK)
	})
	rep, _ := s.Load(ctx, LoadOptions{
		Vendor: "policycortex", Event: "policy.violation.created", URL: srv.URL,
		Credentials: fixtures.Credentials{Secret: "s"}, Count: 100000, Concurrency: 4,
	})
	var finished, claimed, total, attempts int
	r := d.Reader()
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NULL AND attempt_count = 1`).Scan(&finished)
	r.QueryRow(`SELECT count(*) FROM deliveries WHERE claimed_until IS NOT NULL AND attempt_count = 0 AND status = 'pending'`).Scan(&claimed)
	r.QueryRow(`SELECT count(*) FROM deliveries`).Scan(&total)
	r.QueryRow(`SELECT count(*) FROM attempts`).Scan(&attempts)
	if total >= 100000 || finished+claimed != total || attempts != finished || finished != rep.Sent {
		t.Fatalf("%d deliveries: %d finished, %d claimed, %d attempts; report sent %d", total, finished, claimed, attempts, rep.Sent)
	}
}
