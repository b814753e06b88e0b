package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/db"
)

// TestDetailPaneMasksCredentials: a CodeScoring token and a bearer token
// in received headers show masked in the detail pane, while the copied
// curl keeps them (it goes to the user's own clipboard).
func TestDetailPaneMasksCredentials(t *testing.T) {
	d := openDB(t)
	const token, bearer = "cs_tok_9f8e7d6c5b4a39281706", "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ"
	q := &db.Request{
		ReceivedAt: t0, Route: "codescoring", Method: "POST", Path: "/hooks/codescoring", RemoteAddr: "127.0.0.1:5000",
		Headers: []db.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-CodeScoring-Authentication", Value: token},
			{Name: "Authorization", Value: "Bearer " + bearer}},
		Body: []byte(`{"events":[]}`), BodySize: 13, JSONValid: true, Vendor: "codescoring", EventTypes: []string{},
		Signature: db.Signature{Status: "valid", Reason: "the token matches"}, ShapeIssues: []string{},
		Response: db.Response{Status: 200, Headers: []db.Header{{Name: "Set-Cookie", Value: "a=b"}}, Body: []byte(`{}`), LatencyMS: 1},
	}
	write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, q) })
	m := newTestModel(t, d, 120, 34)
	s := screen(m)
	for _, secret := range []string{token, bearer} {
		if strings.Contains(s, secret) || strings.Contains(detailText(m), secret) {
			t.Fatalf("a credential shows in full:\n%s", s)
		}
	}
	for _, want := range []string{"X-CodeScoring-Authentication: cs_t…(27 chars)", "Authorization: Bearer eyJh…(40 chars)", "Content-Type: application/json"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}
	golden.RequireEqual(t, s)

	msg := m.copyRequestCurl(q.ID)().(copiedMsg)
	if !strings.Contains(msg.text, token) || !strings.Contains(msg.text, "Bearer "+bearer) {
		t.Fatalf("the copied curl lost the real credentials:\n%s", msg.text)
	}
}
