package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// assertScreenSafe fails if anything but styling reached the frame: after
// the styles are stripped, no escape or control character may remain.
func assertScreenSafe(t *testing.T, m *Model) {
	t.Helper()
	s := screen(m)
	for i, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("control %U at %d reached the screen:\n%s", r, i, s)
		}
	}
}

// assertSize fails unless the frame is exactly w×h cells.
func assertSize(t *testing.T, m *Model, w, h int) {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Fatalf("line %d is %d cells wide, more than %d: %q", i, n, w, l)
		}
	}
}

func seedInbox(t *testing.T, d *db.DB, n int) {
	for i := 1; i <= n; i++ {
		seedRequest(t, d, i, fmt.Sprintf(`{"id":"evt_%03d","type":"policy.violation.created","data":{"severity":"high","n":%d,"ok":true,"none":null}}`, i, i))
	}
}

func TestInboxView(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 12)
	seedRequest(t, d, 13, hostileBody)
	m := newTestModel(t, d, 80, 24)
	assertSize(t, m, 80, 24)
	assertScreenSafe(t, m)
	s := screen(m)
	if !strings.Contains(s, "received 13") {
		t.Fatalf("header lacks the count:\n%s", s)
	}
	golden.RequireEqual(t, s)
}

func TestDetailPaneShowsHostileBodyNeutralised(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 2)
	r := seedRequest(t, d, 3, hostileBody)
	m := newTestModel(t, d, 100, 40)
	press(t, m, "enter", "pgdown")
	assertScreenSafe(t, m)
	s := detailText(m)
	for _, want := range []string{"␛[2J", "␛]52;c;ZXZpbA==␇", "␛[10;10Hmoved", "⟨U+9B⟩31m", "⟨U+202E⟩gnp.exe"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}
	// The stored bytes stay exact.
	got, err := db.NewRequestStore().GetRequest(context.Background(), d.Reader(), r.ID)
	if err != nil || string(got.Body) != hostileBody {
		t.Fatalf("stored body changed: %q, %v", got.Body, err)
	}
	golden.RequireEqual(t, screen(m))
}

func TestDetailPaneJSON(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 1)
	m := newTestModel(t, d, 120, 40)
	s := screen(m)
	for _, want := range []string{"signature  ✓ valid — HMAC-SHA256", `"severity": "high"`, `"none": null`, "── Response ── 200"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(m.View().Content, "\x1b[") {
		t.Fatal("the JSON is not coloured")
	}
	golden.RequireEqual(t, s)
}

func TestDeliveriesView(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedDelivery(t, d, ep, 2, nil)
	m := newTestModel(t, d, 100, 40)
	press(t, m, "2")
	s := screen(m) + detailText(m)
	// At 100 columns the countdown takes two lines of the detail.
	for _, want := range []string{"retry 2 of 7 in 30.0s · vendor waits", "×10 → 30.0s", "Batch: 3 events in one request",
		"project_analyzed", "503", "upstream down␛[2J"} {
		if !strings.Contains(s, want) {
			t.Errorf("deliveries view lacks %q:\n%s", want, s)
		}
	}
	assertScreenSafe(t, m)
	golden.RequireEqual(t, screen(m))

	// The countdown is live.
	send(t, m, tickMsg(t0.Add(12*time.Second)))
	if s := screen(m); !strings.Contains(s, "in 18.0s") {
		t.Fatalf("countdown did not move:\n%s", s)
	}
}

func TestDeliveryEscalationNotice(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "ssc", "securityscorecard", true)
	seedDelivery(t, d, ep, 1, &db.Escalation{Kind: "escalated", Subject: "Webhook rule escalated", Body: "retries exhausted", At: t0})
	m := newTestModel(t, d, 100, 40)
	press(t, m, "2")
	if s := detailText(m); !strings.Contains(s, "▲ escalated at 2026-03-14 09:26:53.000 UTC: Webhook rule escalated") {
		t.Fatalf("no escalation notice:\n%s", s)
	}
}

func TestEndpointsView(t *testing.T) {
	d := openDB(t)
	seedEndpoint(t, d, "pc-prod", "policycortex", true)
	seedEndpoint(t, d, "cs-prod", "codescoring", false)
	m := newTestModel(t, d, 80, 24)
	press(t, m, "3", "j")
	s := screen(m)
	if !strings.Contains(s, "auto-disabled after 48h of failures") || !strings.Contains(s, "disabled") {
		t.Fatalf("the disable reason is not shown:\n%s", s)
	}
	if strings.Contains(s, "whsec_abcdefghijkl") {
		t.Fatal("the secret is printed in full")
	}
	golden.RequireEqual(t, s)
}

func TestFixturesView(t *testing.T) {
	d := openDB(t)
	m := newTestModel(t, d, 100, 30)
	press(t, m, "4")
	if len(m.fix.rows) == 0 {
		t.Skip("no fixture profiles registered yet")
	}
	s := screen(m)
	if !strings.Contains(s, "Payload preview") {
		t.Fatalf("no payload preview:\n%s", s)
	}
	assertScreenSafe(t, m)
	golden.RequireEqual(t, s)
}

func TestHelp(t *testing.T) {
	d := openDB(t)
	m := newTestModel(t, d, 80, 24)
	press(t, m, "?")
	s := screen(m)
	for _, want := range []string{"route response", "copy curl", "next view", "filter", "follow"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	golden.RequireEqual(t, s)
	press(t, m, "?")
	if strings.Contains(screen(m), "(? or esc to close)") {
		t.Fatal("help did not close")
	}
}

func TestNarrowTerminal(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 5)
	m := newTestModel(t, d, 50, 20)
	assertSize(t, m, 50, 20)
	golden.RequireEqual(t, screen(m))
}

func TestResizeSideBySide(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 40)
	m := newTestModel(t, d, 80, 24)
	small := m.inbox.pg.size
	send(t, m, tea.WindowSizeMsg{Width: 140, Height: 45})
	assertSize(t, m, 140, 45)
	if m.inbox.pg.size <= small || len(m.inbox.pg.rows) != m.inbox.pg.size {
		t.Fatalf("page did not follow the resize: size %d→%d, rows %d", small, m.inbox.pg.size, len(m.inbox.pg.rows))
	}
	// Side by side: the first body line holds both panes' top borders.
	if lines := strings.Split(screen(m), "\n"); strings.Count(lines[3], "╭") != 2 {
		t.Fatalf("panes are not side by side: %q", lines[3])
	}
	golden.RequireEqual(t, screen(m))
}

func TestKeysetPaging(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 100)
	m := newTestModel(t, d, 80, 24)
	size := m.inbox.pg.size
	seen := map[int64]bool{}
	first := m.inbox.pg.rows[0].ID
	if first != 100 {
		t.Fatalf("newest first: got #%d", first)
	}
	pages := 0
	for {
		if len(m.inbox.pg.rows) > size {
			t.Fatalf("%d rows in memory, page is %d", len(m.inbox.pg.rows), size)
		}
		for _, r := range m.inbox.pg.rows {
			if seen[r.ID] {
				t.Fatalf("row #%d shown on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		pages++
		before := m.inbox.pg.rows[0].ID
		press(t, m, "pgdown")
		if m.inbox.pg.rows[0].ID == before {
			break
		}
	}
	if len(seen) != 100 {
		t.Fatalf("paged through %d of 100 rows", len(seen))
	}
	press(t, m, "pgup")
	if m.inbox.pg.rows[0].ID <= m.inbox.pg.rows[len(m.inbox.pg.rows)-1].ID {
		t.Fatal("not newest first after paging up")
	}
	press(t, m, "g")
	if m.inbox.pg.rows[0].ID != 100 || m.inbox.pg.cursor != 0 {
		t.Fatalf("g did not go to the newest: #%d", m.inbox.pg.rows[0].ID)
	}
	// Moving past the last row of a page turns the page.
	for range size {
		press(t, m, "j")
	}
	if got := m.inbox.pg.selectedID(); got != int64(100-size) {
		t.Fatalf("after %d downs selected #%d, want #%d", size, got, 100-size)
	}
	press(t, m, "k")
	if got := m.inbox.pg.selectedID(); got != int64(100-size+1) {
		t.Fatalf("up across the page edge selected #%d", got)
	}
}

func TestFollowMode(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 5)
	m := newTestModel(t, d, 80, 24)
	press(t, m, "j", "j")
	kept := m.inbox.pg.selectedID()
	seedRequest(t, d, 6, `{}`)
	send(t, m, ChangedMsg{Kinds: map[string]bool{db.ChangeRequest: true}})
	if got := m.inbox.pg.selectedID(); got != kept {
		t.Fatalf("without follow the selection moved from #%d to #%d", kept, got)
	}
	press(t, m, "f")
	seedRequest(t, d, 7, `{}`)
	send(t, m, ChangedMsg{Kinds: map[string]bool{db.ChangeRequest: true}})
	if got := m.inbox.pg.selectedID(); got != 7 {
		t.Fatalf("follow did not select the newest: #%d", got)
	}
	if !strings.Contains(screen(m), "● follow") {
		t.Fatal("follow is not shown in the header")
	}
}

func TestFilter(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 3)
	r := seedRequest(t, d, 4, `{"boom":1}`)
	write(t, d, func(tx db.Handle) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE requests SET resp_status = 503 WHERE id = ?`, r.ID)
		return err
	})
	m := newTestModel(t, d, 80, 24)
	press(t, m, "/")
	for _, c := range "status:5xx" {
		press(t, m, string(c))
	}
	press(t, m, "enter")
	if len(m.inbox.pg.rows) != 1 || m.inbox.pg.rows[0].ID != r.ID {
		t.Fatalf("filter status:5xx gave %d rows", len(m.inbox.pg.rows))
	}
	if !strings.Contains(screen(m), "filter: status:5xx") {
		t.Fatalf("the filter is not shown:\n%s", screen(m))
	}

	// A filter nothing matches says so, not that nothing has arrived.
	press(t, m, "/")
	for range len("status:5xx") {
		press(t, m, "backspace")
	}
	for _, c := range "no-such-text" {
		press(t, m, string(c))
	}
	press(t, m, "enter")
	if len(m.inbox.pg.rows) != 0 {
		t.Fatalf("filter no-such-text gave %d rows", len(m.inbox.pg.rows))
	}
	if s := screen(m); !strings.Contains(s, "no requests match no-such-text") || strings.Contains(s, "no requests yet") {
		t.Fatalf("an empty filtered list should say nothing matches:\n%s", s)
	}
}

// recorder is an Actions that records calls (the sender's own tests cover
// what the calls do).
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return "done: " + s, nil
}
func (r *recorder) SendFixture(_ context.Context, ep int64, v, e string, p json.RawMessage) (string, error) {
	return r.add(fmt.Sprintf("send %d %s %s", ep, v, e))
}
func (r *recorder) RetryNow(_ context.Context, id int64) (string, error) {
	return r.add(fmt.Sprintf("retry %d", id))
}
func (r *recorder) RetryFailed(_ context.Context, id int64) (string, error) {
	return r.add(fmt.Sprintf("retry-failed %d", id))
}
func (r *recorder) SetEndpointEnabled(_ context.Context, id int64, on bool, why string) (string, error) {
	return r.add(fmt.Sprintf("enabled %d %v %s", id, on, why))
}
func (r *recorder) Replay(_ context.Context, q, ep int64) (string, error) {
	return r.add(fmt.Sprintf("replay %d %d", q, ep))
}
func (r *recorder) ReplayToURL(_ context.Context, q int64, url string) (string, error) {
	return r.add(fmt.Sprintf("replay-url %d %s", q, url))
}
func (r *recorder) SaveEndpoint(_ context.Context, e db.Endpoint) (string, error) {
	return r.add(fmt.Sprintf("save endpoint %d %s", e.ID, e.Name))
}
func (r *recorder) DeleteEndpoint(_ context.Context, id int64) (string, error) {
	return r.add(fmt.Sprintf("delete endpoint %d", id))
}
func (r *recorder) RotateCredential(_ context.Context, id int64) (string, error) {
	return r.add(fmt.Sprintf("rotate %d", id))
}
func (r *recorder) TestEndpoint(_ context.Context, id int64, ev string) (string, error) {
	return r.add(fmt.Sprintf("test %d %s", id, ev))
}
func (r *recorder) SendSkipped(_ context.Context, id int64) (string, error) {
	return r.add(fmt.Sprintf("send skipped %d", id))
}
func (r *recorder) Prune(_ context.Context, before time.Time) (string, error) {
	return r.add("prune " + before.Format(time.RFC3339))
}
func (r *recorder) PutRoute(_ context.Context, rt db.Route) (string, error) {
	return r.add("put route " + rt.Name)
}
func (r *recorder) DeleteRoute(_ context.Context, name string) (string, error) {
	return r.add("delete route " + name)
}
func (r *recorder) SetRouteResponse(_ context.Context, route string, s db.SimResponse) (string, error) {
	return r.add(fmt.Sprintf("route %s %s", route, s.Words()))
}

func TestActionsAskFirst(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedDelivery(t, d, ep, 1, nil)
	seedRequest(t, d, 1, `{}`)
	rec := &recorder{}
	m := newTestModel(t, d, 80, 24)
	m.act = rec

	// Disabling asks why (a form: esc writes nothing).
	press(t, m, "3", "d")
	if s := screen(m); !strings.Contains(s, "Why disable cs-prod?") {
		t.Fatalf("no question:\n%s", s)
	}
	press(t, m, "esc")
	press(t, m, "d")
	typeIn(t, m, "deploying")
	press(t, m, "enter")
	press(t, m, "R")
	if s := screen(m); !strings.Contains(s, "Retry every failed delivery of cs-prod?") || !strings.Contains(s, "[y/n]") {
		t.Fatalf("no confirmation:\n%s", s)
	}
	press(t, m, "y")
	press(t, m, "2", "r", "y")
	press(t, m, "1", "s")
	// The route prompt is prefilled; replace it with a failing answer.
	m.input.SetValue("status=200 fail_first=3 fail_status=503")
	press(t, m, "enter", "y")
	want := []string{"enabled 1 false deploying", "retry-failed 1", "retry 1", "route policycortex status=200 fail_first=3 fail_status=503"}
	if strings.Join(rec.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", rec.calls, want)
	}
	if s := screen(m); !strings.Contains(s, "✓ done: route policycortex") {
		t.Fatalf("no confirmation of the result:\n%s", s)
	}
}

func TestSendFixturePicksEndpoint(t *testing.T) {
	d := openDB(t)
	seedEndpoint(t, d, "pc-prod", "policycortex", true)
	rec := &recorder{}
	m := newTestModel(t, d, 80, 24)
	m.act = rec
	press(t, m, "4")
	for i, f := range m.fix.rows {
		if f.profile.Name() == "policycortex" {
			m.fix.cursor = i
			break
		}
	}
	f, ok := m.fix.selected()
	if !ok || f.profile.Name() != "policycortex" {
		t.Skip("policycortex fixtures not registered yet")
	}
	press(t, m, "s")
	if !strings.Contains(screen(m), "pc-prod") {
		t.Fatalf("picker lacks the endpoint:\n%s", screen(m))
	}
	press(t, m, "enter")
	// A real webhook goes out only once the target is confirmed.
	if len(rec.calls) != 0 || !strings.Contains(screen(m), "Send policycortex") || !strings.Contains(screen(m), "pc-prod") || !strings.Contains(screen(m), "[y/n]") {
		t.Fatalf("sent without asking (calls %q):\n%s", rec.calls, screen(m))
	}
	press(t, m, "y")
	if len(rec.calls) != 1 || !strings.HasPrefix(rec.calls[0], "send 1 policycortex ") {
		t.Fatalf("calls %q", rec.calls)
	}
}

// Typing "/scan" then Enter in Fixtures (as if a filter worked there) sends
// nothing: / does nothing in that view, s opens the picker and Enter only
// picks; the send still waits for y.
func TestTypingInFixturesSendsNothing(t *testing.T) {
	d := openDB(t)
	// An endpoint of the first fixture's vendor, so the picker has a row.
	seedEndpoint(t, d, "first", fixtures.All()[0].Name(), true)
	rec := &recorder{}
	m := newTestModel(t, d, 80, 24)
	m.act = rec
	press(t, m, "4", "/", "s", "c", "a", "n", "enter")
	if !strings.Contains(screen(m), "[y/n]") {
		t.Fatalf("no confirmation after the pick:\n%s", screen(m))
	}
	if len(rec.calls) != 0 {
		t.Fatalf("typing /scan⏎ in Fixtures sent %q", rec.calls)
	}
	press(t, m, "n")
	if len(rec.calls) != 0 || !strings.Contains(screen(m), "cancelled") {
		t.Fatalf("after n: calls %q\n%s", rec.calls, screen(m))
	}
}

// A confirmation is cut in its question, never in its [y/n].
func TestConfirmationKeepsItsAnswerKeys(t *testing.T) {
	d := openDB(t)
	seedEndpoint(t, d, strings.Repeat("very-long-endpoint-name-", 6), "policycortex", true)
	m := newTestModel(t, d, 80, 24)
	press(t, m, "3", "D")
	lines := strings.Split(screen(m), "\n")
	status := lines[len(lines)-2]
	if !strings.Contains(status, "[y/n]") {
		t.Fatalf("status line %q", status)
	}
}

func TestUnavailableActionSaysSo(t *testing.T) {
	d := openDB(t)
	seedRequest(t, d, 1, `{}`)
	seedEndpoint(t, d, "pc", "policycortex", true)
	m := newTestModel(t, d, 80, 24)
	press(t, m, "3", "D", "y")
	if s := screen(m); !strings.Contains(s, "not available in this build") {
		t.Fatalf("no clear answer:\n%s", s)
	}
}

func TestShellQuoteNeverCarriesControls(t *testing.T) {
	q := shellQuote(hostileBody)
	for _, r := range q {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("quoted text keeps %U: %q", r, q)
		}
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Fatalf("plain quote: %s", got)
	}
}

// detailText is the whole detail of the selected row, without colour.
func detailText(m *Model) string { return plain(m.details[m.active].content) }

// TestEndpointColumnsAlign: long endpoint names (the local defaults) are
// cut with "…" so every column starts where its head does, at 80 and 120
// columns.
func TestEndpointColumnsAlign(t *testing.T) {
	d := openDB(t)
	for _, p := range []string{"cyscale", "securityscorecard", "policycortex", "holm", "codescoring", "standardwebhooks", "generic"} {
		seedEndpoint(t, d, "local-"+p, p, true)
	}
	for _, size := range [][2]int{{80, 24}, {120, 34}} {
		m := newTestModel(t, d, size[0], size[1])
		press(t, m, "3")
		assertSize(t, m, size[0], size[1])
		lines := strings.Split(screen(m), "\n")
		for i, l := range lines { // the list pane only
			if r := []rune(l); len(r) > m.geometry().listW {
				lines[i] = string(r[:m.geometry().listW])
			}
		}
		head := -1
		for i, l := range lines {
			if strings.Contains(l, " name ") && strings.Contains(l, "profile") {
				head = i
				break
			}
		}
		if head < 0 {
			t.Fatalf("%dx%d: no column head:\n%s", size[0], size[1], screen(m))
		}
		col := func(l, word string) int { return len([]rune(l[:strings.Index(l, word)])) }
		stateAt, urlAt := col(lines[head], "state"), col(lines[head], "url")
		rows := 0
		for _, l := range lines[head+1:] {
			if f := strings.Fields(strings.TrimPrefix(l, "│")); len(f) == 0 || strings.Trim(f[0], "0123456789") != "" || !strings.Contains(l, "enabled") {
				continue // not an endpoint row
			}
			rows++
			state := "enabled"
			if got := col(l, state); got != stateAt {
				t.Errorf("%dx%d: state at %d, head at %d: %q", size[0], size[1], got, stateAt, l)
			}
			if r := []rune(l); r[urlAt-1] != ' ' || r[urlAt] == ' ' {
				t.Errorf("%dx%d: the url does not start at %d: %q", size[0], size[1], urlAt, l)
			}
		}
		if rows == 0 {
			t.Fatalf("%dx%d: no rows:\n%s", size[0], size[1], screen(m))
		}
		if s := screen(m); !strings.Contains(s, "…") {
			t.Errorf("%dx%d: nothing was cut:\n%s", size[0], size[1], s)
		}
	}
}

// An endpoint the vendor's rule disabled is told once, by the delivery's
// own notice; a later, separate disable is still shown beside it.
func TestAutoDisableNoticeShownOnce(t *testing.T) {
	d := openDB(t)
	ep := seedEndpoint(t, d, "cs", "codescoring", false) // disabled at t0
	seedDelivery(t, d, ep, 2, &db.Escalation{Kind: "disabled", Subject: "Webhook disabled", Body: "still failing after the 48h retry", At: t0})
	m := newTestModel(t, d, 100, 40)
	press(t, m, "2")
	s := detailText(m)
	if !strings.Contains(s, "⊘ auto-disabled at 2026-03-14 09:26:53.000 UTC: Webhook disabled") {
		t.Fatalf("no auto-disable notice:\n%s", s)
	}
	if strings.Contains(s, "⊘ endpoint disabled") {
		t.Fatalf("the same disable is told twice:\n%s", s)
	}

	d2 := openDB(t)
	ep2 := seedEndpoint(t, d2, "cs", "codescoring", false) // disabled at t0
	seedDelivery(t, d2, ep2, 2, &db.Escalation{Kind: "disabled", Subject: "Webhook disabled", Body: "earlier", At: t0.Add(-time.Hour)})
	m2 := newTestModel(t, d2, 100, 40)
	press(t, m2, "2")
	if s := detailText(m2); !strings.Contains(s, "⊘ endpoint disabled") || !strings.Contains(s, "⊘ auto-disabled") {
		t.Fatalf("two separate disables should both show:\n%s", s)
	}
}
