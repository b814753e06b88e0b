package sender

import (
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// usable is e with every stored number out of range replaced by 0 (the
// profile's value), so that a value no validation let through (an older
// file, another program) is never computed with.
func usable(e db.Endpoint) db.Endpoint {
	if limits.EndpointTimeoutSeconds.Check(int64(e.TimeoutSeconds)) != nil {
		e.TimeoutSeconds = 0
	}
	if r := e.Retry; r != nil {
		rc := *r
		if limits.EndpointMaxAttempts.Check(int64(rc.MaxAttempts)) != nil {
			rc.MaxAttempts = 0
		}
		if rc.BackoffMultiplier != 0 && limits.EndpointBackoffMultiplier.Check(rc.BackoffMultiplier) != nil {
			rc.BackoffMultiplier = 0
		}
		e.Retry = &rc
		if rc == (db.RetryConfig{}) {
			e.Retry = nil
		}
	}
	return e
}

// usableRetry is rc with its out-of-range numbers set to 0 (the
// profile's); nil stays nil.
func usableRetry(rc *db.RetryConfig) *db.RetryConfig {
	return usable(db.Endpoint{Retry: rc}).Retry
}
