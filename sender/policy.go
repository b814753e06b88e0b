package sender

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
)

// RetryDelays is the list of waits before each retry of a delivery, the
// vendor's real delays: the profile's fixed ladder (CodeScoring, Standard
// Webhooks), or its exponential backoff kept inside its retry window
// (PolicyCortex 24 h, SecurityScorecard 36 h). An endpoint's retry_config
// overrides max_attempts (attempts in all, the first included) and
// backoff_multiplier. Whatever rc holds, the work is bounded: a value out
// of its range in limits counts as unset (the profile's), and a backoff
// ladder stops at its window (limits.BackoffSpan where the vendor sets
// none), so at most limits.EndpointMaxAttempts.Max-1 waits are computed.
func RetryDelays(p fixtures.DeliveryPolicy, rc *db.RetryConfig) []time.Duration {
	rc = usableRetry(rc)
	switch {
	case len(p.Schedule) > 0:
		if rc != nil && rc.MaxAttempts > 0 && rc.MaxAttempts-1 < len(p.Schedule) {
			p.Schedule = p.Schedule[:rc.MaxAttempts-1]
		}
		return p.RetryDelays()
	case p.Backoff != nil:
		b := *p.Backoff
		if rc != nil && rc.MaxAttempts > 0 {
			b.MaxAttempts = rc.MaxAttempts
		}
		if rc != nil && rc.BackoffMultiplier > 0 {
			b.Multiplier = rc.BackoffMultiplier
		}
		delays, _ := backoffDelays(b, p.Window)
		return delays
	}
	return p.RetryDelays()
}

// backoffDelays expands an exponential rule (Initial × Multiplier^k for
// MaxAttempts-1 retries, at most limits.EndpointMaxAttempts.Max-1) while
// the waits' sum stays within window (limits.BackoffSpan when window is
// 0). next is the first wait cut by the window (0 when none was): the
// wait after the last retry kept, computed without overflow.
func backoffDelays(b fixtures.Backoff, window time.Duration) (delays []time.Duration, next time.Duration) {
	if window <= 0 {
		window = limits.BackoffSpan
	}
	mult := b.Multiplier
	if mult < 1 || math.IsNaN(mult) || math.IsInf(mult, 0) {
		mult = 1
	}
	retries := min(max(b.MaxAttempts-1, 0), int(limits.EndpointMaxAttempts.Max-1))
	d := float64(b.Initial)
	var total time.Duration
	for range retries {
		// d is at most window before the conversion: no overflow.
		if d > float64(window-total) {
			return delays, saturated(d)
		}
		w := time.Duration(d)
		delays = append(delays, w)
		total += w
		d *= mult
	}
	return delays, 0
}

// saturated converts a float count of nanoseconds to a Duration, the
// longest one where it does not fit.
func saturated(d float64) time.Duration {
	if d >= float64(math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(d)
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
		scale := deliveryScale(c.Delivery, s.scale)
		if pol.HonorRetryAfter && x.resp != nil {
			if v := x.resp.Header.Values("Retry-After"); len(v) > 0 {
				left := windowLeft(pol, c.Delivery.CreatedAt, now, scale)
				ra := honourRetryAfter(v[0], now, wait, reason, left)
				if ra.end != "" {
					o.Status = db.DeliveryFailed
					o.LastError = joinNote(o.LastError, ra.end)
					return o
				}
				wait, reason = ra.wait, ra.reason
			}
		}
		if bad := validate.StoredEndpoint(*ep); len(bad) > 0 {
			reason += "; endpoint " + strings.Join(bad, "; ")
		}
		real := scaled(wait, scale)
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

// escalationNotice is the email SecurityScorecard sends the rule owner
// (the endpoint's name stands for the rule).
func escalationNotice(rule, url, attemptErr string) (subject, body string) {
	httpErr := strings.TrimPrefix(attemptErr, ErrClassHTTPStatus+": ")
	return fixtures.SecurityScorecardEscalation(rule, url, httpErr)
}
