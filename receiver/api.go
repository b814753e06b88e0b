package receiver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// RegisterAPI adds the receiver's REST routes to the API router:
//
//	GET /api/requests              list, newest first (filters, keyset paging)
//	GET /api/requests/{id}         one request with its bodies
//	GET /api/routes                every route
//	GET /api/routes/{name}         one route
//	PUT /api/routes/{name}         create or change a route
func (rc *Receiver) RegisterAPI(r *mux.Router) {
	r.HandleFunc("/api/requests", rc.apiListRequests).Methods(http.MethodGet)
	r.HandleFunc("/api/requests/{id}", rc.apiGetRequest).Methods(http.MethodGet)
	r.HandleFunc("/api/routes", rc.apiListRoutes).Methods(http.MethodGet)
	r.HandleFunc("/api/routes/{name}", rc.apiGetRoute).Methods(http.MethodGet)
	r.HandleFunc("/api/routes/{name}", rc.apiPutRoute).Methods(http.MethodPut)
}

// RequestPage is the answer of GET /api/requests. NextBefore, when set, is
// the `before` that fetches the next (older) page.
type RequestPage struct {
	Requests   []RequestView `json:"requests"`
	NextBefore int64         `json:"next_before,omitempty"`
}

// MaxPage caps `limit` on list requests.
const MaxPage = 1000

var statusFilterRE = regexp.MustCompile(`^([1-5]xx|[1-5][0-9][0-9])$`)

// ParseRequestFilter reads the list filters from query parameters:
// vendor, route, status (a code or 2xx..5xx), signature, q (text), before
// (an id) and limit (1..1000, default 50). Unknown parameters are refused.
func ParseRequestFilter(q url.Values) (db.RequestFilter, error) {
	var f db.RequestFilter
	if err := httpx.OnlyParams(q, "vendor", "route", "status", "signature", "q", "before", "limit"); err != nil {
		return f, err
	}
	f.Vendor, f.Route, f.Text = q.Get("vendor"), q.Get("route"), q.Get("q")
	if f.Vendor != "" && f.Vendor != fixtures.Unknown {
		p, err := fixtures.Lookup(f.Vendor)
		if err != nil {
			return f, fmt.Errorf("vendor: %w; or %s", err, fixtures.Unknown)
		}
		f.Vendor = p.Name()
	}
	f.Status = strings.ToLower(q.Get("status"))
	if f.Status != "" && !statusFilterRE.MatchString(f.Status) {
		return f, fmt.Errorf("status %q: give a code (404) or a class (2xx, 4xx, 5xx)", q.Get("status"))
	}
	f.Signature = q.Get("signature")
	switch fixtures.Status(f.Signature) {
	case "", fixtures.Valid, fixtures.Invalid, fixtures.Missing, fixtures.Unverifiable:
	default:
		return f, fmt.Errorf("signature %q: one of valid, invalid, missing, unverifiable", f.Signature)
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return f, fmt.Errorf("before %q: give a request id (a positive integer)", s)
		}
		f.Before = n
	}
	f.Limit = 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPage {
			return f, fmt.Errorf("limit %q: give a number from 1 to %d", s, MaxPage)
		}
		f.Limit = n
	}
	return f, nil
}

func (rc *Receiver) apiListRequests(w http.ResponseWriter, r *http.Request) {
	f, err := ParseRequestFilter(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	rows, err := rc.requests.ListRequests(r.Context(), rc.db.Reader(), f)
	if err != nil {
		httpx.WriteFailure(w, fmt.Errorf("listing requests: %w", err))
		return
	}
	page := RequestPage{Requests: make([]RequestView, len(rows))}
	for i := range rows {
		page.Requests[i] = NewRequestView(&rows[i], false)
	}
	if len(rows) == f.Limit {
		page.NextBefore = rows[len(rows)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}

func (rc *Receiver) apiGetRequest(w http.ResponseWriter, r *http.Request) {
	raw := mux.Vars(r)["id"]
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		httpx.WriteError(w, http.StatusBadRequest, "request id %q is not a positive integer", raw)
		return
	}
	req, err := rc.requests.GetRequest(r.Context(), rc.db.Reader(), id)
	switch {
	case errors.Is(err, db.ErrNotFound):
		httpx.WriteError(w, http.StatusNotFound, "no request with id %d", id)
	case err != nil:
		httpx.WriteFailure(w, fmt.Errorf("loading request %d: %w", id, err))
	default:
		httpx.WriteJSON(w, http.StatusOK, NewRequestView(req, true))
	}
}

func (rc *Receiver) apiListRoutes(w http.ResponseWriter, r *http.Request) {
	if err := httpx.OnlyParams(r.URL.Query()); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	routes, err := rc.opts.Routes.ListRoutes(r.Context(), rc.db.Reader())
	if err != nil {
		httpx.WriteFailure(w, fmt.Errorf("listing routes: %w", err))
		return
	}
	out := make([]RouteView, len(routes))
	for i := range routes {
		out[i] = NewRouteView(&routes[i])
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (rc *Receiver) apiGetRoute(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	route, err := rc.opts.Routes.GetRoute(r.Context(), rc.db.Reader(), name)
	switch {
	case errors.Is(err, db.ErrNotFound):
		httpx.WriteError(w, http.StatusNotFound, "no route named %q", name)
	case err != nil:
		httpx.WriteFailure(w, fmt.Errorf("loading route %s: %w", name, err))
	default:
		httpx.WriteJSON(w, http.StatusOK, NewRouteView(route))
	}
}

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

func (rc *Receiver) apiPutRoute(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	if err := ValidateRouteName(name); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var in RouteInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	route, err := rc.opts.Routes.GetRoute(r.Context(), rc.db.Reader(), name)
	status := http.StatusOK
	switch {
	case errors.Is(err, db.ErrNotFound):
		route, status = &db.Route{Name: name}, http.StatusCreated
		if p, err := fixtures.Lookup(name); err == nil {
			route.Profile = p.Name()
		}
		if in.Profile == nil && route.Profile == "" {
			httpx.WriteError(w, http.StatusBadRequest, "a new route needs a profile (one of %s)", strings.Join(fixtures.Names(), ", "))
			return
		}
	case err != nil:
		httpx.WriteFailure(w, fmt.Errorf("loading route %s: %w", name, err))
		return
	}
	in.Apply(route)
	if err := ValidateRoute(route); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := rc.PutRoute(r.Context(), route); err != nil {
		httpx.WriteFailure(w, err)
		return
	}
	httpx.WriteJSON(w, status, NewRouteView(route))
}
