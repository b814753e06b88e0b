package api

import (
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// RouteView is a route as the REST API and `--json` show it: credentials
// masked, the fail-first counter as "received".
type RouteView struct {
	Name      string         `json:"name"`
	Path      string         `json:"path"`
	Profile   string         `json:"profile"`
	Secret    string         `json:"secret,omitempty"`
	Token     string         `json:"token,omitempty"`
	Header    string         `json:"header,omitempty"`
	Response  db.SimResponse `json:"response"`
	Received  int64          `json:"received"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// NewRouteView makes the JSON view of r.
func NewRouteView(r *db.Route) RouteView {
	return RouteView{
		Name: r.Name, Path: validate.HookPrefix + r.Name, Profile: r.Profile,
		Secret: fixtures.MaskSecret(r.Secret), Token: fixtures.MaskSecret(r.Token), Header: r.Header,
		Response: r.Response, Received: r.Counters.Received,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}
