package tui

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sender"
)

// From the Endpoints view alone: add an endpoint through the form (a bad
// URL refused under its field), test-send an event picked from its
// profile, disable it with a typed reason (new events are then skipped),
// enable it and send what was skipped, rotate its secret, delete it.
func TestEndpointsFromTheConsole(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	got := func() int { mu.Lock(); defer mu.Unlock(); return len(bodies) }

	d := openDB(t)
	snd := sender.New(d, sender.Options{Seed: 1})
	m := newTestModel(t, d, 120, 40)
	m.act = app.ConsoleActions{Sender: snd, Source: NewDBSource(d)}
	ctx := context.Background()
	endpoint := func() *db.Endpoint {
		eps, err := snd.Endpoints(ctx)
		if err != nil || len(eps) != 1 {
			t.Fatalf("%d endpoints, %v", len(eps), err)
		}
		return &eps[0]
	}

	press(t, m, "3", "n")
	typeIn(t, m, "pc-mine")
	press(t, m, "enter")
	typeIn(t, m, "ftp://nowhere")
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "url") || !strings.Contains(s, "New endpoint") {
		t.Fatalf("a bad URL is not refused under its field:\n%s", s)
	}
	for range len("ftp://nowhere") {
		press(t, m, "backspace")
	}
	typeIn(t, m, srv.URL+"/hooks")
	press(t, m, "enter") // → profile (policycortex)
	for range 20 {       // every other field as it is
		if m.mode != modeForm {
			break
		}
		press(t, m, "enter")
	}
	if m.mode == modeForm {
		t.Fatalf("the form did not submit:\n%s", screen(m))
	}
	e := endpoint()
	if e.Name != "pc-mine" || e.Profile != "policycortex" || e.URL != srv.URL+"/hooks" || e.Secret == "" {
		t.Fatalf("saved %+v", e)
	}
	if s := screen(m); !strings.Contains(s, "pc-mine") || strings.Contains(s, e.Secret) {
		t.Fatalf("the list lacks the endpoint or shows its secret:\n%s", s)
	}

	// Test-send: pick the second event, confirm.
	press(t, m, "t", "down", "enter")
	if s := screen(m); !strings.Contains(s, "Send a test policy.violation.resolved to pc-mine") {
		t.Fatalf("t does not ask with the event picked:\n%s", s)
	}
	press(t, m, "y")
	if got() != 1 || !strings.Contains(bodies[0], "policy.violation.resolved") {
		t.Fatalf("the test was not sent: %d bodies %q\n%s", got(), bodies, screen(m))
	}
	// Disable with a reason: the prompt says what happens to new events.
	press(t, m, "d")
	if s := screen(m); !strings.Contains(s, "recorded as skipped") {
		t.Fatalf("the disable prompt does not say what happens:\n%s", s)
	}
	typeIn(t, m, "maintenance window")
	press(t, m, "enter")
	if e := endpoint(); e.Enabled || e.DisabledReason != "maintenance window" {
		t.Fatalf("not disabled with the reason: %+v", e)
	}
	if _, err := snd.Raise(ctx, "policycortex", "policy.violation.created", nil, "test"); err != nil {
		t.Fatal(err)
	}
	ds, err := db.NewDeliveryStore().ListDeliveries(ctx, d.Reader(), db.DeliveryFilter{Status: db.DeliverySkipped, Limit: 10})
	if err != nil || len(ds) != 1 {
		t.Fatalf("the event while disabled: %d skipped, %v", len(ds), err)
	}
	press(t, m, "d", "y", "S", "y")
	if e := endpoint(); !e.Enabled {
		t.Fatalf("not enabled")
	}
	ds, _ = db.NewDeliveryStore().ListDeliveries(ctx, d.Reader(), db.DeliveryFilter{Status: db.DeliverySkipped, Limit: 10})
	if len(ds) != 0 || !strings.Contains(screen(m), "1 skipped deliveries of endpoint #1 are due now") {
		t.Fatalf("S: %d still skipped\n%s", len(ds), screen(m))
	}

	// Rotate, then cancel a delete, then delete.
	old := endpoint().Secret
	press(t, m, "K", "y")
	if e := endpoint(); e.Secret == old || e.Secret == "" {
		t.Fatalf("K did not rotate the secret")
	}
	press(t, m, "D", "n")
	endpoint()
	press(t, m, "D", "y")
	if eps, _ := snd.Endpoints(ctx); len(eps) != 0 {
		t.Fatalf("D y left %d endpoints", len(eps))
	}
}
