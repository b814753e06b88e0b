package sender

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// RetryDelays is the list of waits before each retry of a delivery, the
// vendor's real delays: the profile's fixed ladder (CodeScoring, Standard
// Webhooks), or its exponential backoff kept inside its retry window
// (PolicyCortex 24 h, SecurityScorecard 36 h). An endpoint's retry_config
// overrides max_attempts (attempts in all, the first included) and
// backoff_multiplier.
func RetryDelays(p fixtures.DeliveryPolicy, rc *db.RetryConfig) []time.Duration {
	if rc != nil {
		if len(p.Schedule) > 0 {
			if rc.MaxAttempts > 0 && rc.MaxAttempts-1 < len(p.Schedule) {
				p.Schedule = p.Schedule[:rc.MaxAttempts-1]
			}
		} else if p.Backoff != nil {
			b := *p.Backoff
			if rc.MaxAttempts > 0 {
				b.MaxAttempts = rc.MaxAttempts
			}
			if rc.BackoffMultiplier > 0 {
				b.Multiplier = rc.BackoffMultiplier
			}
			p.Backoff = &b
		}
	}
	return p.RetryDelays()
}

// outcome decides what an attempt leaves behind: success, the next retry
// (at now + the vendor's wait / the delivery's time scale, whichever
// process sends it), or what the vendor does when its retries are spent.
func (s *Sender) outcome(c *db.Claimed, ep *db.Endpoint, prof fixtures.Profile, pol fixtures.DeliveryPolicy, x exchange, manual bool) db.Outcome {
	if x.ok {
		return db.Outcome{Status: db.DeliverySucceeded}
	}
	now := s.clock.Now() // only a failure is scheduled or noted at a time
	o := db.Outcome{LastError: x.attempt.Error}
	status := 0
	if x.attempt.Response != nil {
		status = x.attempt.Response.Status
	}
	if pol.DisableOnGone && status == http.StatusGone {
		reason := fmt.Sprintf("%s answered 410 Gone: %s disables the endpoint", ep.URL, prof.Title())
		o.Status = db.DeliveryFailed
		o.DisableEndpoint = reason
		o.Escalation = &db.Escalation{Kind: "disabled", Subject: "Endpoint disabled: 410 Gone", Body: reason, At: now}
		return o
	}
	if manual {
		// A manual attempt that fails leaves the schedule as it was.
		return o
	}
	if c.NoRetry {
		o.Status = db.DeliveryFailed
		return o
	}
	delays := RetryDelays(pol, ep.Retry)
	next := 1 // the retry this failure leads to
	if w := c.Delivery.Wait; w != nil && w.Retry > 0 {
		next = w.Retry + 1
	}
	if next <= len(delays) {
		wait, reason := delays[next-1], "schedule"
		if len(pol.Schedule) == 0 {
			reason = "backoff"
		}
		if pol.HonorRetryAfter && x.resp != nil {
			if ra, ok := retryAfter(x.resp.Header.Get("Retry-After"), now); ok {
				wait, reason = ra, "Retry-After"
			}
		}
		real := scaled(wait, deliveryScale(c.Delivery, s.scale))
		at := now.Add(real)
		o.Status = db.DeliveryRetrying
		o.Next = &at
		o.Wait = &db.RetryWait{
			Retry: next, Of: len(delays), Reason: reason,
			VendorWaitMS: wait.Milliseconds(), ScaledWaitMS: real.Milliseconds(),
		}
		return o
	}
	o.Status = db.DeliveryFailed
	switch pol.OnExhausted {
	case fixtures.Disable:
		last := time.Duration(0)
		if len(delays) > 0 {
			last = delays[len(delays)-1]
		}
		reason := fmt.Sprintf("%s disabled the webhook: still failing after the %s retry (%d retries over %s)", prof.Title(), ShortDuration(last), len(delays), ShortDuration(sum(delays)))
		o.DisableEndpoint = reason
		o.Escalation = &db.Escalation{Kind: "disabled", Subject: "Webhook disabled", Body: reason, At: now}
	case fixtures.Escalate:
		subject, body := escalationNotice(ep.Name, ep.URL, x.attempt.Error)
		o.Escalation = &db.Escalation{Kind: "escalated", Subject: subject, Body: body, At: now}
	}
	return o
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// ShortDuration writes a duration as the vendor would: "30m" for 30m0s,
// "3h" for 3h0m0s, "1h30m" for 1h30m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// escalationNotice is the email SecurityScorecard sends the rule owner
// (the endpoint's name stands for the rule).
func escalationNotice(rule, url, attemptErr string) (subject, body string) {
	httpErr := strings.TrimPrefix(attemptErr, ErrClassHTTPStatus+": ")
	return fixtures.SecurityScorecardEscalation(rule, url, httpErr)
}
