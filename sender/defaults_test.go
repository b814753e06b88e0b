package sender

import (
	"context"
	"testing"

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
