package tui

import (
	"strings"
	"testing"
)

// A filter's search text past limits.SearchText is refused under the
// filter, naming the limit, and changes nothing; one exactly at it is
// searched, in the Inbox and in Deliveries.
func TestFilterSearchTextLimit(t *testing.T) {
	d := openDB(t)
	atLimit := strings.Repeat("x", 1023) + "y"
	seedRequest(t, d, 1, `{"a":1}`)
	seedRequest(t, d, 2, `{"note":"`+atLimit+`"}`)
	m := newTestModel(t, d, 120, 40)
	run(t, m, m.applyFilter(strings.Repeat("a", 1025)))
	if m.filterErr != "search text: 1025 is outside 0..1024 bytes" || m.inbox.filter.Text != "" || len(m.inbox.pg.rows) != 2 {
		t.Fatalf("a 1025-byte filter text in the Inbox: error %q, filter %q, %d rows", m.filterErr, m.inbox.filter.Text, len(m.inbox.pg.rows))
	}
	run(t, m, m.applyFilter(atLimit))
	if m.filterErr != "" || m.inbox.filter.Text != atLimit || len(m.inbox.pg.rows) != 1 {
		t.Fatalf("a 1024-byte filter text in the Inbox: error %q, %d rows, want the one request holding it", m.filterErr, len(m.inbox.pg.rows))
	}
	if _, err := m.deliveriesFilter([]string{strings.Repeat("a", 100_000)}); err == nil || err.Error() != "search text: 100000 is outside 0..1024 bytes" {
		t.Errorf("a 100,000-byte filter text in Deliveries: %v", err)
	}
	if f, err := m.deliveriesFilter([]string{atLimit}); err != nil || f.Text != atLimit {
		t.Errorf("a 1024-byte filter text in Deliveries: %+v %v", f, err)
	}
}

// The command line's numbers are read by their ranges in limits: :go ID
// by limits.ID (one past int64 named as such; the largest id shows the
// newest request, the nearest older), prune's Nd by limits.PruneDays.
func TestCommandLineNumbers(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 3)
	m := newTestModel(t, d, 120, 40)
	m.act = &recorder{}
	run(t, m, m.runCommand("go 99999999999999999999"))
	if !strings.Contains(m.status, "id: 99999999999999999999 is outside 1..9223372036854775807") {
		t.Errorf(":go past int64: %q", m.status)
	}
	run(t, m, m.runCommand("go 0"))
	if !strings.Contains(m.status, "id: 0 is outside 1..9223372036854775807") {
		t.Errorf(":go 0: %q", m.status)
	}
	run(t, m, m.runCommand("go 9223372036854775807"))
	if !strings.Contains(m.status, "showing #3, the nearest older") {
		t.Errorf(":go 9223372036854775807: %q", m.status)
	}
	run(t, m, m.runCommand("prune 100000d"))
	if !strings.Contains(m.status, "prune: 100000 is outside 1..99999 days") {
		t.Errorf(":prune 100000d: %q", m.status)
	}
	m.setStatus(statusInfo, "")
	run(t, m, m.runCommand("prune 99999d"))
	if s := screen(m); m.status != "" || !strings.Contains(s, "cannot be undone") {
		t.Errorf(":prune 99999d: status %q, no question:\n%s", m.status, s)
	}
}
