package sender

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// A second run on another receiver port (--listen :0) must keep the
// built-in loop working: the default endpoints follow the receiver, while
// one the user re-pointed at their own service is left where they put it.
func TestDefaultEndpointsFollowTheReceiver(t *testing.T) {
	s, _ := openSender(t, 1)
	ctx := context.Background()
	if _, err := s.EnsureDefaultEndpoints(ctx, "127.0.0.1:41001"); err != nil {
		t.Fatal(err)
	}
	mine, err := s.ResolveEndpoint(ctx, DefaultEndpointName("holm"))
	if err != nil {
		t.Fatal(err)
	}
	mine.URL = "http://127.0.0.1:9000/my/service"
	if err := s.UpdateEndpoint(ctx, mine); err != nil {
		t.Fatal(err)
	}

	created, err := s.EnsureDefaultEndpoints(ctx, "127.0.0.1:42002")
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 0 {
		t.Errorf("second run created %d endpoints, want none", len(created))
	}
	eps, err := s.Endpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		want := "http://127.0.0.1:42002/hooks/" + e.Profile
		if e.Name == DefaultEndpointName("holm") {
			want = "http://127.0.0.1:9000/my/service"
		}
		if e.URL != want {
			t.Errorf("%s points at %s, want %s", e.Name, e.URL, want)
		}
	}
	if len(eps) != len(fixtures.All()) {
		t.Errorf("%d endpoints, want one per profile (%d)", len(eps), len(fixtures.All()))
	}
}

// A delivery's attempt as printed or served never shows a token in full,
// while the stored request keeps it exactly.
func TestViewDeliveryMasksCredentialHeaders(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := newHookServer(t, status(200))
	const token = "tok-0123456789abcdef0123456789"
	ep := addEndpoint(t, s, "codescoring", srv.URL, func(e *db.Endpoint) { e.Token = token })
	d, err := s.Test(context.Background(), ep.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	d = waitDelivery(t, s, d.ID, "delivered", final)
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
