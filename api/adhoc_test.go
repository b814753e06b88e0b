package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/sender"
)

// A send or a replay to a URL leaves no endpoint of the user's behind: the
// target is not listed (GET /api/endpoints), cannot be fetched, edited or
// enabled as one (GET /api/endpoints/{id}), and an event raised later
// (POST /api/events) does not fan out to it. Its deliveries are recorded,
// retried on the vendor's schedule and show the URL they went to.
func TestAdHocTargetsAreNotEndpoints(t *testing.T) {
	t.Parallel()
	s, d := openSender(t, 1000)
	ctx := context.Background()
	api := senderAPI(t, s)
	call := func(method, path, in string) (int, []byte) {
		t.Helper()
		return call(t, method, api+path, in)
	}

	// The target fails its first request: the vendor's retry follows.
	target := testkit.NewHookServer(t, testkit.FailFirst(1))
	del, err := s.SendTo(ctx, "policycortex", "policy.violation.created", target.URL+"/send", fixtures.Credentials{Secret: "s"}, sender.SendOptions{})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	route := &db.Route{Name: "pc", Profile: "policycortex", Secret: "route-secret"}
	if err := d.Write(ctx, func(tx db.Handle) error { return db.NewRouteStore().PutRoute(ctx, tx, route) }); err != nil {
		t.Fatal(err)
	}
	body := testkit.Received(t, "policycortex", fixtures.Credentials{Secret: "route-secret"}, "policy.violation.created")
	id := testkit.StoreRequest(t, d, "pc", "policycortex", body, false)
	if code, b := call("POST", "/api/requests/"+itoa(id)+"/replay", `{"url":"`+target.URL+`/replay"}`); code != 200 {
		t.Fatalf("replay to a URL: %d %s", code, b)
	}

	code, b := call("GET", "/api/endpoints", "")
	var eps []EndpointView
	if code != 200 || json.Unmarshal(b, &eps) != nil {
		t.Fatalf("GET /api/endpoints: %d %s", code, b)
	}
	for _, e := range eps {
		if strings.HasPrefix(e.URL, target.URL) {
			t.Errorf("the ad-hoc target is listed among the endpoints: %s %s", e.Name, e.URL)
		}
	}
	if code, b := call("GET", "/api/endpoints/"+itoa(del.EndpointID), ""); code != 404 {
		t.Errorf("GET /api/endpoints/%d (the send's target): %d %s, want 404", del.EndpointID, code, b)
	}
	if code, b := call("POST", "/api/endpoints/"+itoa(del.EndpointID)+"/enable", ""); code != 404 {
		t.Errorf("enabling the send's target: %d %s, want 404", code, b)
	}

	// Raised later: no delivery to the ad-hoc target.
	code, b = call("POST", "/api/events", `{"vendor":"policycortex","event":"policy.violation.created"}`)
	var raised []DeliveryView
	if code != 202 || json.Unmarshal(b, &raised) != nil {
		t.Fatalf("POST /api/events: %d %s", code, b)
	}
	if len(raised) != 0 {
		t.Errorf("an event raised after the send fanned out to %d deliveries: %s", len(raised), b)
	}

	// The send's delivery is retried on the vendor's schedule and shows
	// where it went.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := s.Delivery(ctx, del.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == db.DeliverySucceeded {
			if len(got.Attempts) != 2 || got.Attempts[1].Request.URL != target.URL+"/send" {
				t.Errorf("delivery %d: %d attempts, last to %q; want 2, to %s/send", got.ID, len(got.Attempts), got.Attempts[len(got.Attempts)-1].Request.URL, target.URL)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the send's delivery is %s after 10 s, want succeeded on its retry", got.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(target.Requests()); n != 3 {
		t.Errorf("the target got %d requests, want 3 (the send, its retry, the replay)", n)
	}
}
