package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// TestEndpointFormNumbersUseLimits: the form reads max attempts, the
// backoff multiplier and the timeout by the ranges the API and CLI use,
// an overflowing value refused under its label with its range.
func TestEndpointFormNumbersUseLimits(t *testing.T) {
	base := db.Endpoint{Name: "x", URL: "http://127.0.0.1:9/x", Profile: "policycortex", Secret: "s"}
	for _, c := range []struct{ attempts, backoff, timeout, want string }{
		{"2147483648", "", "", "max attempts: 2147483648 is outside 0..100"},
		{"99999999999999999999", "", "", "max attempts: 99999999999999999999 is outside 0..100"},
		{"", "1e308", "", "backoff multiplier: 1e+308 is outside 1..10"},
		{"", "50", "", "backoff multiplier: 50 is outside 1..10"},
		{"", "", "1000", "timeout seconds: 1000 is outside 0..100 s"},
	} {
		f := newEndpointForm(base)
		f.maxAttempts, f.backoff, f.timeout = c.attempts, c.backoff, c.timeout
		if _, err := f.endpoint(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c, err, c.want)
		}
	}
	f := newEndpointForm(base)
	f.maxAttempts, f.backoff, f.timeout = "100", "10", "100"
	if e, err := f.endpoint(); err != nil || e.Retry.MaxAttempts != 100 {
		t.Fatalf("the ends of the ranges: %+v %v", e.Retry, err)
	}
}

// TestEndpointDetailSaysStoredValuesInvalid: an endpoint holding values
// out of range (written by another program) is shown with each named
// invalid, not a ladder computed from it.
func TestEndpointDetailSaysStoredValuesInvalid(t *testing.T) {
	r := renderer{st: defaultStyles(), loc: time.UTC}
	e := db.Endpoint{ID: 1, Name: "x", URL: "http://127.0.0.1:9/x", Profile: "policycortex", TimeoutSeconds: 1 << 40,
		Retry: &db.RetryConfig{MaxAttempts: 2147483648, BackoffMultiplier: 1e308}}
	out := r.renderEndpoint(e)
	for _, want := range []string{"retry.max_attempts: 2147483648 is outside 0..100", "retry.backoff_multiplier: 1e+308 is outside 1..10", "timeout_seconds: 1099511627776 is outside"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
}
