package sender

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// checkNumbers checks every number and list length an endpoint holds
// against its range in limits (one rule for the API, the CLI and the
// console's forms): a *limits.RangeError naming the field and its range.
// 0 leaves max_attempts, backoff_multiplier and timeout_seconds to the
// profile.
func checkNumbers(e *db.Endpoint) error {
	if err := limits.EndpointTimeoutSeconds.Check(int64(e.TimeoutSeconds)); err != nil {
		return err
	}
	if r := e.Retry; r != nil {
		if err := limits.EndpointMaxAttempts.Check(int64(r.MaxAttempts)); err != nil {
			return err
		}
		if r.BackoffMultiplier != 0 {
			if err := limits.EndpointBackoffMultiplier.Check(r.BackoffMultiplier); err != nil {
				return err
			}
		}
	}
	if err := limits.EndpointHeaders.Check(int64(len(e.Headers))); err != nil {
		return err
	}
	if err := limits.EndpointEvents.Check(int64(len(e.Events))); err != nil {
		return err
	}
	for name, vs := range map[string][]string{
		"filters.severity": e.Filters.Severity, "filters.environments": e.Filters.Environments,
		"filters.cloud_providers": e.Filters.CloudProviders,
	} {
		if err := limits.EndpointFilterValues.Named(name).Check(int64(len(vs))); err != nil {
			return err
		}
	}
	return nil
}

// Invalid lists what an endpoint as stored holds out of range (a file
// written by an older hookscope or by another program): each problem
// names the field, its value and range, and what is used instead (the
// profile's value). Empty for an endpoint Validate would accept.
func Invalid(e db.Endpoint) []string {
	var out []string
	add := func(err error) {
		if err != nil {
			out = append(out, err.Error()+"; the profile's value is used")
		}
	}
	add(limits.EndpointTimeoutSeconds.Check(int64(e.TimeoutSeconds)))
	if r := e.Retry; r != nil {
		add(limits.EndpointMaxAttempts.Check(int64(r.MaxAttempts)))
		if r.BackoffMultiplier != 0 {
			add(limits.EndpointBackoffMultiplier.Check(r.BackoffMultiplier))
		}
	}
	for _, h := range e.Headers {
		if forbiddenHeader(h.Name) {
			out = append(out, fmt.Sprintf("headers: %s is a framing or hop-by-hop header; it is not sent", h.Name))
		}
	}
	return out
}

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

// forbiddenHeaders are the headers an endpoint may not set as custom
// headers: those that frame the message (Host, Content-Length,
// Transfer-Encoding), the hop-by-hop ones (RFC 9110 §7.6.1) and Expect,
// all of which the HTTP client writes itself or drops, so the request
// recorded would not be the request sent.
var forbiddenHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Te": true, "Trailer": true,
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Upgrade": true,
	"Proxy-Authenticate": true, "Proxy-Authorization": true, "Expect": true,
}

// forbiddenHeader reports whether name is a framing or hop-by-hop header.
func forbiddenHeader(name string) bool {
	return forbiddenHeaders[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))]
}

// ForbiddenHeaderNames lists the headers refused as custom headers, for
// errors and help.
func ForbiddenHeaderNames() string {
	return "Host, Content-Length, Transfer-Encoding, TE, Trailer, Connection, Keep-Alive, Proxy-Connection, Upgrade, Proxy-Authenticate, Proxy-Authorization, Expect"
}
