package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/db"
)

// seedHuge stores a request with a 1 MB header value, a 10 MB one-line
// JSON body and a 100 KB path, each on one line.
func seedHuge(t testing.TB, d *db.DB, i int) *db.Request {
	t.Helper()
	body := `{"blob":"` + strings.Repeat("x", 10<<20) + `"}`
	r := &db.Request{
		ReceivedAt: t0.Add(time.Duration(i) * time.Second), Route: "generic", Method: "POST",
		Path: "/hooks/" + strings.Repeat("p", 100<<10), RemoteAddr: "127.0.0.1:5000",
		Headers:  []db.Header{{Name: "X-Big", Value: strings.Repeat("h", 1<<20)}},
		Body:     []byte(body),
		BodySize: int64(len(body)), JSONValid: true, Vendor: "generic",
		Signature:   db.Signature{Status: "unverifiable", Reason: strings.Repeat("r", 200<<10)},
		ShapeIssues: []string{},
		Response:    db.Response{Status: 200, Body: []byte(`{"ok":true}`), LatencyMS: 1},
	}
	write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, r) })
	return r
}

// A request whose lines are megabytes long renders a bounded detail: no
// line of it is longer than maxLineCells (plus the mark that says it was
// cut), whatever the content, so wrapping it costs the same as any other.
func TestHugeLinesAreCutWithAMark(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":1}`)
	seedHuge(t, d, 2)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		m := newTestModel(t, d, size[0], size[1])
		content := m.details[viewInbox].content
		if content == "" {
			t.Fatal("no detail for the newest request")
		}
		for i, line := range strings.Split(content, "\n") {
			if w := ansi.StringWidth(line); w > maxLineCells+cutMarkCells {
				t.Fatalf("%dx%d: detail line %d is %d cells wide", size[0], size[1], i, w)
			}
		}
		// The marks count every byte not shown: of the header value, shown
		// in what its line leaves after "X-Big: ", and of the path, after
		// "Request #2  POST ".
		for _, more := range []int{1<<20 - (maxLineCells - len("X-Big: ")), len("/hooks/") + 100<<10 - (maxLineCells - len("Request #2  POST "))} {
			if want := fmt.Sprintf("line cut, %d more bytes", more); !strings.Contains(plain(content), want) {
				t.Errorf("%dx%d: no mark says %q", size[0], size[1], want)
			}
		}
		// Keys keep working over it: down selects the older request.
		press(t, m, "j")
		if got := m.inbox.pg.selectedID(); got != 1 {
			t.Errorf("%dx%d: after j the selected request is %d", size[0], size[1], got)
		}
		if !strings.Contains(screen(m), "Request #1") {
			t.Errorf("%dx%d: the older request's detail is not shown:\n%s", size[0], size[1], screen(m))
		}
	}
}

// The first page is fetched before the real window size is known; when the
// size arrives while that fetch is in flight, the list still fills the pane
// and pages through the whole history.
func TestListPagesWhenTheSizeArrivesDuringTheFirstFetch(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	for i := 1; i <= 120; i++ {
		seedRequest(t, d, i, `{"a":1}`)
	}
	for _, size := range [][2]int{{100, 30}, {120, 40}, {200, 50}} {
		m := New(Config{Source: NewDBSource(d), Now: func() time.Time { return t0 }, Location: time.UTC, NoTick: true})
		initCmd := m.Init()
		send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		run(t, m, initCmd)
		rows := m.listRows()
		if len(m.inbox.pg.rows) < rows {
			t.Errorf("%dx%d: the pane shows %d rows of %d", size[0], size[1], len(m.inbox.pg.rows), rows)
		}
		for range 100 {
			press(t, m, "j")
		}
		if got := m.inbox.pg.selectedID(); got != 20 {
			t.Errorf("%dx%d: 100 presses of j from the newest select #%d, want #20", size[0], size[1], got)
		}
		for range 10 {
			press(t, m, "pgdown")
		}
		if got := m.inbox.pg.selectedID(); got != 1 {
			t.Errorf("%dx%d: paging down ends at #%d, want the oldest", size[0], size[1], got)
		}
	}
}

// benchHuge measures moving between two requests (each key loads and
// renders a detail, then the frame is drawn); with huge, the newer one has
// a 1 MB header value, a 10 MB one-line body and a 100 KB path.
func benchHuge(b *testing.B, huge bool) {
	d := openDB(b)
	seedRequest(b, d, 1, `{"a":1}`)
	if huge {
		seedHuge(b, d, 2)
	} else {
		seedRequest(b, d, 2, `{"a":2}`)
	}
	m := newTestModel(b, d, 120, 40)
	keys := []string{"j", "k"}
	i := 0
	for b.Loop() {
		send(b, m, keyMsg(keys[i%2]))
		_ = m.View()
		i++
	}
}

// BenchmarkDetailHugeRequest and BenchmarkDetailPlainRequest, side by
// side: a key that selects a request with megabyte lines costs a bounded
// multiple of one that selects a small request.
func BenchmarkDetailHugeRequest(b *testing.B)  { benchHuge(b, true) }
func BenchmarkDetailPlainRequest(b *testing.B) { benchHuge(b, false) }

// BenchmarkViewHugeRequestSelected: one frame with the huge request's
// detail shown (scrolling, a resize, a tick redraw it).
func BenchmarkViewHugeRequestSelected(b *testing.B) {
	d := openDB(b)
	seedHuge(b, d, 1)
	m := newTestModel(b, d, 120, 40)
	for b.Loop() {
		_ = m.View()
	}
}

// Keys pressed while a page loads (a held pgdn) are kept and replayed in
// order when it arrives: none is dropped.
func TestHeldPageDownDropsNoPress(t *testing.T) {
	d := openDB(t)
	for i := 1; i <= 300; i++ {
		seedRequest(t, d, i, `{"a":1}`)
	}
	m := newTestModel(t, d, 120, 40)
	rows := m.listRows()
	// Five presses arrive before any page load answers.
	var cmds []tea.Cmd
	for range 5 {
		_, c := m.Update(keyMsg("pgdown"))
		cmds = append(cmds, c)
	}
	_, c := m.Update(keyMsg("j"))
	cmds = append(cmds, c)
	for _, c := range cmds {
		run(t, m, c)
	}
	// Each pgdn moves a page with the cursor on the same row (the first);
	// then j moves one down.
	want := int64(300 - 5*rows - 1)
	if got := m.inbox.pg.selectedID(); got != want {
		t.Errorf("after 5 pgdn and j pressed during loads: #%d, want #%d", got, want)
	}
}

// "? help" and "q quit" show at every width, the view's keys cut before
// them.
func TestHelpAndQuitAlwaysShow(t *testing.T) {
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":1}`)
	for _, w := range []int{50, 80, 120, 200} {
		m := newTestModel(t, d, w, 24)
		for _, v := range []string{"1", "2", "3", "4"} {
			press(t, m, v)
			lines := strings.Split(screen(m), "\n")
			foot := lines[len(lines)-1]
			if !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
				t.Errorf("width %d, view %s: footer %q", w, v, foot)
			}
		}
	}
}

// A status message clears after a few seconds (an error stays longer); an
// action in progress stays until its answer.
func TestStatusMessagesExpire(t *testing.T) {
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":1}`)
	m := newTestModel(t, d, 100, 30)
	statusLine := func() string {
		lines := strings.Split(screen(m), "\n")
		return strings.TrimSpace(lines[len(lines)-2])
	}
	press(t, m, "4", "f")
	if !strings.Contains(statusLine(), "follow works in") {
		t.Fatalf("status %q", statusLine())
	}
	send(t, m, tickMsg(t0.Add(4*time.Second)))
	if statusLine() == "" {
		t.Error("the message cleared after 4s")
	}
	send(t, m, tickMsg(t0.Add(5*time.Second)))
	if s := statusLine(); s != "" {
		t.Errorf("after 5s the status still says %q", s)
	}
	m.setStatus(statusError, "boom")
	send(t, m, tickMsg(t0.Add(10*time.Second)))
	if !strings.Contains(statusLine(), "boom") {
		t.Error("an error cleared before 12s")
	}
	send(t, m, tickMsg(t0.Add(12*time.Second)))
	if s := statusLine(); s != "" {
		t.Errorf("the error still shows: %q", s)
	}
	m.setStatus(statusBusy, "working…")
	send(t, m, tickMsg(t0.Add(time.Hour)))
	if !strings.Contains(statusLine(), "working") {
		t.Error("an action in progress lost its status")
	}
}

// The Inbox's signature glyph is coloured as the detail's verdict is.
func TestSignatureGlyphIsColoured(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	for status, style := range map[string]lipgloss.Style{"valid": r.st.OK, "invalid": r.st.Bad, "missing": r.st.Warn} {
		if got := r.sigGlyph(status); got != style.Render(ansi.Strip(got)) || got == ansi.Strip(got) {
			t.Errorf("%s: glyph %q is not styled as the verdict", status, got)
		}
	}
}

// A row from another day shows its date; today's show the time of day.
func TestRowsOfOtherDaysShowTheirDate(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC, now: t0}
	for at, want := range map[time.Time]string{
		t0.Add(-time.Hour):                    "08:26:53.000",
		t0.Add(-24 * time.Hour):               "Mar 13 09:26",
		t0.AddDate(-1, 0, 0):                  "2025-03-14",
		t0.Add(-9*time.Hour - 27*time.Minute): "Mar 13 23:59",
	} {
		if got := r.clock(at); got != want {
			t.Errorf("%v: %q, want %q", at, got, want)
		}
	}
	d := openDB(t)
	r1 := seedRequest(t, d, 1, `{"a":1}`)
	write(t, d, func(tx db.Handle) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE requests SET received_at = ? WHERE id = ?`, t0.AddDate(0, 0, -3).UnixNano(), r1.ID)
		return err
	})
	m := newTestModel(t, d, 120, 40)
	if !strings.Contains(screen(m), "Mar 11 09:26") {
		t.Errorf("the Inbox does not date a request of three days ago:\n%s", screen(m))
	}
}

// From 100 columns the Inbox shows the event type and the whole sig
// column; z zooms the focused pane, < and > move the split.
func TestListColumnsZoomAndSplit(t *testing.T) {
	d := openDB(t)
	for i := 1; i <= 3; i++ {
		seedRequest(t, d, i, `{"a":1}`)
	}
	for _, w := range []int{100, 120, 160, 220} {
		m := newTestModel(t, d, w, 30)
		s := screen(m)
		if !strings.Contains(s, "policy.violation.created") || !strings.Contains(s, " sig ") || strings.Contains(s, "si…") {
			t.Errorf("width %d: the event or sig column is cut:\n%s", w, s)
		}
	}
	m := newTestModel(t, d, 120, 30)
	listW := m.geometry().listW
	press(t, m, ">")
	if got := m.geometry().listW; got <= listW {
		t.Errorf("> did not widen the list: %d -> %d", listW, got)
	}
	press(t, m, "<", "<", "<")
	if got := m.geometry().listW; got >= listW {
		t.Errorf("< did not narrow the list: %d -> %d", listW, got)
	}
	press(t, m, "z")
	if g := m.geometry(); g.listW != 120 || g.detH != 0 || strings.Contains(screen(m), "Detail") {
		t.Errorf("z on the list: %+v\n%s", g, screen(m))
	}
	if n := m.inbox.pg.size; n != m.listRows() {
		t.Errorf("zoomed list pages %d rows, shows %d", n, m.listRows())
	}
	press(t, m, "enter") // focus the detail: it is the zoomed pane now
	if g := m.geometry(); g.detW != 120 || g.listH != 0 || !strings.Contains(screen(m), "Request #3") {
		t.Errorf("z on the detail: %+v\n%s", g, screen(m))
	}
	press(t, m, "esc", "z")
	if g := m.geometry(); g.listH == 0 || g.detH == 0 {
		t.Errorf("z again did not restore both panes: %+v", g)
	}
}

// The detail wraps at word boundaries, cuts table rows (headers, attempts,
// a batch) instead of wrapping them, and w keeps long lines whole.
func TestDetailWrapsWordsAndCutsTables(t *testing.T) {
	content := "signature  ✗ invalid — the header is wrong and the body was changed after signing\n" +
		row("X-Long-Header: "+strings.Repeat("v", 80)) + "\n" + strings.Repeat("w", 50)
	got := strings.Split(wrapDetail(content, 30, true), "\n")
	for _, line := range got {
		if w := ansi.StringWidth(line); w > 30 {
			t.Errorf("line %q is %d cells wide", line, w)
		}
		if strings.Contains(line, noWrap) {
			t.Errorf("a row mark is left in %q", line)
		}
	}
	if got[0] != "signature  ✗ invalid — the" || got[1] != "header is wrong and the body" {
		t.Errorf("not wrapped at words: %q", got[:2])
	}
	var header []string
	for _, line := range got {
		if strings.HasPrefix(line, "X-Long") || strings.HasPrefix(line, "vvv") {
			header = append(header, line)
		}
	}
	if len(header) != 1 || !strings.HasSuffix(header[0], "…") {
		t.Errorf("the header row wrapped instead of being cut: %q", header)
	}
	if ww := got[len(got)-2:]; ww[0] != strings.Repeat("w", 30) || ww[1] != strings.Repeat("w", 20) {
		t.Errorf("a word longer than the width is not broken: %q", ww)
	}
	if whole := wrapDetail(content, 30, false); strings.Count(whole, "\n") != 2 || strings.Contains(whole, noWrap) {
		t.Errorf("with wrapping off the lines are not kept whole: %q", whole)
	}

	// In the console: w toggles, and the detail follows the pane's width.
	d := openDB(t)
	seedRequest(t, d, 1, `{"a":1}`)
	m := newTestModel(t, d, 100, 30)
	press(t, m, "w")
	if !m.noWrap || !strings.Contains(screen(m), "wrapping off") {
		t.Errorf("w did not turn wrapping off:\n%s", screen(m))
	}
	press(t, m, "w")
	if m.noWrap {
		t.Error("w did not turn wrapping back on")
	}
	press(t, m, ">", ">")
	_ = screen(m)
	if m.detail.Width() != m.geometry().detW-2 || m.detailWidth != m.detail.Width() {
		t.Errorf("the detail is laid out for %d cells in a pane of %d", m.detailWidth, m.geometry().detW-2)
	}
}

// The detail loads only the bodies' first bytes it shows, and still says
// how many bytes it does not show.
func TestDetailLoadsAPreviewOfHugeBodies(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedHuge(t, d, 1)
	p, err := NewDBSource(d).GetRequestPreview(context.Background(), 1, maxShownBody+1)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(10<<20 + len(`{"blob":""}`))
	if len(p.Body) != maxShownBody+1 || p.BodyLen != total || p.Body[0] != '{' {
		t.Fatalf("preview: %d bytes loaded, length %d", len(p.Body), p.BodyLen)
	}
	// The body is one line: the detail shows its first maxLineCells bytes
	// and counts every other byte once, with no mark on that line counting
	// only the bytes of the preview.
	m := newTestModel(t, d, 120, 40)
	content := plain(m.details[viewInbox].content)
	if want := fmt.Sprintf("… %d more bytes not shown", total-maxLineCells); !strings.Contains(content, want) {
		t.Errorf("the detail does not say %q", want)
	}
	if bad := fmt.Sprintf("line cut, %d more bytes", maxShownBody-maxLineCells); strings.Contains(content, bad) {
		t.Errorf("the body's line says %q, counting only the preview", bad)
	}
}

// A URL too long for its column keeps its scheme, host and the end of its
// path, cut in the middle.
func TestCutMiddle(t *testing.T) {
	u := "http://127.0.0.1:9000/hooks/very/long/path/policycortex"
	got := cutMiddle(u, 30)
	if ansi.StringWidth(got) != 30 || !strings.HasPrefix(got, "http://127.0.0") || !strings.HasSuffix(got, "policycortex") || !strings.Contains(got, "…") {
		t.Errorf("cutMiddle = %q", got)
	}
	if cutMiddle("short", 30) != "short" {
		t.Error("a short text was cut")
	}
}

// o opens the selected request whole in $PAGER: the lines and the body the
// detail cuts are all in the file the pager gets, sanitised, and the file
// is removed when the pager exits.
func TestOpenWholeInPager(t *testing.T) {
	d := openDB(t)
	seedHuge(t, d, 1)
	m := newTestModel(t, d, 120, 40)
	t.Setenv("PAGER", "cat -A")
	var got string
	var file string
	m.execEditor = func(c *exec.Cmd, fn tea.ExecCallback) tea.Cmd {
		if c.Args[0] != "cat" || c.Args[1] != "-A" {
			t.Errorf("pager run as %q", c.Args)
		}
		file = c.Args[len(c.Args)-1]
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got = string(b)
		return func() tea.Msg { return fn(nil) }
	}
	press(t, m, "o")
	if !strings.Contains(got, "X-Big: "+strings.Repeat("h", 1<<20)) || !strings.Contains(got, strings.Repeat("x", 10<<20)+`"`) {
		t.Fatalf("the pager's text lacks the whole header or body (%d bytes)", len(got))
	}
	if strings.Contains(got, "line cut") || strings.Contains(got, "more bytes not shown") || strings.ContainsAny(got, "\x00\x1b") {
		t.Error("the pager's text is cut, or holds a row mark or an escape")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the pager's file %s was left behind (%v)", file, err)
	}
}

// Every mark counts the bytes it leaves out, whatever the text: wide
// characters, bytes shown as placeholders, a body cut at its preview, and
// a line holding two long values (a header's name and value).
func TestCutCountsEveryByte(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	detail := func(body []byte, stored int64, hs []db.Header) string {
		q := &db.RequestPreview{Request: &db.Request{ID: 1, Method: "POST", Path: "/hooks/x", Body: body, Headers: hs}, BodyLen: stored}
		return boundedText(t, r.bound(r.renderRequest(q)))
	}
	for _, c := range []struct {
		name  string
		whole []byte
		shown int // bytes of it the detail shows, on lines with no mark
		marks int // lines cut with a mark of their own
	}{
		{"wide characters", []byte(strings.Repeat("中", 100_000)), maxLineCells / 2 * 3, 0},
		{"invalid bytes", bytes.Repeat([]byte{0xff}, 300_000), maxLineCells / 4, 0},
		{"tabs", []byte(strings.Repeat("\t", 300_000)), maxLineCells / 4, 0},
		// The preview's last line is 1,000 bytes, 4,000 cells wide.
		{"a short wide last line", append([]byte(strings.Repeat(strings.Repeat("y", 99)+"\n", 2611)+strings.Repeat("y", 43)+"\n"),
			bytes.Repeat([]byte{0xff}, 5000)...), maxShownBody - 1000 + maxLineCells/4, 0},
	} {
		text := detail(c.whole[:maxShownBody], int64(len(c.whole)), nil)
		if want := fmt.Sprintf("… %d more bytes not shown", len(c.whole)-c.shown); !strings.Contains(text, want) {
			t.Errorf("%s: the detail does not say %q", c.name, want)
		}
		if n := strings.Count(text, "line cut"); n != c.marks {
			t.Errorf("%s: %d lines cut with a mark, want %d (the body's last line counts with the body)", c.name, n, c.marks)
		}
	}
	// A header name and value both too long: each mark counts its own.
	checkHeaderMarks(t, detail([]byte(`{}`), 2, []db.Header{{Name: longName, Value: longValue}}))
}

// boundedText checks that no line of content is wider than bound allows
// and returns it plain.
func boundedText(t *testing.T, content string) string {
	t.Helper()
	for i, line := range strings.Split(content, "\n") {
		if w := ansi.StringWidth(line); w > maxLineCells+cutMarkCells {
			t.Fatalf("line %d is %d cells wide", i, w)
		}
	}
	return plain(content)
}

// A header named longName with the value longValue, both too long for
// their line.
var longName, longValue = strings.Repeat("n", 300), strings.Repeat("v", 5000)

// checkHeaderMarks checks that text shows the header longName:
// longValue with a mark after each counting the bytes it leaves out.
func checkHeaderMarks(t *testing.T, text string) {
	t.Helper()
	if want := fmt.Sprintf("line cut, %d more bytes", len(longName)-nameCells); !strings.Contains(text, want) {
		t.Errorf("the header name's mark does not say %q", want)
	}
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "vvv"); i >= 0 {
			shown := strings.Count(line[i:], "v") // the mark has none
			if want := fmt.Sprintf("line cut, %d more bytes", len(longValue)-shown); !strings.Contains(line, want) {
				t.Errorf("the header value's mark does not say %q: %q", want, line[max(0, len(line)-80):])
			}
		}
	}
}
