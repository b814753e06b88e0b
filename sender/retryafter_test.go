package sender

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// TestRetryAfterBoundedByWindow: a Retry-After past the vendor's retry
// window (a date in year 9999, 8000000000 or 9223372036 seconds, a number
// overflowing int64) is clamped to the window's end, never "now"; an
// unparsable one is ignored for the ladder's wait; each says so.
func TestRetryAfterBoundedByWindow(t *testing.T) {
	p, _ := fixtures.Lookup("standardwebhooks")
	pol := p.Policy()
	window := sum(pol.RetryDelays())
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	created := now.Add(-time.Hour)
	left := windowLeft(pol, created, now, 1)
	if left != window-time.Hour {
		t.Fatalf("window left %v, want %v", left, window-time.Hour)
	}
	for _, v := range []string{"Fri, 31 Dec 9999 23:59:59 GMT", "8000000000", "9223372036", "99999999999999999999999"} {
		r := honourRetryAfter(v, now, 5*time.Second, "schedule", left)
		if r.end != "" || r.wait != left || !strings.Contains(r.reason, "clamped") {
			t.Errorf("Retry-After %q: %+v, want the wait clamped to the %v left", v, r, left)
		}
	}
	for _, v := range []string{"soon", "-5", "1.5", "Friday"} {
		r := honourRetryAfter(v, now, 5*time.Second, "schedule", left)
		if r.end != "" || r.wait != 5*time.Second || !strings.Contains(r.reason, "unparsable") {
			t.Errorf("Retry-After %q: %+v, want the ladder's 5s kept", v, r)
		}
	}
	if r := honourRetryAfter("120", now, 5*time.Second, "schedule", left); r.wait != 2*time.Minute || r.reason != "Retry-After" {
		t.Errorf("Retry-After 120: %+v", r)
	}
	if r := honourRetryAfter("8000000000", now, 5*time.Second, "schedule", 0); r.end == "" {
		t.Errorf("no window left: %+v, want the delivery to end", r)
	}
}

// TestRetryAfterFarFutureDoesNotResendAtOnce: a receiver answering 503
// with a Retry-After in year 9999 gets its next attempt at the end of the
// retry window (scaled), not attempts 2-8 in the same second.
func TestRetryAfterFarFutureDoesNotResendAtOnce(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	testkit.AddEndpoint(t, s, "standardwebhooks", srv.URL)
	ds := raise(t, s, "standardwebhooks", s.firstEvent(t, "standardwebhooks"))
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the first attempt", func(d *db.Delivery) bool { return d.AttemptCount >= 1 && d.Wait != nil || testkit.Final(d) })
	if d.Wait == nil || !strings.Contains(d.Wait.Reason, "clamped") {
		t.Fatalf("wait %+v, want the Retry-After clamped to the window", d.Wait)
	}
	p, _ := fixtures.Lookup("standardwebhooks")
	window := sum(p.Policy().RetryDelays())
	if w := d.Wait.VendorWait(); w <= window-time.Minute || w > window {
		t.Fatalf("vendor wait %v, want about the %v window", w, window)
	}
	if d.NextAttemptAt == nil || d.NextAttemptAt.Before(time.Now().Add(time.Minute)) || d.NextAttemptAt.After(time.Now().Add(2*time.Minute)) {
		t.Fatalf("next attempt at %v, want the window scaled by 1000 (~100 s) from now", d.NextAttemptAt)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1 (the retry waits)", n)
	}
}
