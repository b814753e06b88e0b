package tui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
)

// The route prompt edits the answer it shows: opened on a route with a
// seed, a body, headers and an oversize and confirmed untouched, it sets
// that same answer (it used to come back as {status 200, failure_rate 0.2});
// a word typed changes that field alone.
func TestRoutePromptKeepsEveryField(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	want := db.SimResponse{Status: 200, Seed: 7, Body: "custom", OversizeBytes: 5000, Headers: []db.Header{{Name: "X", Value: "y"}}, FailureRate: 0.2}
	write(t, d, func(tx db.Handle) error {
		return db.NewRouteStore().PutRoute(context.Background(), tx, &db.Route{Name: "pc", Profile: "policycortex", Response: want, CreatedAt: t0, UpdatedAt: t0})
	})
	rec := &recorder{}
	m := newTestModel(t, d, 120, 40)
	m.act = rec
	run(t, m, m.startRouteEdit("pc"))
	if got := m.input.Value(); got != want.Words() {
		t.Fatalf("the prompt shows %q, want every field: %q", got, want.Words())
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Route pc will answer 200, 20% fail 500 (seed 7), oversized 5000 B, 1 header(s), body 6 B") {
		t.Fatalf("the question does not describe the whole answer:\n%s", s)
	}
	press(t, m, "y")
	if !slices.Contains(rec.calls, "route pc "+want.Words()) {
		t.Fatalf("confirmed untouched, it set %q, want %q", rec.calls, want.Words())
	}

	run(t, m, m.startRouteEdit("pc"))
	m.input.SetValue("status=503")
	press(t, m, "enter", "y")
	changed := want
	changed.Status = 503
	if !slices.Contains(rec.calls, "route pc "+changed.Words()) {
		t.Fatalf("status=503 set %q, want only the status changed: %q", rec.calls, changed.Words())
	}
}
