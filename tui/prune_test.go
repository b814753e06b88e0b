package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
)

// P asks how much history to delete (a bad answer is refused under the
// field), then asks again naming it; only y deletes.
func TestPruneFromTheConsole(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 5) // at t0+1s … t0+5s
	m := newTestModel(t, d, 120, 40)
	m.act = app.ConsoleActions{Source: NewDBSource(d), History: d}
	count := func() int64 {
		n, err := db.NewRequestStore().CountRequests(context.Background(), d.Reader(), db.RequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	press(t, m, "P")
	typeIn(t, m, "soon")
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, `"soon": give RFC 3339`) {
		t.Fatalf("a bad time is not refused under the field:\n%s", s)
	}
	for range 4 {
		press(t, m, "backspace")
	}
	typeIn(t, m, "2026-03-14T09:26:57Z") // after the first three requests
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Delete everything recorded before 2026-03-14 09:26:57? It cannot be undone.") {
		t.Fatalf("no second question naming what goes:\n%s", s)
	}
	press(t, m, "n")
	if count() != 5 {
		t.Fatal("n deleted history")
	}
	press(t, m, "P")
	typeIn(t, m, "all")
	press(t, m, "enter", "y")
	if n := count(); n != 0 || !strings.Contains(screen(m), "✓ pruned 5 requests") {
		t.Fatalf("%d requests left:\n%s", n, screen(m))
	}
	if s := screen(m); !strings.Contains(s, "no requests yet") {
		t.Fatalf("the Inbox did not refresh:\n%s", s)
	}
}
