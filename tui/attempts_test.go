package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// [ and ] step through a delivery's attempts, each with its own request
// and answer; the table marks the one shown; another delivery starts at
// its latest; the pager holds every attempt.
func TestStepThroughAttempts(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	first := seedDelivery(t, d, ep, 1, nil)
	del := seedDelivery(t, d, ep, 3, nil)
	write(t, d, func(tx db.Handle) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE attempts SET resp_body = CAST('answer of attempt ' || n AS BLOB) WHERE delivery_id = ?`, del.ID)
		return err
	})
	m := newTestModel(t, d, 120, 40)
	press(t, m, "2")
	if m.deliv.pg.selectedID() != del.ID {
		t.Fatalf("selected %d, want the newest delivery %d", m.deliv.pg.selectedID(), del.ID)
	}
	content := func() string { return plain(strings.Join(m.detailLines, "\n")) }
	if c := content(); !strings.Contains(c, "answer of attempt 3") || strings.Contains(c, "answer of attempt 2") {
		t.Fatalf("the latest attempt is not the one shown:\n%s", c)
	}
	press(t, m, "[")
	c := content()
	if !strings.Contains(c, "Attempt 2/3 request") || !strings.Contains(c, "answer of attempt 2") || strings.Contains(c, "answer of attempt 3") {
		t.Fatalf("[ did not show attempt 2:\n%s", c)
	}
	if !strings.Contains(c, "▸  2 ") {
		t.Fatalf("the table does not mark attempt 2:\n%s", c)
	}
	if !strings.Contains(plain(m.detail.View()), "Attempt 2/3 request") {
		t.Fatalf("the detail did not scroll to attempt 2:\n%s", plain(m.detail.View()))
	}
	press(t, m, "[", "[")
	if s := screen(m); !strings.Contains(s, "attempt 1 of 3 is the first") || !strings.Contains(content(), "answer of attempt 1") {
		t.Fatalf("[ past the first:\n%s", s)
	}
	// The selection holds when the delivery changes underneath (a refresh).
	send(t, m, ChangedMsg{Kinds: map[string]bool{"delivery": true}})
	if !strings.Contains(content(), "answer of attempt 1") {
		t.Fatalf("a refresh lost the attempt shown:\n%s", content())
	}
	press(t, m, "]", "]", "]")
	if s := screen(m); !strings.Contains(s, "attempt 3 of 3 is the latest") || !strings.Contains(content(), "answer of attempt 3") {
		t.Fatalf("] to the latest:\n%s", s)
	}
	press(t, m, "[", "j") // another delivery: its own latest
	if m.deliv.pg.selectedID() != first.ID || !strings.Contains(content(), "Attempt 1 request") {
		t.Fatalf("the next delivery does not start at its latest:\n%s", content())
	}
	// The pager's text holds every attempt in full.
	dd, err := m.src.GetDelivery(context.Background(), del.ID)
	if err != nil {
		t.Fatal(err)
	}
	all := plain(m.r.renderDelivery(dd, -1))
	for _, want := range []string{"answer of attempt 1", "answer of attempt 2", "answer of attempt 3"} {
		if !strings.Contains(all, want) {
			t.Errorf("the whole delivery lacks %q", want)
		}
	}
}

// From an attempt that went to hookscope's own receiver, i shows the
// Inbox request it produced (clearing a filter that hides it); from that
// request, d goes back to the delivery with that attempt shown; a request
// from outside says so.
func TestJumpBetweenAttemptAndRequest(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	del := seedDelivery(t, d, ep, 3, nil)
	dd, err := NewDBSource(d).GetDelivery(context.Background(), del.ID)
	if err != nil {
		t.Fatal(err)
	}
	a2 := dd.Delivery.Attempts[1]
	outside := seedRequest(t, d, 1, `{"a":1}`)
	produced := &db.Request{ReceivedAt: a2.StartedAt.Add(5 * time.Millisecond), Route: "cs-prod", Method: "POST", Path: "/cs-prod",
		Headers: a2.Request.Headers, Body: a2.Request.Body, BodySize: int64(len(a2.Request.Body)), Vendor: "codescoring",
		EventTypes: []string{}, ShapeIssues: []string{}, Response: db.Response{Status: 503}}
	write(t, d, func(tx db.Handle) error {
		return db.NewRequestStore().CreateRequest(context.Background(), tx, produced)
	})
	seedRequest(t, d, 9, `{"a":2}`) // newer, so the produced one is not simply selected

	m := newTestModel(t, d, 120, 40)
	press(t, m, "/", "z", "z", "enter") // a filter that hides the produced request
	press(t, m, "2", "i")
	if s := screen(m); !strings.Contains(s, "attempt 3 of delivery #1 left no request in the Inbox") {
		t.Fatalf("i on an attempt that left no request:\n%s", s)
	}
	press(t, m, "[", "i")
	if m.active != viewInbox || m.inbox.pg.selectedID() != produced.ID || m.inbox.query != "" {
		t.Fatalf("i: view %d, request %d (want %d), filter %q", m.active, m.inbox.pg.selectedID(), produced.ID, m.inbox.query)
	}
	if s := screen(m); !strings.Contains(s, "produced by attempt 2 of delivery #1 (its filter cleared)") {
		t.Fatalf("status after i:\n%s", s)
	}
	press(t, m, "3", "2", "1") // elsewhere and back: the latest attempt again
	press(t, m, "d")
	if m.active != viewDeliveries || m.deliv.pg.selectedID() != del.ID {
		t.Fatalf("d: view %d, delivery %d", m.active, m.deliv.pg.selectedID())
	}
	if c := plain(strings.Join(m.detailLines, "\n")); !strings.Contains(c, "Attempt 2/3 request") {
		t.Fatalf("d does not show the attempt that sent the request:\n%s", c)
	}
	press(t, m, "1", "G", "d")
	if m.inbox.pg.selectedID() != outside.ID || !strings.Contains(screen(m), "was not sent by hookscope") {
		t.Fatalf("d on a request from outside:\n%s", screen(m))
	}
}
