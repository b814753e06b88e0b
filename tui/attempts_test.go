package tui

import (
	"context"
	"strings"
	"testing"

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
