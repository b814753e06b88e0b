package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
)

// m marks a request, = compares the selected one with it: headers by
// name whatever their case, JSON bodies by path whatever their key order
// and spacing; an attempt can be compared with a request.
func TestDiff(t *testing.T) {
	d := openDB(t)
	a := seedRequest(t, d, 1, `{"id":"evt_1","data":{"severity":"high","keep":true}}`)
	b := &db.Request{ReceivedAt: a.ReceivedAt.Add(1), Route: "policycortex", Method: "POST", Path: "/hooks/policycortex",
		Headers: []db.Header{{Name: "content-type", Value: "application/json"}, {Name: "X-PolicyCortex-Signature", Value: "sha256=ff00"}},
		Body:    []byte("{\n  \"data\": {\"keep\": true, \"severity\": \"low\", \"new\": 1},\n  \"id\": \"evt_1\"\n}"), BodySize: 10,
		EventTypes: []string{}, ShapeIssues: []string{}, Response: db.Response{Status: 200}}
	write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, b) })
	m := newTestModel(t, d, 120, 40)

	press(t, m, "=")
	if !strings.Contains(screen(m), "mark a request or attempt with m first") {
		t.Fatalf("= without a mark:\n%s", screen(m))
	}
	press(t, m, "j", "m", "k", "=") // mark #1, compare #2 with it
	c := plain(m.details[viewInbox].content)
	for _, want := range []string{
		"− request #1", "+ request #2",
		"-x-policycortex-signature: sha256=ab12", "+x-policycortex-signature: sha256=ff00",
		`-$.data.severity = "high"`, `+$.data.severity = "low"`, `+$.data.new = 1`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("the diff lacks %q:\n%s", want, c)
		}
	}
	for _, same := range []string{"content-type", "$.data.keep", "$.id"} {
		if strings.Contains(c, "-"+same) || strings.Contains(c, "+"+same) {
			t.Errorf("%s differs only in case, order or spacing, yet is marked:\n%s", same, c)
		}
	}
	// An attempt against the marked request: the request line differs.
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedDelivery(t, d, ep, 1, nil)
	send(t, m, ChangedMsg{Kinds: map[string]bool{"delivery": true}})
	press(t, m, "2", "=")
	c = plain(m.details[viewDeliveries].content)
	if !strings.Contains(c, "+ delivery #1 attempt 1") || !strings.Contains(c, "-POST /hooks/policycortex") || !strings.Contains(c, "Body (JSON, by path)") {
		t.Fatalf("attempt vs request:\n%s", c)
	}
	assertScreenSafe(t, m)
}
