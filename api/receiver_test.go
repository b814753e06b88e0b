package api

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/receiver"
)

func apiServer(t *testing.T, h *harness) string {
	r := mux.NewRouter()
	r.Use(httpx.Recover(testkit.QuietLogger()))
	RegisterReceiver(r, Receiving{DB: h.DB, Requests: h.Requests, Routes: h.Routes, Receiver: h.Srv})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAPIRequests(t *testing.T) {
	h := newHarness(t, receiver.Options{})
	api := apiServer(t, h)
	creds := testkit.CredsOf(h.Route("policycortex"))
	for i := range 3 {
		h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", creds, uint64(i)))
	}
	h.Send("holm", wire([]byte("\xff\xfe not utf-8")))

	code, b := call(t, "GET", api+"/api/requests?vendor=policycortex&limit=2", "")
	var page RequestPage
	if code != 200 || json.Unmarshal(b, &page) != nil || len(page.Requests) != 2 || page.NextBefore == 0 {
		t.Fatalf("list: %d %s", code, b)
	}
	if page.Requests[0].Body != nil || page.Requests[0].Signature.Status != "valid" {
		t.Errorf("list rows carry no bodies and the verdicts: %+v", page.Requests[0])
	}
	code, b = call(t, "GET", api+"/api/requests?vendor=policycortex&limit=2&before="+itoa(page.NextBefore), "")
	page = RequestPage{}
	if json.Unmarshal(b, &page) != nil || len(page.Requests) != 1 || page.NextBefore != 0 {
		t.Fatalf("second page: %d %s", code, b)
	}

	// One request in full, with SPEC §7 field names.
	code, b = call(t, "GET", api+"/api/requests/1", "")
	var m map[string]any
	if code != 200 || json.Unmarshal(b, &m) != nil {
		t.Fatalf("get: %d %s", code, b)
	}
	for _, k := range []string{"id", "received_at", "route", "method", "path", "headers", "body", "vendor", "event_type", "signature", "duplicate", "shape_issues", "response"} {
		if _, ok := m[k]; !ok {
			t.Errorf("field %q missing from %s", k, b)
		}
	}
	resp := m["response"].(map[string]any)
	for _, k := range []string{"status", "headers", "body", "latency_ms"} {
		if _, ok := resp[k]; !ok {
			t.Errorf("response field %q missing", k)
		}
	}
	_, b = call(t, "GET", api+"/api/requests/4", "")
	m = nil
	json.Unmarshal(b, &m)
	if _, has := m["body"]; has || m["body_base64"] != "//4gbm90IHV0Zi04" {
		t.Errorf("a non-UTF-8 body must come as body_base64: %s", b)
	}

	for _, bad := range []string{"/api/requests?limit=0", "/api/requests?limit=x", "/api/requests?status=20", "/api/requests?signature=ok", "/api/requests?before=-1", "/api/requests?colour=red", "/api/requests/abc"} {
		code, b := call(t, "GET", api+bad, "")
		var e httpx.Error
		if code != 400 || json.Unmarshal(b, &e) != nil || e.Error == "" {
			t.Errorf("%s: %d %s, want 400 with a JSON error", bad, code, b)
		}
	}
	if code, _ := call(t, "GET", api+"/api/requests/999", ""); code != 404 {
		t.Errorf("missing request: %d", code)
	}
}

func TestAPIRoutes(t *testing.T) {
	h := newHarness(t, receiver.Options{})
	api := apiServer(t, h)
	code, b := call(t, "GET", api+"/api/routes/policycortex", "")
	var v RouteView
	secret := h.Route("policycortex").Secret
	if code != 200 || json.Unmarshal(b, &v) != nil || v.Profile != "policycortex" || v.Secret != fixtures.MaskSecret(secret) || strings.Contains(string(b), secret) {
		t.Fatalf("get: %d %s (the secret must be masked)", code, b)
	}
	code, b = call(t, "PUT", api+"/api/routes/policycortex", `{"response":{"status":503,"fail_first":0}}`)
	if code != 200 {
		t.Fatalf("put: %d %s", code, b)
	}
	// The receiver answers with the new response at once, and the secret
	// was kept (the masked value never round-trips).
	resp, _ := h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 1))
	if resp.StatusCode != 503 || h.Last().Signature.Status != "valid" {
		t.Fatalf("after PUT: %d, signature %v", resp.StatusCode, h.Last().Signature)
	}
	code, b = call(t, "PUT", api+"/api/routes/mine", `{"profile":"generic","token":"t0k3n"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, b)
	}
	for body, want := range map[string]string{
		`{"profile":"nope"}`:              "unknown vendor",
		`{"response":{"status":99}}`:      "response.status: 99 is outside 200..599",
		`{"response":{"failure_rate":2}}`: "failure_rate",
		`{"response":{"delay_ms":-5}}`:    "delay_ms",
		`{"colour":"red"}`:                "unknown field",
		`{"response":{"status":"200"}}`:   "response.status",
		`{"profile":`:                     "truncated",
		``:                                "empty",
		`{"response":{"headers":[{"name":"Content-Length","value":"1"}]}}`: "set by the receiver",
	} {
		code, b := call(t, "PUT", api+"/api/routes/policycortex", body)
		if code != 400 || !strings.Contains(string(b), want) {
			t.Errorf("PUT %s: %d %s, want 400 naming %q", body, code, b, want)
		}
	}
	if code, b := call(t, "PUT", api+"/api/routes/new-one", `{}`); code != 400 || !strings.Contains(string(b), "needs a profile") {
		t.Errorf("new route without profile: %d %s", code, b)
	}
	if code, _ := call(t, "GET", api+"/api/routes/absent", ""); code != 404 {
		t.Errorf("absent route: %d", code)
	}
	code, b = call(t, "GET", api+"/api/routes", "")
	var all []RouteView
	if code != 200 || json.Unmarshal(b, &all) != nil || len(all) != 8 {
		t.Errorf("list: %d, %d routes", code, len(all))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A genuine message carrying the id of an earlier, unverifiable one is a
// repeat of it: the API shows repeat_of and repeat_note, no error, not a
// duplicate (the receiver's TestDuplicateNeedsAGenuineOriginal covers
// every kind of forgery).
func TestAPIShowsARepeat(t *testing.T) {
	h := newHarness(t, receiver.Options{})
	api := apiServer(t, h)
	w := testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 1)
	h.Send("no-such-route", w)
	forged := h.Last()
	h.Send("policycortex", w)
	genuine := h.Last()
	if genuine.RepeatOf != forged.ID || genuine.RepeatNote == "" {
		t.Fatalf("the genuine message is recorded as repeat_of %d (%q), want a repeat of #%d", genuine.RepeatOf, genuine.RepeatNote, forged.ID)
	}
	_, b := call(t, "GET", api+"/api/requests/"+itoa(genuine.ID), "")
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if v["repeat_of"] != float64(forged.ID) || v["repeat_note"] != genuine.RepeatNote || v["error"] != nil || v["duplicate"] != false {
		t.Errorf("the API shows the genuine message as repeat_of %v, repeat_note %v, error %v, duplicate %v; want a repeat of %d with its note, no error",
			v["repeat_of"], v["repeat_note"], v["error"], v["duplicate"], forged.ID)
	}
}
