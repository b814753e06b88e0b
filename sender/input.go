package sender

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hookscope/hookscope/db"
)

// Headers is a list of custom headers that reads either PolicyCortex's
// object form ({"X-Custom-Header": "custom-value"}, order kept) or the list
// form ([{"name": ..., "value": ...}]).
type Headers []db.Header

// UnmarshalJSON reads the object or the list form.
func (h *Headers) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []db.Header
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*h = list
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("headers: expected an object of name: value or a list of {name, value}")
	}
	out := Headers{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("headers: the value of %v must be a string", k)
		}
		out = append(out, db.Header{Name: k.(string), Value: v})
	}
	*h = out
	return nil
}

// EndpointInput is an endpoint as a client writes it (POST, PUT, PATCH,
// and the command line): every field optional, so that PATCH changes only
// what it names. It accepts PolicyCortex's own names too (retry_config,
// active).
type EndpointInput struct {
	Name           *string         `json:"name,omitempty"`
	URL            *string         `json:"url,omitempty"`
	Profile        *string         `json:"profile,omitempty"`
	Secret         *string         `json:"secret,omitempty"`
	Token          *string         `json:"token,omitempty"`
	Header         *string         `json:"header,omitempty"`
	Events         *[]string       `json:"events,omitempty"`
	Filters        *db.Filters     `json:"filters,omitempty"`
	Headers        *Headers        `json:"headers,omitempty"`
	Retry          *db.RetryConfig `json:"retry,omitempty"`
	RetryConfig    *db.RetryConfig `json:"retry_config,omitempty"`
	TimeoutSeconds *int            `json:"timeout_seconds,omitempty"`
	Enabled        *bool           `json:"enabled,omitempty"`
	Active         *bool           `json:"active,omitempty"`
	DisabledReason *string         `json:"disabled_reason,omitempty"`
}

// Apply writes the fields the input names onto e.
func (in EndpointInput) Apply(e *db.Endpoint) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&e.Name, in.Name)
	set(&e.URL, in.URL)
	set(&e.Profile, in.Profile)
	set(&e.Secret, in.Secret)
	set(&e.Token, in.Token)
	set(&e.Header, in.Header)
	set(&e.DisabledReason, in.DisabledReason)
	if in.Events != nil {
		e.Events = *in.Events
	}
	if in.Filters != nil {
		e.Filters = *in.Filters
	}
	if in.Headers != nil {
		e.Headers = []db.Header(*in.Headers)
	}
	if in.Retry != nil {
		e.Retry = in.Retry
	}
	if in.RetryConfig != nil {
		e.Retry = in.RetryConfig
	}
	if e.Retry != nil && *e.Retry == (db.RetryConfig{}) {
		e.Retry = nil
	}
	if in.TimeoutSeconds != nil {
		e.TimeoutSeconds = *in.TimeoutSeconds
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
	}
	if in.Active != nil {
		e.Enabled = *in.Active
	}
}

// NewEndpointFrom builds a new endpoint from input (enabled unless it says
// otherwise).
func NewEndpointFrom(in EndpointInput) *db.Endpoint {
	e := &db.Endpoint{Enabled: true}
	in.Apply(e)
	if !e.Enabled && e.DisabledReason == "" {
		e.DisabledReason = "created disabled"
	}
	return e
}
