package tui

import (
	"context"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// x and X export the whole filtered list, oldest first, not the page the
// console shows: 60 of 65 requests match vendor:policycortex, far more
// than an 80×24 screen lists.
func TestExportIsTheWholeFilteredList(t *testing.T) {
	d := openDB(t)
	seedInbox(t, d, 60)
	for i := range 5 { // another vendor, filtered out
		r := &db.Request{ReceivedAt: t0.Add(time.Hour + time.Duration(i)*time.Second), Route: "holm", Method: "POST",
			Path: "/hooks/holm", Body: []byte(`{"ticket":{}}`), BodySize: 13, JSONValid: true, Vendor: "holm",
			Signature: db.Signature{Status: "unverifiable"}, Response: db.Response{Status: 200}}
		write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, r) })
	}
	m := newTestModel(t, d, 80, 24)
	m.expDir = t.TempDir()
	press(t, m, "/")
	for _, c := range "vendor:policycortex" {
		_, _ = m.Update(keyMsg(string(c))) // the debounce ticks are not run
	}
	send(t, m, filterTickMsg{seq: m.filterSeq})
	press(t, m, "enter")
	if m.inbox.filter.Vendor != "policycortex" || len(m.inbox.pg.rows) >= 60 {
		t.Fatalf("filter %+v with %d rows shown: the test needs a filtered list longer than the page", m.inbox.filter, len(m.inbox.pg.rows))
	}
	press(t, m, "x")
	if s := screen(m); !contains(s, "✓ exported 60 requests to") {
		t.Fatalf("no result:\n%s", s)
	}
	lines := readJSONL(t, m.expDir)
	if len(lines) != 60 {
		t.Fatalf("%d lines, want the 60 matching requests", len(lines))
	}
	for i, l := range lines {
		if l["id"].(float64) != float64(i+1) || l["vendor"] != "policycortex" {
			t.Fatalf("line %d: request %v of %v", i, l["id"], l["vendor"])
		}
	}
	press(t, m, "X")
	if h := readHAR(t, m.expDir); len(h.Log.Entries) != 60 || h.Log.Entries[59].ID != 60 {
		t.Fatalf("%d HAR entries, want 60", len(h.Log.Entries))
	}
}
