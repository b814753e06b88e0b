package validate

import (
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

// HookPrefix is the path a route's webhooks are posted under: POST
// HookPrefix + NAME, NAME a RouteName.
const HookPrefix = "/hooks/"

var routeNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// RouteName checks a route name (the NAME of HookPrefix + NAME).
func RouteName(name string) error {
	if len(name) > limits.RouteName || !routeNameRE.MatchString(name) {
		return fmt.Errorf("route name %q: use 1 to %d letters, digits, '.', '_', '~' or '-', starting with a letter or digit", name, limits.RouteName)
	}
	return nil
}

// routeBody is a route's own answer body's length, checked by the same
// rule as its numbers.
var routeBody = limits.Int{Field: "body", Min: 0, Max: limits.RouteBody, Unit: "bytes"}

// Route checks a route before it is stored. Every number of its simulated
// response is checked by its range in limits (a status or fail status of 0
// means the default and is not); the error names each field at fault as
// response.FIELD, and a number out of range is a *limits.RangeError
// (errors.As finds it).
func Route(r *db.Route) error {
	if err := RouteName(r.Name); err != nil {
		return err
	}
	if _, err := fixtures.Lookup(r.Profile); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	s := r.Response
	errs := simNumbers(s)
	for _, h := range s.Headers {
		switch {
		case !validFieldName(h.Name):
			errs = append(errs, fmt.Errorf("response.headers: name %q is not a valid field name", h.Name))
		case strings.ContainsAny(h.Value, "\r\n\x00"):
			errs = append(errs, fmt.Errorf("response.headers: the value of %s holds CR, LF or NUL", h.Name))
		default:
			switch textproto.CanonicalMIMEHeaderKey(h.Name) {
			case "Content-Length", "Transfer-Encoding", "Connection":
				errs = append(errs, fmt.Errorf("response.headers: %s is set by the receiver, not the route", h.Name))
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// SimNumbers checks every number of a simulated response (and its body's
// length) by its range in limits, as Route does: nil, or every number out
// of range on one line. The receiver checks a stored route by it before
// acting its answer out.
func SimNumbers(s db.SimResponse) error {
	if errs := simNumbers(s); len(errs) > 0 {
		return errs
	}
	return nil
}

// simNumbers checks every number of a simulated response (and its body's
// length) by its range in limits; a status or fail status of 0 means the
// default and is not checked.
func simNumbers(s db.SimResponse) routeErrors {
	var errs routeErrors
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	in := func(r limits.Int, v int64) { check(r.Named("response." + r.Field).Check(v)) }
	if s.Status != 0 {
		in(limits.RouteStatus, int64(s.Status))
	}
	if s.FailStatus != 0 {
		in(limits.RouteFailStatus, int64(s.FailStatus))
	}
	in(limits.RouteDelayMS, int64(s.DelayMS))
	in(limits.RouteFailFirst, int64(s.FailFirst))
	check(limits.RouteFailRate.Named("response." + limits.RouteFailRate.Field).Check(s.FailureRate))
	in(limits.RouteOversize, s.OversizeBytes)
	in(routeBody, int64(len(s.Body)))
	return errs
}

// routeErrors is everything wrong with a route, each part naming its
// field, written on one line.
type routeErrors []error

func (e routeErrors) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e routeErrors) Unwrap() []error { return e }

// validFieldName reports whether s is an HTTP field name (a token).
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
