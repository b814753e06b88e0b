package sender

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

// TestSkippedWhileDisabledThenSent: events for a disabled endpoint are
// recorded as skipped, never sent, and go out after Enable + SendSkipped.
func TestSkippedWhileDisabledThenSent(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	ep := testkit.AddEndpoint(t, s, "holm", srv.URL)
	ctx := context.Background()
	if err := s.Disable(ctx, ep.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}
	ds := raise(t, s, "holm", s.firstEvent(t, "holm"))
	if len(ds) != 1 || ds[0].Status != db.DeliverySkipped {
		t.Fatalf("deliveries %+v, want one skipped", ds)
	}
	time.Sleep(60 * time.Millisecond)
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("a disabled endpoint got %d requests", n)
	}
	if err := s.Enable(ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendSkipped(ctx, ep.ID); err != nil || n != 1 {
		t.Fatalf("SendSkipped = %d, %v", n, err)
	}
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the skipped delivery to go", testkit.Final)
	if d.Status != db.DeliverySucceeded || len(srv.Requests()) != 1 {
		t.Fatalf("status %s, %d requests", d.Status, len(srv.Requests()))
	}
}

// TestRedirectNotFollowed: a 3xx is a failure naming the Location.
func TestRedirectNotFollowed(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	ep := testkit.AddEndpoint(t, s, "holm", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 1 {
		t.Fatalf("the redirect was followed: %d requests", len(srv.Requests()))
	}
	if d.Status != db.DeliveryFailed || !strings.Contains(d.Attempts[0].Error, "redirect not followed: 302 to /elsewhere") {
		t.Fatalf("status %s error %q", d.Status, d.Attempts[0].Error)
	}
}

// TestTimeoutAndRefused: a receiver slower than the timeout, and a closed
// port, are recorded with their class.
func TestTimeoutAndRefused(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 1)
	release := make(chan struct{})
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ep := testkit.AddEndpoint(t, s, "holm", srv.URL, func(e *db.Endpoint) { e.TimeoutSeconds = 1 })
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
	ep2 := testkit.AddEndpoint(t, s, "holm", url, func(e *db.Endpoint) { e.Name = "closed" })
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
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"ok":true}`))
	})
	ep := testkit.AddEndpoint(t, s, "policycortex", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "scan.completed")
	if err != nil {
		t.Fatal(err)
	}
	a := d.Attempts[0]
	sent := srv.Requests()[0]
	if string(a.Request.Body) != string(sent.Body) || a.Request.URL != srv.URL {
		t.Fatalf("recorded request differs from what arrived")
	}
	found := false
	for _, h := range a.Request.Headers {
		if h.Name == "X-Policycortex-Signature" || h.Name == "X-PolicyCortex-Signature" {
			found = h.Value == sent.Header.Get("X-PolicyCortex-Signature")
		}
	}
	if !found {
		t.Fatalf("signature header not recorded as sent: %v", a.Request.Headers)
	}
	if a.Response == nil || a.Response.Status != 202 || string(a.Response.Body) != `{"ok":true}` || a.Manual {
		t.Fatalf("response %+v", a.Response)
	}
}

// A delivery's last error is the failed attempt's while it waits to be
// retried, and is cleared once a retry succeeds.
func TestLastErrorFollowsAttempts(t *testing.T) {
	s, _ := openSender(t, 3000) // PolicyCortex's first retry in a few ms
	srv := testkit.NewHookServer(t, testkit.FailFirst(2))
	testkit.AddEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "s" })
	ds := raise(t, s, "policycortex", "policy.violation.created")
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the first failure", func(d *db.Delivery) bool { return d.AttemptCount >= 1 })
	if d.Status != db.DeliveryRetrying || !strings.Contains(d.LastError, "500") {
		t.Fatalf("after a 500: status %s, last error %q; want retrying with the 500", d.Status, d.LastError)
	}
	d = testkit.WaitDelivery(t, s, ds[0].ID, "success", testkit.Final)
	if d.Status != db.DeliverySucceeded || d.LastError != "" || d.AttemptCount != 3 {
		t.Fatalf("after a retry succeeded: status %s after %d attempts, last error %q; want succeeded after 3 with none", d.Status, d.AttemptCount, d.LastError)
	}
}
