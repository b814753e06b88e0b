package sender

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/db"
)

// TestSkippedWhileDisabledThenSent: events for a disabled endpoint are
// recorded as skipped, never sent, and go out after Enable + SendSkipped.
func TestSkippedWhileDisabledThenSent(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := newHookServer(t, status(http.StatusOK))
	ep := addEndpoint(t, s, "holm", srv.URL)
	ctx := context.Background()
	if err := s.Disable(ctx, ep.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}
	ds := raise(t, s, "holm", s.firstEvent(t, "holm"))
	if len(ds) != 1 || ds[0].Status != db.DeliverySkipped {
		t.Fatalf("deliveries %+v, want one skipped", ds)
	}
	time.Sleep(60 * time.Millisecond)
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("a disabled endpoint got %d requests", n)
	}
	if err := s.Enable(ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendSkipped(ctx, ep.ID); err != nil || n != 1 {
		t.Fatalf("SendSkipped = %d, %v", n, err)
	}
	d := waitDelivery(t, s, ds[0].ID, "the skipped delivery to go", final)
	if d.Status != db.DeliverySucceeded || len(srv.requests()) != 1 {
		t.Fatalf("status %s, %d requests", d.Status, len(srv.requests()))
	}
}

// TestRedirectNotFollowed: a 3xx is a failure naming the Location.
func TestRedirectNotFollowed(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := newHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	ep := addEndpoint(t, s, "holm", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.requests()) != 1 {
		t.Fatalf("the redirect was followed: %d requests", len(srv.requests()))
	}
	if d.Status != db.DeliveryFailed || !strings.Contains(d.Attempts[0].Error, "redirect not followed: 302 to /elsewhere") {
		t.Fatalf("status %s error %q", d.Status, d.Attempts[0].Error)
	}
}

// TestTimeoutAndRefused: a receiver slower than the timeout, and a closed
// port, are recorded with their class.
func TestTimeoutAndRefused(t *testing.T) {
	s, _ := openSender(t, 1)
	release := make(chan struct{})
	srv := newHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ep := addEndpoint(t, s, "holm", srv.URL, func(e *db.Endpoint) { e.TimeoutSeconds = 1 })
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if a := d.Attempts[0]; !strings.HasPrefix(a.Error, "timeout: ") || a.DurationMS < 1000 {
		t.Fatalf("attempt error %q after %v ms, want a timeout after 1 s", a.Error, a.DurationMS)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	ep2 := addEndpoint(t, s, "holm", url, func(e *db.Endpoint) { e.Name = "closed" })
	d, err = s.Test(context.Background(), ep2.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if a := d.Attempts[0]; !strings.HasPrefix(a.Error, "connection refused: ") {
		t.Fatalf("attempt error %q, want connection refused", a.Error)
	}
}

// TestAttemptRecordedInFull: request headers and body as sent, response
// status, headers and body.
func TestAttemptRecordedInFull(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := newHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"ok":true}`))
	})
	ep := addEndpoint(t, s, "policycortex", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "scan.completed")
	if err != nil {
		t.Fatal(err)
	}
	a := d.Attempts[0]
	sent := srv.requests()[0]
	if string(a.Request.Body) != string(sent.body) || a.Request.URL != srv.URL {
		t.Fatalf("recorded request differs from what arrived")
	}
	found := false
	for _, h := range a.Request.Headers {
		if h.Name == "X-Policycortex-Signature" || h.Name == "X-PolicyCortex-Signature" {
			found = h.Value == sent.header.Get("X-PolicyCortex-Signature")
		}
	}
	if !found {
		t.Fatalf("signature header not recorded as sent: %v", a.Request.Headers)
	}
	if a.Response == nil || a.Response.Status != 202 || string(a.Response.Body) != `{"ok":true}` || a.Manual {
		t.Fatalf("response %+v", a.Response)
	}
}

// TestAPI drives the REST routes over real HTTP.
func TestAPI(t *testing.T) {
	s, _ := openSender(t, 1)
	hook := newHookServer(t, status(http.StatusOK))
	r := mux.NewRouter()
	RegisterAPI(r, s)
	api := httptest.NewServer(r)
	defer api.Close()
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, api.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	for _, c := range []struct{ body, field string }{
		{`{"name":"x","url":"ftp://nope","profile":"policycortex"}`, "url:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"nosuch"}`, "profile:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"policycortex","events":["no.such"]}`, "events:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"policycortex","timeout_seconds":-1}`, "timeout_seconds:"},
	} {
		code, body := call("POST", "/api/endpoints", c.body)
		if code != 400 || !strings.Contains(body, c.field) {
			t.Errorf("POST %s: %d %s, want 400 naming %s", c.body, code, body, c.field)
		}
	}
	code, body := call("POST", "/api/endpoints", `{"name":"pc","url":"`+hook.URL+`","profile":"policycortex","secret":"s3cr3t-value-long",
		"events":["policy.violation.created"],"headers":{"X-Custom-Header":"custom-value"},"retry_config":{"max_attempts":3,"backoff_multiplier":2},"timeout_seconds":30}`)
	if code != 201 || strings.Contains(body, "s3cr3t-value-long") || !strings.Contains(body, `"secret":"s3cr…(17 chars)"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	var ep EndpointView
	json.Unmarshal([]byte(body), &ep)
	code, body = call("PATCH", "/api/endpoints/pc", `{"timeout_seconds":10}`)
	if code != 200 || !strings.Contains(body, `"timeout_seconds":10`) || !strings.Contains(body, "custom-value") {
		t.Fatalf("patch: %d %s", code, body)
	}
	code, body = call("POST", "/api/events", `{"vendor":"policycortex","event":"policy.violation.created"}`)
	if code != 202 || !strings.Contains(body, `"endpoint_id":`) {
		t.Fatalf("raise: %d %s", code, body)
	}
	var ds []DeliveryView
	json.Unmarshal([]byte(body), &ds)
	if len(ds) != 1 {
		t.Fatalf("raise fanned out to %d endpoints", len(ds))
	}
	waitDelivery(t, s, ds[0].ID, "success", final)
	code, body = call("GET", "/api/deliveries/"+itoa(ds[0].ID), "")
	if code != 200 {
		t.Fatalf("get delivery: %d %s", code, body)
	}
	for _, want := range []string{`"status":"succeeded"`, `"attempts":[{"n":1`, `"manual":false`, `"event_types":["policy.violation.created"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("delivery JSON lacks %s: %s", want, body)
		}
	}
	code, body = call("POST", "/api/deliveries/"+itoa(ds[0].ID)+"/retry", "")
	if code != 200 || !strings.Contains(body, `"manual":true`) {
		t.Fatalf("retry: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/test", `{"event_type":"scan.completed"}`)
	if code != 200 || !strings.Contains(body, `"event_types":["scan.completed"]`) {
		t.Fatalf("test: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/test", `{"event_type":"no.such.event"}`)
	if code != 400 || !strings.Contains(body, `event_type: unknown event \"no.such.event\"`) {
		t.Fatalf("test with an unknown event: %d %s, want 400 naming event_type", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/disable", `{"reason":"maintenance"}`)
	if code != 200 || !strings.Contains(body, `"enabled":false`) || !strings.Contains(body, "maintenance") {
		t.Fatalf("disable: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/enable", "")
	if code != 200 || !strings.Contains(body, `"enabled":true`) {
		t.Fatalf("enable: %d %s", code, body)
	}
	if code, body = call("GET", "/api/triggers?vendor=codescoring", ""); code != 200 || !strings.Contains(body, `"event":"test"`) {
		t.Fatalf("triggers: %d %s", code, body)
	}
	if code, _ = call("GET", "/api/deliveries?endpoint_id="+itoa(ep.ID), ""); code != 200 {
		t.Fatalf("list deliveries: %d", code)
	}
	if code, _ = call("DELETE", "/api/endpoints/pc", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ = call("GET", "/api/endpoints/pc", ""); code != 404 {
		t.Fatalf("get after delete: %d", code)
	}
}

func itoa(n int64) string { return strings.TrimSpace(json.Number(jsonInt(n)).String()) }

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A delivery's last error is the failed attempt's while it waits to be
// retried, and is cleared once a retry succeeds.
func TestLastErrorFollowsAttempts(t *testing.T) {
	s, _ := openSender(t, 3000) // PolicyCortex's first retry in a few ms
	srv := newHookServer(t, failFirst(2))
	addEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "s" })
	ds := raise(t, s, "policycortex", "policy.violation.created")
	d := waitDelivery(t, s, ds[0].ID, "the first failure", func(d *db.Delivery) bool { return d.AttemptCount >= 1 })
	if d.Status != db.DeliveryRetrying || !strings.Contains(d.LastError, "500") {
		t.Fatalf("after a 500: status %s, last error %q; want retrying with the 500", d.Status, d.LastError)
	}
	d = waitDelivery(t, s, ds[0].ID, "success", final)
	if d.Status != db.DeliverySucceeded || d.LastError != "" || d.AttemptCount != 3 {
		t.Fatalf("after a retry succeeded: status %s after %d attempts, last error %q; want succeeded after 3 with none", d.Status, d.AttemptCount, d.LastError)
	}
}
