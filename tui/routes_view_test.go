package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/receiver"
)

// routesModel is a console over d whose actions write routes through a
// real receiver on d.
func routesModel(t *testing.T, d *db.DB, w, h int) *Model {
	t.Helper()
	rc, err := receiver.New(receiver.Options{DB: d, Requests: db.NewRequestStore(), Routes: db.NewRouteStore()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receiver.EnsureDefaultRoutes(context.Background(), d, db.NewRouteStore()); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, d, w, h)
	m.act = app.ConsoleActions{Receiver: rc, Source: NewDBSource(d)}
	send(t, m, ChangedMsg{Kinds: map[string]bool{"route": true}})
	return m
}

func typeIn(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, c := range s {
		press(t, m, string(c))
	}
}

func storedRoute(t *testing.T, d *db.DB, name string) (*db.Route, error) {
	t.Helper()
	return db.NewRouteStore().GetRoute(context.Background(), d.Reader(), name)
}

// The Routes view lists every route with its profile, masked credential
// and answer; n creates one through a form whose mistakes show under
// their field; e edits its answer; esc writes nothing; D deletes after
// y/n.
func TestRoutesViewCreateEditDelete(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	m := routesModel(t, d, 120, 40)
	press(t, m, "5")
	s := screen(m)
	for _, want := range []string{"Routes · ", "policycortex", "codescoring", "n new route"} {
		if !strings.Contains(s, want) {
			t.Fatalf("Routes view lacks %q:\n%s", want, s)
		}
	}

	// A new route: a bad name is refused under its field.
	press(t, m, "n")
	typeIn(t, m, "bad name!")
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "route name") || !strings.Contains(s, "New route") {
		t.Fatalf("a bad name is not refused in the form:\n%s", s)
	}
	for range len("bad name!") {
		press(t, m, "backspace")
	}
	typeIn(t, m, "policycortex") // taken
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "exists already") {
		t.Fatalf("a taken name is not refused:\n%s", s)
	}
	for range len("policycortex") {
		press(t, m, "backspace")
	}
	typeIn(t, m, "flaky")
	press(t, m, "enter")          // name → profile
	press(t, m, "enter")          // profile (generic, the default) → secret
	typeIn(t, m, "s3cret")        // secret
	press(t, m, "enter", "enter") // → token → header
	press(t, m, "enter")          // → the answer group: status
	press(t, m, "enter")          // status empty → fail first
	typeIn(t, m, "2")
	press(t, m, "enter") // → fail status
	typeIn(t, m, "99")   // not a status
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "fail status: 99 is outside 200..599") {
		t.Fatalf("a bad status is not refused under its field:\n%s", s)
	}
	press(t, m, "backspace", "backspace")
	typeIn(t, m, "503")
	for range 12 { // through the rest: each left as it is
		if m.mode != modeForm {
			break
		}
		press(t, m, "enter")
	}
	if m.mode == modeForm {
		t.Fatalf("the form did not submit:\n%s", screen(m))
	}
	r, err := storedRoute(t, d, "flaky")
	if err != nil {
		t.Fatalf("the route was not saved: %v\n%s", err, screen(m))
	}
	if r.Profile != "generic" || r.Secret != "s3cret" || r.Response.FailFirst != 2 || r.Response.FailStatus != 503 {
		t.Fatalf("saved %+v", r)
	}
	if s := screen(m); !strings.Contains(s, "flaky") || !strings.Contains(s, "first 2 fail 503") || strings.Contains(s, "s3cret") {
		t.Fatalf("the list does not show the new route, or shows its secret:\n%s", s)
	}

	// Cancelling an edit writes nothing.
	for m.routesV.cursor < len(m.routes) && m.routes[m.routesV.cursor].Name != "flaky" {
		press(t, m, "j")
	}
	press(t, m, "e")
	typeIn(t, m, "418")
	press(t, m, "esc")
	if r, _ := storedRoute(t, d, "flaky"); r.Response.Status != 0 || !strings.Contains(screen(m), "nothing was saved") {
		t.Fatalf("esc saved the edit: %+v\n%s", r.Response, screen(m))
	}

	// D asks, then deletes.
	press(t, m, "D")
	if s := screen(m); !strings.Contains(s, "Delete route flaky?") {
		t.Fatalf("D does not ask:\n%s", s)
	}
	press(t, m, "n")
	if _, err := storedRoute(t, d, "flaky"); err != nil {
		t.Fatalf("n deleted the route: %v", err)
	}
	press(t, m, "D", "y")
	if _, err := storedRoute(t, d, "flaky"); err == nil {
		t.Fatalf("y did not delete the route")
	}
}

// An open form follows the terminal's size: each frame is exactly the
// terminal's size and still holds the form.
func TestFormFollowsResize(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	m := routesModel(t, d, 120, 40)
	press(t, m, "5", "n")
	for _, size := range [][2]int{{80, 24}, {200, 50}, {100, 30}} {
		send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		assertSize(t, m, size[0], size[1])
		if s := screen(m); !strings.Contains(s, "New route") || !strings.Contains(s, "Name") {
			t.Fatalf("%v: the form is gone:\n%s", size, s)
		}
	}
	press(t, m, "esc")
	if m.mode != modeNormal {
		t.Fatal("esc did not close the form")
	}
}
