package receiver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// What the API and --json print never carries a token in full; the row
// itself keeps the exact bytes.
func TestRequestViewMasksCredentialHeaders(t *testing.T) {
	const token = "cs-token-0123456789abcdef"
	r := &db.Request{
		ID: 1, Method: "POST", Path: "/hooks/codescoring",
		Headers: []db.Header{
			{Name: "X-CodeScoring-Authentication", Value: token},
			{Name: "Authorization", Value: "Bearer " + token},
			{Name: "Content-Type", Value: "application/json"},
		},
		Forward: &db.Forward{URL: "http://127.0.0.1:1/", Headers: []db.Header{{Name: "Authorization", Value: "Bearer " + token}}},
	}
	b, err := json.Marshal(NewRequestView(r, true))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) {
		t.Errorf("the view prints the token in full: %s", b)
	}
	for _, want := range []string{fixtures.MaskSecret(token), "Bearer " + fixtures.MaskSecret(token), "application/json"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the view lacks %q: %s", want, b)
		}
	}
	if r.Headers[0].Value != token {
		t.Errorf("making the view changed the stored header: %q", r.Headers[0].Value)
	}
}
