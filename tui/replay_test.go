package tui

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/sender"
)

// TestReplayPicksEndpointOrURL: p on a request lists the endpoints of its
// vendor and an entry to type a URL; each asks first.
func TestReplayPicksEndpointOrURL(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedRequest(t, d, 1, `{}`)
	seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedEndpoint(t, d, "pc-prod", "policycortex", true)
	rec := &recorder{}
	m := newTestModel(t, d, 80, 24)
	m.act = rec

	press(t, m, "p")
	s := screen(m)
	if !strings.Contains(s, "replay request #1 (policycortex) to…") || !strings.Contains(s, "pc-prod") || !strings.Contains(s, "type a URL…") {
		t.Fatalf("no replay picker:\n%s", s)
	}
	if strings.Contains(s, "cs-prod") {
		t.Fatalf("the picker offers another vendor's endpoint:\n%s", s)
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Replay request #1 to pc-prod") || !strings.Contains(s, "[y/n]") {
		t.Fatalf("no confirmation:\n%s", s)
	}
	press(t, m, "y")

	// The URL entry: prefilled with this receiver's route, editable.
	press(t, m, "p", "j", "enter")
	if s := screen(m); !strings.Contains(s, "replay #1 to URL: http://127.0.0.1:8088/hooks/policycortex") {
		t.Fatalf("no URL prompt:\n%s", s)
	}
	m.input.SetValue("http://127.0.0.1:9999/elsewhere")
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Replay request #1 to http://127.0.0.1:9999/elsewhere?") {
		t.Fatalf("no confirmation:\n%s", s)
	}
	press(t, m, "y")
	want := "replay 1 2|replay-url 1 http://127.0.0.1:9999/elsewhere"
	if got := strings.Join(rec.calls, "|"); got != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "✓ done: replay-url 1") {
		t.Fatalf("no result in the status line:\n%s", s)
	}
}

// TestReplayOverLoopback replays a stored PolicyCortex request through
// the real sender to an endpoint on loopback: the endpoint gets the same
// body signed with its own secret, and the status line says so.
func TestReplayOverLoopback(t *testing.T) {
	d := openDB(t)
	srv := testkit.NewHookServer(t, nil)

	p, err := fixtures.Lookup("policycortex")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := p.Render("policy.violation.created", rand.New(rand.NewPCG(1, 2)), t0)
	if err != nil {
		t.Skipf("rendering: %v", err)
	}
	q := seedRequest(t, d, 1, string(payload))
	snd := sender.New(d, sender.Options{Seed: 1})
	ep := &db.Endpoint{Name: "pc-loop", URL: srv.URL, Profile: "policycortex", Secret: "endpoint-secret-0123456789", Enabled: true}
	if err := snd.CreateEndpoint(context.Background(), ep); err != nil {
		t.Fatal(err)
	}

	m := newTestModel(t, d, 100, 30)
	src := NewDBSource(d)
	m.act = app.ConsoleActions{Sender: snd, Source: src}
	press(t, m, "p", "enter", "y")
	s := screen(m)
	if !strings.Contains(s, "✓ replayed request #1 to endpoint #1 as delivery #1 (succeeded, 1 attempt)") {
		t.Fatalf("no result:\n%s", s)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", len(reqs))
	}
	gotBody, gotHeader := reqs[0].Body, reqs[0].Header
	if string(gotBody) != string(q.Body) {
		t.Fatalf("replayed body %s, want %s", gotBody, q.Body)
	}
	if v := p.Verify(gotHeader, gotBody, fixtures.Credentials{Secret: ep.Secret}, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("not re-signed with the endpoint's secret: %+v", v)
	}
}
