package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// RouteInput is the body of PUT /api/routes/{name}. Fields left out keep
// the route's current value (a new route's profile defaults to the profile
// of the same name); "response", when given, replaces the whole simulated
// response. Secrets are given in full and shown masked. The response's
// numbers are checked by validate.Route with their ranges in
// limits; one that does not even fit its Go type (past int64, or a
// fraction for a whole number) is refused by the same ranges here.
type RouteInput struct {
	Profile  *string         `json:"profile"`
	Secret   *string         `json:"secret"`
	Token    *string         `json:"token"`
	Header   *string         `json:"header"`
	Response *db.SimResponse `json:"response"`
}

// routeNumbers reads each of the response's numbers by its range, by its
// path in the body.
var routeNumbers = map[string]func(string) error{}

func init() {
	for _, r := range []limits.Int{limits.RouteStatus, limits.RouteFailStatus, limits.RouteDelayMS, limits.RouteFailFirst, limits.RouteOversize, limits.RouteSeed} {
		r = r.Named("response." + r.Field)
		routeNumbers[r.Field] = func(s string) error { _, err := r.Parse(s); return err }
	}
	f := limits.RouteFailRate.Named("response." + limits.RouteFailRate.Field)
	routeNumbers[f.Field] = func(s string) error { _, err := f.Parse(s); return err }
}

// UnmarshalJSON decodes the body as encoding/json does (unknown fields
// refused), except that a number that does not fit one of the response's
// whole-number fields is a *limits.RangeError naming the field and its
// range rather than a type error.
func (in *RouteInput) UnmarshalJSON(b []byte) error {
	type plain RouteInput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var out plain
	err := dec.Decode(&out)
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if parse, ok := routeNumbers[typ.Field]; ok {
			if num, isNum := strings.CutPrefix(typ.Value, "number "); isNum {
				if perr := parse(num); perr != nil {
					return perr
				}
			}
		}
	}
	if err != nil {
		return err
	}
	*in = RouteInput(out)
	return nil
}

// Apply merges in into route (which may be a new, empty route).
func (in RouteInput) Apply(route *db.Route) {
	if in.Profile != nil {
		route.Profile = *in.Profile
	}
	if in.Secret != nil {
		route.Secret = *in.Secret
	}
	if in.Token != nil {
		route.Token = *in.Token
	}
	if in.Header != nil {
		route.Header = *in.Header
	}
	if in.Response != nil {
		route.Response = *in.Response
	}
}
