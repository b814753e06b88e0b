package sender

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
)

// TestValidateBoundsEndpointNumbers: every number an endpoint holds is
// checked by its range in limits, the error naming the field and range.
func TestValidateBoundsEndpointNumbers(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(*db.Endpoint)
		field string
	}{
		{"attempts over int32", func(e *db.Endpoint) { e.Retry = &db.RetryConfig{MaxAttempts: 2147483648} }, "retry.max_attempts: 2147483648 is outside 0..100"},
		{"attempts negative", func(e *db.Endpoint) { e.Retry = &db.RetryConfig{MaxAttempts: -1} }, "retry.max_attempts: -1 is outside 0..100"},
		{"multiplier 1e308", func(e *db.Endpoint) { e.Retry = &db.RetryConfig{MaxAttempts: 2, BackoffMultiplier: 1e308} }, "retry.backoff_multiplier: 1e+308 is outside 1..10"},
		{"multiplier below 1", func(e *db.Endpoint) { e.Retry = &db.RetryConfig{BackoffMultiplier: 0.5} }, "retry.backoff_multiplier: 0.5 is outside 1..10"},
		{"timeout", func(e *db.Endpoint) { e.TimeoutSeconds = 1 << 40 }, "timeout_seconds: 1099511627776 is outside 0..100 s"},
		{"headers count", func(e *db.Endpoint) {
			for range 65 {
				e.Headers = append(e.Headers, db.Header{Name: "X-A", Value: "b"})
			}
		}, "headers: 65 is outside 0..64"},
		{"severity count", func(e *db.Endpoint) { e.Filters.Severity = make([]string, 65) }, "filters.severity: 65 is outside 0..64"},
	}
	for _, c := range cases {
		e := &db.Endpoint{Name: "x", URL: "http://127.0.0.1:1/", Profile: "policycortex"}
		c.mod(e)
		err := validate.Endpoint(e)
		var re *limits.RangeError
		if !errors.As(err, &re) || err.Error() != c.field {
			t.Errorf("%s: Validate = %v, want a RangeError %q", c.name, err, c.field)
		}
	}
	ok := &db.Endpoint{Name: "x", URL: "http://127.0.0.1:1/", Profile: "policycortex", TimeoutSeconds: 100,
		Retry: &db.RetryConfig{MaxAttempts: 100, BackoffMultiplier: 10}}
	if err := validate.Endpoint(ok); err != nil {
		t.Fatalf("the ends of the ranges are refused: %v", err)
	}
}

// TestRetryLadderBoundedWhateverStored: the ladder, the effective rule
// and the window note are computed in bounded work for any stored values,
// and the out-of-range ones are reported.
func TestRetryLadderBoundedWhateverStored(t *testing.T) {
	for _, rc := range []db.RetryConfig{
		{MaxAttempts: 2147483648, BackoffMultiplier: 1e308},
		{MaxAttempts: 1 << 62, BackoffMultiplier: -3},
		{MaxAttempts: 100, BackoffMultiplier: 10},
		{MaxAttempts: 100, BackoffMultiplier: 1},
	} {
		for _, p := range fixtures.All() {
			ep := db.Endpoint{Name: "e", Profile: p.Name(), Retry: &rc, TimeoutSeconds: 1 << 40}
			start := time.Now()
			delays := RetryDelays(p.Policy(), ep.Retry)
			eff, _ := EffectiveRetry(ep)
			note := RetryWindowNote(ep)
			secs, _ := EffectiveTimeoutSeconds(ep)
			if took := time.Since(start); took > 100*time.Millisecond {
				t.Errorf("%s %+v: took %v", p.Name(), rc, took)
			}
			if len(delays) > 99 {
				t.Errorf("%s %+v: %d delays", p.Name(), rc, len(delays))
			}
			var total time.Duration
			for _, d := range delays {
				if d < 0 {
					t.Errorf("%s %+v: negative wait %v", p.Name(), rc, d)
				}
				total += d
			}
			if total < 0 || total > limits.BackoffSpan {
				t.Errorf("%s %+v: ladder spans %v", p.Name(), rc, total)
			}
			if limits.EndpointMaxAttempts.Check(int64(eff.MaxAttempts)) != nil || secs > 100 || secs <= 0 {
				t.Errorf("%s %+v: effective %+v, timeout %d", p.Name(), rc, eff, secs)
			}
			if strings.Contains(note, "-") && strings.Contains(note, "-1") {
				t.Errorf("%s: note %q", p.Name(), note)
			}
			if bad := validate.StoredEndpoint(ep); rc.MaxAttempts > 100 && (len(bad) < 2 || !strings.Contains(bad[1], "retry.max_attempts")) {
				t.Errorf("%s %+v: Invalid = %q", p.Name(), rc, bad)
			}
		}
	}
}

// TestStoredOutOfRangeEndpointDelivers: an endpoint whose retry and
// timeout were written straight into the file, out of range, still
// delivers (the profile's rule in force) and its retry says the value is
// invalid.
func TestStoredOutOfRangeEndpointDelivers(t *testing.T) {
	s, d := openSender(t, 1000)
	srv := testkit.NewHookServer(t, testkit.FailFirst(1))
	ep := testkit.AddEndpoint(t, s, "policycortex", srv.URL)
	ctx := context.Background()
	err := d.Write(ctx, func(tx db.Handle) error {
		_, err := tx.ExecContext(ctx, `UPDATE endpoints SET retry = ?, timeout_seconds = ? WHERE id = ?`,
			`{"max_attempts": 2147483648, "backoff_multiplier": 1e308}`, 1<<40, ep.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := raise(t, s, "policycortex", s.firstEvent(t, "policycortex"))
	got := testkit.WaitDelivery(t, s, ds[0].ID, "the first retry", func(d *db.Delivery) bool { return d.AttemptCount >= 1 && d.Wait != nil || testkit.Final(d) })
	if got.Wait == nil || !strings.Contains(got.Wait.Reason, "retry.max_attempts: 2147483648 is outside 0..100") || got.Wait.Of != 2 {
		t.Fatalf("wait %+v, want the profile's 2 retries and the reason naming the invalid value", got.Wait)
	}
	got = testkit.WaitDelivery(t, s, ds[0].ID, "success", testkit.Final)
	if got.Status != db.DeliverySucceeded {
		t.Fatalf("status %s (%s)", got.Status, got.LastError)
	}
}

// TestCustomHeadersRefuseFraming: framing and hop-by-hop headers are
// refused as custom headers, naming them.
func TestCustomHeadersRefuseFraming(t *testing.T) {
	for _, name := range []string{"Transfer-Encoding", "host", "Content-Length", "Connection", "TE", "Upgrade"} {
		e := &db.Endpoint{Name: "x", URL: "http://127.0.0.1:1/", Profile: "generic", Headers: []db.Header{{Name: "X-Ok", Value: "1"}, {Name: name, Value: "chunked"}}}
		err := validate.Endpoint(e)
		var fe *validate.FieldError
		if !errors.As(err, &fe) || fe.Field != "headers" || !strings.HasPrefix(fe.Problem, name+":") {
			t.Errorf("%s: Validate = %v, want a headers error naming it", name, err)
		}
	}
}

// TestRecordedRequestHeadersAreTheWire: a custom header stored before the
// check (an older file) that the client would not write is not sent and
// not recorded; the recorded block is what the server received.
func TestRecordedRequestHeadersAreTheWire(t *testing.T) {
	s, d := openSender(t, 1)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	ep := testkit.AddEndpoint(t, s, "generic", srv.URL)
	ctx := context.Background()
	if err := d.Write(ctx, func(tx db.Handle) error {
		_, err := tx.ExecContext(ctx, `UPDATE endpoints SET headers = ? WHERE id = ?`,
			`[{"name":"Transfer-Encoding","value":"chunked"},{"name":"X-Custom","value":"v"}]`, ep.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dl, err := s.Test(ctx, ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	rec := dl.Attempts[0].Request.Headers
	wire := srv.Requests()[0]
	for _, h := range rec {
		if h.Name == "Transfer-Encoding" {
			t.Fatalf("recorded %v, a Transfer-Encoding the wire did not carry", rec)
		}
		if h.Name != "Host" && h.Name != "Content-Length" && wire.Header.Get(h.Name) != h.Value {
			t.Errorf("recorded %s: %q, the wire carried %q", h.Name, h.Value, wire.Header.Get(h.Name))
		}
	}
	if wire.Header.Get("X-Custom") != "v" {
		t.Fatalf("the custom header was not sent: %v", wire.Header)
	}
}
