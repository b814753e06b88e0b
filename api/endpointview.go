package api

import (
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/validate"
)

// EndpointView is an endpoint as printed and served (SPEC §7 names), with
// its secret and token masked. Retry and TimeoutSeconds are the values in
// force: the endpoint's own, or its profile's default where it sets none
// (RetrySource and TimeoutSource say which); RetryNote says when the
// profile's retry window makes fewer attempts than max_attempts. Invalid
// lists the values stored out of their range (an older file, another
// program), which the profile's stand in for.
type EndpointView struct {
	db.Endpoint
	Secret         string         `json:"secret,omitempty"`
	Token          string         `json:"token,omitempty"`
	Retry          db.RetryConfig `json:"retry"`
	RetrySource    string         `json:"retry_source"`
	RetryNote      string         `json:"retry_note,omitempty"`
	TimeoutSeconds int            `json:"timeout_seconds"`
	TimeoutSource  string         `json:"timeout_source"`
	Invalid        []string       `json:"invalid,omitempty"`
}

// ViewEndpoint masks an endpoint's credentials for output and states its
// effective retry rule and timeout.
func ViewEndpoint(e db.Endpoint) EndpointView {
	v := EndpointView{Endpoint: e, Secret: fixtures.MaskSecret(e.Secret), Token: fixtures.MaskSecret(e.Token), RetryNote: sender.RetryWindowNote(e)}
	v.Retry, v.RetrySource = sender.EffectiveRetry(e)
	v.TimeoutSeconds, v.TimeoutSource = sender.EffectiveTimeoutSeconds(e)
	v.Invalid = validate.StoredEndpoint(e)
	return v
}
