package sender

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// Where an endpoint's retry rule or timeout comes from.
const (
	FromEndpoint = "endpoint"
	FromProfile  = "profile"
)

// DefaultRetry is a profile's own retry rule as retry_config says it:
// attempts in all (the first included) and, for exponential backoff, the
// multiplier. A profile that never retries has max_attempts 1.
func DefaultRetry(pol fixtures.DeliveryPolicy) db.RetryConfig {
	switch {
	case len(pol.Schedule) > 0:
		return db.RetryConfig{MaxAttempts: len(pol.Schedule) + 1}
	case pol.Backoff != nil:
		return db.RetryConfig{MaxAttempts: max(pol.Backoff.MaxAttempts, 1), BackoffMultiplier: pol.Backoff.Multiplier}
	}
	return db.RetryConfig{MaxAttempts: 1}
}

// EffectiveRetry is the retry rule in force for ep: each field its own
// retry_config sets, else its profile's default; source says whether ep
// sets any of it (FromEndpoint) or none (FromProfile). A stored value out
// of its range counts as unset (Invalid reports it).
func EffectiveRetry(ep db.Endpoint) (rc db.RetryConfig, source string) {
	ep = usable(ep)
	p, err := fixtures.Lookup(ep.Profile)
	if err != nil {
		if ep.Retry != nil {
			return *ep.Retry, FromEndpoint
		}
		return db.RetryConfig{}, FromProfile
	}
	rc = DefaultRetry(p.Policy())
	if ep.Retry == nil {
		return rc, FromProfile
	}
	if ep.Retry.MaxAttempts > 0 {
		rc.MaxAttempts = ep.Retry.MaxAttempts
	}
	if ep.Retry.BackoffMultiplier > 0 && rc.BackoffMultiplier > 0 {
		rc.BackoffMultiplier = ep.Retry.BackoffMultiplier
	}
	return rc, FromEndpoint
}

// EffectiveTimeoutSeconds is the timeout of one attempt to ep, in whole
// seconds: its own timeout_seconds, else its profile's (30 s when the
// profile names none), as the sender applies it. A stored value out of
// range counts as unset (Invalid reports it).
func EffectiveTimeoutSeconds(ep db.Endpoint) (seconds int, source string) {
	ep = usable(ep)
	if ep.TimeoutSeconds > 0 {
		return ep.TimeoutSeconds, FromEndpoint
	}
	var pol fixtures.DeliveryPolicy
	if p, err := fixtures.Lookup(ep.Profile); err == nil {
		pol = p.Policy()
	}
	return int(math.Ceil(timeout(&ep, pol).Seconds())), FromProfile
}

// RetryWindowNote explains, when ep asks for more attempts than its
// profile's retry window holds (PolicyCortex retries within 24 hours), how
// many fit and why the delivery stops there; "" when every attempt asked
// for is made.
func RetryWindowNote(ep db.Endpoint) string {
	ep = usable(ep)
	if ep.Retry == nil || ep.Retry.MaxAttempts <= 0 {
		return ""
	}
	p, err := fixtures.Lookup(ep.Profile)
	if err != nil {
		return ""
	}
	pol := p.Policy()
	if pol.Window <= 0 || pol.Backoff == nil {
		return ""
	}
	b := *pol.Backoff
	b.MaxAttempts = ep.Retry.MaxAttempts
	if ep.Retry.BackoffMultiplier > 0 {
		b.Multiplier = ep.Retry.BackoffMultiplier
	}
	delays, cut := backoffDelays(b, pol.Window)
	fit := len(delays) + 1
	if ep.Retry.MaxAttempts <= fit {
		return ""
	}
	var total time.Duration
	waits := make([]string, len(delays))
	for i, d := range delays {
		total += d
		waits[i] = ShortDuration(d)
	}
	return fmt.Sprintf("max_attempts %d, but %s retries only within %s of the first attempt: with backoff %s×%g the waits are %s (%s in all), and attempt %d would come %s after the first, past the window, so the delivery stops after attempt %d",
		ep.Retry.MaxAttempts, p.Title(), ShortDuration(pol.Window), ShortDuration(b.Initial), b.Multiplier,
		strings.Join(waits, ", "), ShortDuration(total), fit+1, ShortDuration(total+min(cut, time.Duration(math.MaxInt64)-total)), fit)
}
