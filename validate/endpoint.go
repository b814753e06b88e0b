package validate

import (
	"crypto/rand"
	"fmt"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

// SendPrefix starts the name of the ad-hoc targets `hookscope send` and a
// replay to a URL create (db.Endpoint.AdHoc); the user's endpoints may not
// take it.
const SendPrefix = "send:"

// MaxNameLen bounds an endpoint's name, in bytes.
const MaxNameLen = limits.EndpointName

// Endpoint checks an endpoint and fills what the profile implies: a
// missing secret (for a signing profile) is generated. Errors name the
// field: url, profile, events, timeout_seconds, retry, filters, headers.
func Endpoint(e *db.Endpoint) error {
	if strings.TrimSpace(e.Name) == "" {
		return Field("name", "required")
	}
	if err := PlainText(e.Name, MaxNameLen); err != nil {
		return Field("name", "%v", err)
	}
	if strings.HasPrefix(e.Name, SendPrefix) {
		return Field("name", "names starting with %q are kept for `hookscope send`", SendPrefix)
	}
	if _, err := strconv.ParseInt(e.Name, 10, 64); err == nil {
		return Field("name", "must not be a number (numbers refer to endpoint ids)")
	}
	if err := URL(e.URL); err != nil {
		return Field("url", "%v", err)
	}
	prof, err := fixtures.Lookup(e.Profile)
	if err != nil {
		return Field("profile", "%v", err)
	}
	e.Profile = prof.Name()
	for _, ev := range e.Events {
		if _, _, err := fixtures.Find(prof.Name(), ev); err != nil {
			return Field("events", "%v", err)
		}
	}
	if err := endpointNumbers(e); err != nil {
		return err
	}
	var refused []string
	for _, h := range e.Headers {
		if h.Name == "" || strings.ContainsAny(h.Name, " :\r\n") || strings.ContainsAny(h.Value, "\r\n") {
			return Field("headers", "%q is not a valid header", h.Name)
		}
		if PlainText(h.Name, limits.EndpointHeaderName) != nil || PlainText(h.Value, limits.EndpointHeaderValue) != nil {
			return Field("headers", "%q: names and values hold no control or format characters and are at most %d and %d bytes", h.Name, limits.EndpointHeaderName, limits.EndpointHeaderValue)
		}
		if ForbiddenHeader(h.Name) {
			refused = append(refused, h.Name)
		}
	}
	if len(refused) > 0 {
		return Field("headers", "%s: framing and hop-by-hop headers are written by the HTTP client, not set by hand (refused: %s)", strings.Join(refused, ", "), ForbiddenHeaderNames())
	}
	for _, sev := range e.Filters.Severity {
		if sev == "" {
			return Field("filters.severity", "empty value")
		}
	}
	if (prof.Auth() == fixtures.AuthSecret && e.Secret == "") || (prof.Auth() == fixtures.AuthToken && e.Token == "") {
		c := fixtures.NewCredentials(prof, rand.Reader)
		if e.Secret == "" {
			e.Secret = c.Secret
		}
		if e.Token == "" {
			e.Token = c.Token
		}
	}
	if e.Events == nil {
		e.Events = []string{}
	}
	if e.Headers == nil {
		e.Headers = []db.Header{}
	}
	return nil
}

// URL accepts an absolute http or https URL with a host.
func URL(raw string) error {
	if err := PlainText(raw, 4096); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

// endpointNumbers checks every number and list length an endpoint holds
// against its range in limits (one rule for the API, the CLI and the
// console's forms): a *limits.RangeError naming the field and its range.
// 0 leaves max_attempts, backoff_multiplier and timeout_seconds to the
// profile.
func endpointNumbers(e *db.Endpoint) error {
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

// StoredEndpoint lists what an endpoint as stored holds out of range (a
// file written by an older hookscope or by another program): each problem
// names the field, its value and range, and what is used instead (the
// profile's value). Empty for an endpoint Endpoint would accept.
func StoredEndpoint(e db.Endpoint) []string {
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
		if ForbiddenHeader(h.Name) {
			out = append(out, fmt.Sprintf("headers: %s is a framing or hop-by-hop header; it is not sent", h.Name))
		}
	}
	return out
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

// ForbiddenHeader reports whether name is a framing or hop-by-hop header.
func ForbiddenHeader(name string) bool {
	return forbiddenHeaders[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))]
}

// ForbiddenHeaderNames lists the headers refused as custom headers, for
// errors and help.
func ForbiddenHeaderNames() string {
	return "Host, Content-Length, Transfer-Encoding, TE, Trailer, Connection, Keep-Alive, Proxy-Connection, Upgrade, Proxy-Authenticate, Proxy-Authorization, Expect"
}
