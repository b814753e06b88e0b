package tui

import (
	"maps"
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	known := map[string]string{"vendor": "vendor", "sig": "sig", "signature": "sig"}
	kv, text, err := parseFilter([]string{"vendor:holm", "evt_12", "sig:valid", "signature:invalid", "boom", "http://127.0.0.1:9/x", `"type":"scan`}, known)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"vendor": "holm", "sig": "invalid"} // the later alias wins
	if !maps.Equal(kv, want) {
		t.Errorf("pairs %v, want %v", kv, want)
	}
	if text != `evt_12 boom http://127.0.0.1:9/x "type":"scan` { // URLs and JSON fragments are text
		t.Errorf("text %q", text)
	}
	// A key this view does not know is an error, not a silent text search.
	if _, _, err := parseFilter([]string{"route:x"}, known); err == nil || !strings.Contains(err.Error(), `unknown filter key "route:"`) || !strings.Contains(err.Error(), "sig:, signature:, vendor:") {
		t.Errorf("route: in a view without it: %v", err)
	}
}

// Filters apply as typed (after a pause), a bad key or value is shown at
// once and changes nothing, and esc clears the filter.
func TestFilterAsYouType(t *testing.T) {
	d := openDB(t)
	for i := 1; i <= 5; i++ {
		seedRequest(t, d, i, `{"a":1}`)
	}
	m := newTestModel(t, d, 120, 40)
	typeText := func(s string) {
		for _, c := range s {
			_, _ = m.Update(keyMsg(string(c))) // the debounce ticks are not run
		}
	}
	press(t, m, "/")
	typeText("vendor:holm")
	if len(m.inbox.pg.rows) != 5 {
		t.Fatalf("applied before typing paused: %d rows", len(m.inbox.pg.rows))
	}
	send(t, m, filterTickMsg{seq: m.filterSeq - 1}) // an older pause: ignored
	if len(m.inbox.pg.rows) != 5 {
		t.Fatalf("a stale tick applied the filter")
	}
	send(t, m, filterTickMsg{seq: m.filterSeq})
	if len(m.inbox.pg.rows) != 0 || m.inbox.filter.Vendor != "holm" {
		t.Fatalf("vendor:holm after the pause: %d rows, filter %+v", len(m.inbox.pg.rows), m.inbox.filter)
	}
	typeText(" bogus:1")
	send(t, m, filterTickMsg{seq: m.filterSeq})
	if s := screen(m); !strings.Contains(s, `unknown filter key "bogus:"`) || m.inbox.filter.Vendor != "holm" {
		t.Fatalf("an unknown key is not shown at once, or changed the filter (%+v):\n%s", m.inbox.filter, s)
	}
	press(t, m, "esc")
	if m.inbox.query != "" || len(m.inbox.pg.rows) != 5 {
		t.Fatalf("esc did not clear the filter: %q, %d rows", m.inbox.query, len(m.inbox.pg.rows))
	}
	// A bad value is refused with the valid ones named.
	press(t, m, "2", "/")
	typeText("status:bogus")
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "pending, retrying, succeeded, failed, skipped") {
		t.Fatalf("status:bogus in Deliveries:\n%s", s)
	}
	// In Deliveries an HTTP code or class is the last attempt's status.
	press(t, m, "/")
	for range len("status:bogus") {
		press(t, m, "backspace")
	}
	typeText("status:5xx")
	press(t, m, "enter")
	if f := m.deliv.filter; f.LastHTTP != "5xx" || f.Status != "" {
		t.Fatalf("status:5xx in Deliveries: %+v", f)
	}
}

// check:RUN in the Deliveries filter selects the deliveries of one run of
// `hookscope check` (its events' source is "check RUN").
func TestDeliveriesFilterCheckRun(t *testing.T) {
	f, err := (&Model{}).deliveriesFilter([]string{"check:1a2b3c4d", "status:failed", "scan"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "check 1a2b3c4d" || f.Status != "failed" || f.Text != "scan" {
		t.Errorf("%+v", f)
	}
}
