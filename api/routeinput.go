package api

import "github.com/hookscope/hookscope/db"

// RouteInput is the body of PUT /api/routes/{name}. Fields left out keep
// the route's current value (a new route's profile defaults to the profile
// of the same name); "response", when given, replaces the whole simulated
// response. Secrets are given in full and shown masked.
type RouteInput struct {
	Profile  *string         `json:"profile"`
	Secret   *string         `json:"secret"`
	Token    *string         `json:"token"`
	Header   *string         `json:"header"`
	Response *db.SimResponse `json:"response"`
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
