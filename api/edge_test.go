package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/sender"
)

// edgeAPI serves the receiver's and the sender's routes over one real
// SQLite file on a loopback port, as serve does.
func edgeAPI(t *testing.T) (*harness, string) {
	h := newHarness(t, receiver.Options{})
	s := sender.New(h.DB, sender.Options{Poll: 20 * time.Millisecond})
	r := NewRouter(testkit.QuietLogger(), nil)
	RegisterReceiver(r, Receiving{DB: h.DB, Requests: h.Requests, Routes: h.Routes, Receiver: h.Srv})
	RegisterSender(r, s)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// A search text past limits.SearchText is a 400 naming q and the limit on
// every route that searches (it was a 500: SQLite's "LIKE or GLOB pattern
// too complex"), and a text exactly at the limit is searched.
func TestAPISearchTextLimit(t *testing.T) {
	h, api := edgeAPI(t)
	atLimit := strings.Repeat("x", 1023) + "y"
	h.Send("holm", wire([]byte(`{"note":"`+atLimit+`"}`)))
	for _, path := range []string{"/api/requests", "/api/deliveries"} {
		code, b := call(t, "GET", api+path+"?q="+strings.Repeat("a", 100_000), "")
		if code != 400 || !strings.Contains(string(b), "q: 100000 is outside 0..1024 bytes") {
			t.Errorf("%s with a 100,000-byte q: %d %s, want 400 naming q and 0..1024 bytes", path, code, b)
		}
		code, b = call(t, "GET", api+path+"?q="+strings.Repeat("a", 1025), "")
		if code != 400 || !strings.Contains(string(b), "q: 1025 is outside 0..1024 bytes") {
			t.Errorf("%s with a 1025-byte q: %d %s", path, code, b)
		}
		if code, b := call(t, "GET", api+path+"?q="+atLimit, ""); code != 200 {
			t.Errorf("%s with a q of exactly 1024 bytes: %d %s, want 200", path, code, b)
		}
	}
	code, b := call(t, "GET", api+"/api/requests?q="+atLimit, "")
	var page RequestPage
	if code != 200 || json.Unmarshal(b, &page) != nil || len(page.Requests) != 1 {
		t.Errorf("the request holding the 1024-byte text: %d %s, want it found", code, b)
	}
}

// Every number of a list's query and every id in a path is checked by its
// range in limits: 400 naming the field and the range, also for a number
// past int64, never a 500.
func TestAPINumbersAtTheEdge(t *testing.T) {
	_, api := edgeAPI(t)
	const huge = "99999999999999999999" // past int64
	ids := "1..9223372036854775807"
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/requests?limit=" + huge, "limit: " + huge + " is outside 1..1000"},
		{"GET", "/api/requests?limit=-1", "limit: -1 is outside 1..1000"},
		{"GET", "/api/requests?limit=0", "limit: 0 is outside 1..1000"},
		{"GET", "/api/requests?limit=1001", "limit: 1001 is outside 1..1000"},
		{"GET", "/api/requests?limit=ten", "limit: \"ten\" is not a number in 1..1000"},
		{"GET", "/api/requests?before=" + huge, "before: " + huge + " is outside " + ids},
		{"GET", "/api/requests?before=-3", "before: -3 is outside " + ids},
		{"GET", "/api/deliveries?limit=" + huge, "limit: " + huge + " is outside 1..1000"},
		{"GET", "/api/deliveries?limit=-1", "limit: -1 is outside 1..1000"},
		{"GET", "/api/deliveries?before=" + huge, "before: " + huge + " is outside " + ids},
		{"GET", "/api/deliveries?endpoint_id=" + huge, "endpoint_id: " + huge + " is outside " + ids},
		{"GET", "/api/deliveries?endpoint_id=0", "endpoint_id: 0 is outside " + ids},
		{"GET", "/api/requests/" + huge, "id: " + huge + " is outside " + ids},
		{"GET", "/api/requests/-1", "id: -1 is outside " + ids},
		{"GET", "/api/deliveries/" + huge, "id: " + huge + " is outside " + ids},
		{"GET", "/api/deliveries/0", "id: 0 is outside " + ids},
		{"POST", "/api/deliveries/" + huge + "/retry", "id: " + huge + " is outside " + ids},
		{"POST", "/api/requests/" + huge + "/replay", "id: " + huge + " is outside " + ids},
	} {
		code, b := call(t, c.method, api+c.path, "")
		var e struct{ Error string }
		if code != 400 || json.Unmarshal(b, &e) != nil || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s %s: %d %s, want 400 with %q", c.method, c.path, code, b, c.want)
		}
	}
	// An endpoint is named by its id or its name: an id past int64 is no
	// endpoint's, a 404 (never a 500).
	if code, b := call(t, "GET", api+"/api/endpoints/"+huge, ""); code != 404 && code != 400 {
		t.Errorf("GET /api/endpoints/%s: %d %s, want 400 or 404", huge, code, b)
	}
	// The largest id is an id: no such request, 404.
	if code, b := call(t, "GET", api+"/api/requests/9223372036854775807", ""); code != 404 {
		t.Errorf("GET the largest request id: %d %s, want 404", code, b)
	}
	q := url.Values{"limit": {"1000"}, "before": {"9223372036854775807"}}
	if code, b := call(t, "GET", api+"/api/requests?"+q.Encode(), ""); code != 200 {
		t.Errorf("limit and before at their largest: %d %s, want 200", code, b)
	}
}
