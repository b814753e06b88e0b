package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// A delivery's attempt as printed or served never shows a token in full,
// while the stored request keeps it exactly.
func TestViewDeliveryMasksCredentialHeaders(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, testkit.Status(200))
	const token = "tok-0123456789abcdef0123456789"
	ep := testkit.AddEndpoint(t, s, "codescoring", srv.URL, func(e *db.Endpoint) { e.Token = token })
	d, err := s.Test(context.Background(), ep.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	d = testkit.WaitDelivery(t, s, d.ID, "delivered", testkit.Final)
	stored := d.Attempts[0].Request.Headers
	if !hasHeaderValue(stored, fixtures.CodeScoringTokenHeader, token) {
		t.Fatalf("stored attempt lost the exact token: %+v", stored)
	}
	out, err := json.Marshal(ViewDelivery(*d))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), token) {
		t.Errorf("the delivery view prints the token in full:\n%s", out)
	}
	if !strings.Contains(string(out), fixtures.MaskSecret(token)) {
		t.Errorf("the delivery view does not show the masked token:\n%s", out)
	}
}

func hasHeaderValue(hs []db.Header, name, value string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) && h.Value == value {
			return true
		}
	}
	return false
}
