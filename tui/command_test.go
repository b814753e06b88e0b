package tui

import (
	"strings"
	"testing"
)

// The command line completes with tab and does what the keys do, asking
// first for anything that changes something.
func TestCommandLine(t *testing.T) {
	d := openDB(t)
	seedRoutes(t, d)
	seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedInbox(t, d, 3)
	rec := &recorder{}
	m := newTestModel(t, d, 120, 40)
	m.act = rec

	// Completion: the command, then a route's name, then a key.
	press(t, m, ":")
	typeIn(t, m, "ro")
	press(t, m, "tab")
	if m.input.Value() != "route" {
		t.Fatalf("tab after ro: %q", m.input.Value())
	}
	typeIn(t, m, " fla")
	press(t, m, "tab")
	typeIn(t, m, " fail_f")
	press(t, m, "tab")
	typeIn(t, m, "2")
	if m.input.Value() != "route flaky-pc fail_first=2" {
		t.Fatalf("completed to %q", m.input.Value())
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Route flaky-pc will answer 200, first 2 fail 503, delay 250ms, 1 header(s), body 12 B") {
		t.Fatalf("no question:\n%s", s)
	}
	press(t, m, "y")

	run := func(line string) {
		t.Helper()
		press(t, m, ":")
		typeIn(t, m, line)
		press(t, m, "enter")
	}
	run("endpoint cs-prod test test")
	if !strings.Contains(screen(m), "Send a test test to cs-prod") {
		t.Fatalf("endpoint test:\n%s", screen(m))
	}
	press(t, m, "y")
	run("endpoint cs-prod disable rotating keys")
	press(t, m, "y")
	run("prune 7d")
	press(t, m, "n")
	run("bogus")
	if !strings.Contains(screen(m), `unknown command "bogus"`) {
		t.Fatalf("unknown command:\n%s", screen(m))
	}
	run("route nosuch status=500")
	if !strings.Contains(screen(m), "no route nosuch") {
		t.Fatalf("unknown route:\n%s", screen(m))
	}
	want := []string{`route flaky-pc status=200 fail_first=2 fail_status=503 delay_ms=250 header="Retry-After: 5" body="{\"ok\":false}"`, "test 1 test", "enabled 1 false rotating keys"}
	if strings.Join(rec.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", rec.calls, want)
	}
	run("view routes")
	if m.active != viewRoutes {
		t.Fatalf("view routes: %d", m.active)
	}
	run("go 2")
	if m.active != viewInbox || m.inbox.pg.selectedID() != 2 {
		t.Fatalf("go 2: view %d, #%d", m.active, m.inbox.pg.selectedID())
	}
}
