package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// seedRequests stores n requests in one transaction: every third from
// holm, every tenth holding "needle" in its body, the rest policycortex.
func seedRequests(t testing.TB, d *db.DB, n int) {
	t.Helper()
	rs := db.NewRequestStore()
	write(t, d, func(tx db.Handle) error {
		for i := 1; i <= n; i++ {
			body := fmt.Sprintf(`{"n":%d}`, i)
			if i%10 == 0 {
				body = fmt.Sprintf(`{"n":%d,"note":"needle"}`, i)
			}
			vendor := "policycortex"
			if i%3 == 0 {
				vendor = "holm"
			}
			r := &db.Request{ReceivedAt: t0, Route: vendor, Method: "POST", Path: "/hooks/" + vendor,
				Body: []byte(body), BodySize: int64(len(body)), JSONValid: true, Vendor: vendor,
				EventTypes: []string{"e"}, ShapeIssues: []string{}, Signature: db.Signature{Status: "valid"},
				Response: db.Response{Status: 200}}
			if err := rs.CreateRequest(context.Background(), tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// titleLine is the list pane's title as the screen shows it.
func titleLine(m *Model) string {
	line := strings.SplitN(screen(m), "\n", 5)[3]
	if i := strings.Index(line, "╮"); i >= 0 {
		line = line[:i]
	}
	return strings.Trim(line, "╭─ ")
}

// filterBy sets the list's filter as typed in the prompt (at once: typed
// key by key, each key waits for the filter's debounce).
func filterBy(t *testing.T, m *Model, q string) {
	t.Helper()
	press(t, m, "/")
	m.input.SetValue(q)
	press(t, m, "enter")
}

// wantTitle checks the list's title shows counts ("100 of 300") and ends
// with the row's place ("row 37"); a narrow pane drops the filter's words.
func wantTitle(t *testing.T, m *Model, counts, row string) {
	t.Helper()
	if title := titleLine(m); !strings.Contains(title, counts) || !strings.HasSuffix(title, row) {
		t.Fatalf("the title says %q, want %q and %q", title, counts, row)
	}
}

// goTo opens the # prompt, fills it with s and presses enter (typing
// key by key waits for the cursor's blink on every key).
func goTo(t *testing.T, m *Model, s string) {
	t.Helper()
	press(t, m, "#")
	m.input.SetValue(s)
	press(t, m, "enter")
}

// typeText types s into the prompt, one key per character.
func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

// G shows the oldest request; k then walks back up through the whole
// history, one row per press, every id once and in order, up to the
// newest; the title says which row is selected all the way.
func TestOldestRowAndBackUpByRows(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedRequests(t, d, 300)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "G")
	if got := m.inbox.pg.selectedID(); got != 1 {
		t.Fatalf("G selects #%d, want the oldest, #1", got)
	}
	if s := screen(m); !strings.Contains(s, "Request #1 ") || !strings.Contains(titleLine(m), "row 300") {
		t.Fatalf("G does not show the oldest request as row 300:\n%s", s)
	}
	for want := int64(2); want <= 300; want++ {
		press(t, m, "k")
		if got := m.inbox.pg.selectedID(); got != want {
			t.Fatalf("k from #%d selects #%d", want-1, got)
		}
		if title, row := titleLine(m), fmt.Sprintf("row %d", 301-want); !strings.HasSuffix(title, row) {
			t.Fatalf("at #%d the title says %q, want %q", want, title, row)
		}
	}
	press(t, m, "k") // the newest: nothing above
	if got := m.inbox.pg.selectedID(); got != 300 {
		t.Fatalf("k at the newest selects #%d", got)
	}
	if title := titleLine(m); title != "Inbox · 300 · row 1" {
		t.Fatalf("at the newest the title says %q", title)
	}
	press(t, m, "end", "g")
	if got := m.inbox.pg.selectedID(); got != 300 {
		t.Fatalf("g selects #%d, want the newest", got)
	}
}

// From the oldest page, pgup pages up through the history: every page
// is the rows just above the one before, so every id is seen once, in
// order, up to the newest page.
func TestOldestPageAndBackUpByPages(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 300)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "end")
	if got := m.inbox.pg.selectedID(); got != 1 {
		t.Fatalf("end selects #%d, want #1", got)
	}
	var seen []int64
	add := func() {
		rows := m.inbox.pg.rows
		for i := len(rows) - 1; i >= 0; i-- {
			if n := len(seen); n == 0 || rows[i].ID > seen[n-1] {
				seen = append(seen, rows[i].ID)
			}
		}
	}
	add()
	for range 300 {
		first := pageTop(m)
		press(t, m, "pgup")
		if pageTop(m) == first {
			break
		}
		if m.inbox.pg.rows[len(m.inbox.pg.rows)-1].ID > first+1 && first != 300 {
			t.Fatalf("pgup from the page headed #%d skips to a page ending at #%d", first, m.inbox.pg.rows[len(m.inbox.pg.rows)-1].ID)
		}
		add()
	}
	if len(seen) != 300 || seen[0] != 1 || seen[299] != 300 {
		t.Fatalf("paging up saw %d ids (%v…%v)", len(seen), seen[:min(3, len(seen))], seen[max(len(seen)-3, 0):])
	}
	if pageTop(m) != 300 || !strings.Contains(titleLine(m), "Inbox · 300") {
		t.Fatalf("paging up does not reach the newest page: %q", titleLine(m))
	}
}

// The title counts the matches and places the row under a filter, and G
// under a filter goes to the oldest matching request.
func TestTitleCountsUnderAFilter(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 300)
	m := newTestModel(t, d, 120, 40)
	if title := titleLine(m); title != "Inbox · 300 · row 1" {
		t.Fatalf("title %q", title)
	}
	filterBy(t, m, "vendor:holm")
	if title := titleLine(m); title != "Inbox · vendor:holm · 100 of 300 · row 1" {
		t.Fatalf("under vendor:holm the title says %q", title)
	}
	press(t, m, "j", "j", "pgdown")
	pos := m.inbox.pg.selectedID()
	if want := fmt.Sprintf("row %d", 100-(pos/3)+1); !strings.HasSuffix(titleLine(m), want) {
		t.Fatalf("at #%d the title says %q, want %q", pos, titleLine(m), want)
	}
	press(t, m, "G")
	if got := m.inbox.pg.selectedID(); got != 3 {
		t.Fatalf("G under vendor:holm selects #%d, want #3", got)
	}
	wantTitle(t, m, "100 of 300", "row 100")
	// A text filter: counted by reading the rows, in a Cmd all the same.
	filterBy(t, m, "needle")
	if title := titleLine(m); title != "Inbox · needle · 30 of 300 · row 1" {
		t.Fatalf("under needle the title says %q", title)
	}
	press(t, m, "G")
	if got := m.inbox.pg.selectedID(); got != 10 {
		t.Fatalf("G under needle selects #%d", got)
	}
	wantTitle(t, m, "30 of 300", "row 30")
	press(t, m, "k")
	wantTitle(t, m, "30 of 300", "row 29")
	// Traffic arrives: the counts follow.
	seedRequests(t, d, 10) // one more needle, three more holm
	send(t, m, ChangedMsg{Kinds: map[string]bool{db.ChangeRequest: true}})
	wantTitle(t, m, "31 of 310", "row 30")
}

// # opens a prompt; an id shows its page with it selected, a missing or
// filtered-out id the nearest older one (said in the status line), bad
// input an error, esc cancels.
func TestJumpToAnID(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 300)
	m := newTestModel(t, d, 120, 40)
	press(t, m, "#")
	if !strings.Contains(screen(m), "go to #") {
		t.Fatalf("# shows no prompt:\n%s", screen(m))
	}
	typeText(t, m, "150")
	press(t, m, "enter")
	if got := m.inbox.pg.selectedID(); got != 150 {
		t.Fatalf("# 150 selects #%d", got)
	}
	if s := screen(m); !strings.Contains(s, "Request #150 ") || !strings.HasSuffix(titleLine(m), "row 151") {
		t.Fatalf("# 150 does not show request 150 as row 151 (%q):\n%s", titleLine(m), s)
	}
	press(t, m, "k")
	if got := m.inbox.pg.selectedID(); got != 151 {
		t.Fatalf("k after the jump selects #%d", got)
	}
	press(t, m, "j", "j")
	if got := m.inbox.pg.selectedID(); got != 149 {
		t.Fatalf("j j after the jump selects #%d", got)
	}
	// Filtered out: the nearest older holm request.
	filterBy(t, m, "vendor:holm")
	goTo(t, m, "#100")
	if got := m.inbox.pg.selectedID(); got != 99 {
		t.Fatalf("# 100 under vendor:holm selects #%d, want #99", got)
	}
	if s := screen(m); !strings.Contains(s, "no request #100 under the filter: showing #99") {
		t.Fatalf("the status line does not say where the jump landed:\n%s", s)
	}
	// Past the newest: the newest.
	goTo(t, m, "99999")
	if got := m.inbox.pg.selectedID(); got != 300 {
		t.Fatalf("# 99999 selects #%d", got)
	}
	// Nothing at or below: an error, the list stays.
	goTo(t, m, "2")
	if got, s := m.inbox.pg.selectedID(), screen(m); got != 300 || !strings.Contains(s, "no request #2 or older under the filter") {
		t.Fatalf("# 2 under vendor:holm selects #%d:\n%s", got, s)
	}
	for _, bad := range []string{"abc", "0"} {
		goTo(t, m, bad)
		if s := screen(m); !regexp.MustCompile(`✗ id: .* (is not a number in|is outside) 1\.\.9223372036854775807`).MatchString(s) || m.inbox.pg.selectedID() != 300 {
			t.Fatalf("# %s: no error, or the list moved:\n%s", bad, s)
		}
	}
	press(t, m, "#")
	typeText(t, m, "7")
	press(t, m, "esc")
	if got, s := m.inbox.pg.selectedID(), screen(m); got != 300 || strings.Contains(s, "go to #") || !strings.Contains(s, "cancelled") {
		t.Fatalf("esc does not cancel the jump (#%d):\n%s", got, s)
	}
}

// The Deliveries list goes to its oldest row and back up too.
func TestDeliveriesOldestAndBackUp(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "mine", "codescoring", true)
	for range 70 {
		seedDelivery(t, d, ep, 0, nil)
	}
	m := newTestModel(t, d, 120, 40)
	press(t, m, "2", "G")
	first := m.deliv.pg.selectedID()
	if !strings.Contains(titleLine(m), "Deliveries · 70 · row 70") {
		t.Fatalf("G in Deliveries: #%d, title %q", first, titleLine(m))
	}
	for i := range 69 {
		prev := m.deliv.pg.selectedID()
		press(t, m, "k")
		if got := m.deliv.pg.selectedID(); got != prev+1 {
			t.Fatalf("k %d from #%d selects #%d", i+1, prev, got)
		}
	}
	if title := titleLine(m); title != "Deliveries · 70 · row 1" {
		t.Fatalf("back at the newest the title says %q", title)
	}
}

// pageTop is the id of the Inbox page's first row.
func pageTop(m *Model) int64 {
	if len(m.inbox.pg.rows) == 0 {
		return 0
	}
	return m.inbox.pg.rows[0].ID
}

// Traffic moves a row down the list: the title follows, counting at most
// once a second (the clock's tick catches up on what came in between).
func TestTitleFollowsTrafficOnceASecond(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 300)
	now := t0
	m := New(Config{Source: NewDBSource(d), Now: func() time.Time { return now }, Location: time.UTC, NoTick: true})
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	press(t, m, "pgdown", "pgdown", "j")
	id := m.inbox.pg.selectedID()
	row := 301 - id
	wantTitle(t, m, "Inbox · 300", fmt.Sprintf("row %d", row))
	changed := ChangedMsg{Kinds: map[string]bool{db.ChangeRequest: true}}
	seedRequests(t, d, 5)
	send(t, m, changed)
	wantTitle(t, m, "Inbox · 305", fmt.Sprintf("row %d", row+5))
	seedRequests(t, d, 5)
	send(t, m, changed) // within the second: counted on the next tick
	if m.inbox.pg.selectedID() != id {
		t.Fatalf("traffic moved the selection from #%d to #%d", id, m.inbox.pg.selectedID())
	}
	now = now.Add(time.Second)
	send(t, m, tickMsg(now))
	wantTitle(t, m, "Inbox · 310", fmt.Sprintf("row %d", row+10))
}
