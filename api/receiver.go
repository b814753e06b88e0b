package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/validate"
)

// Receiving is what the receiver's REST routes read and change: the
// database with its request and route stores, and the running receiver
// (which takes route changes at once).
type Receiving struct {
	DB       *db.DB
	Requests db.RequestStore
	Routes   db.RouteStore
	Receiver *receiver.Receiver
}

// RegisterReceiver adds the receiver's REST routes to the API router:
//
//	GET /api/requests              list, newest first (filters, keyset paging)
//	GET /api/requests/{id}         one request with its bodies
//	GET /api/routes                every route
//	GET /api/routes/{name}         one route
//	PUT /api/routes/{name}         create or change a route
func RegisterReceiver(r *mux.Router, rc Receiving) {
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

func (rc Receiving) apiListRequests(w http.ResponseWriter, r *http.Request) {
	f, err := ParseRequestFilter(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	rows, err := rc.Requests.ListRequests(r.Context(), rc.DB.Reader(), f)
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

func (rc Receiving) apiGetRequest(w http.ResponseWriter, r *http.Request) {
	id, err := limits.ID.Parse(mux.Vars(r)["id"])
	if err != nil {
		httpx.WriteFailure(w, err)
		return
	}
	req, err := rc.Requests.GetRequest(r.Context(), rc.DB.Reader(), id)
	switch {
	case errors.Is(err, db.ErrNotFound):
		httpx.WriteError(w, http.StatusNotFound, "no request with id %d", id)
	case err != nil:
		httpx.WriteFailure(w, fmt.Errorf("loading request %d: %w", id, err))
	default:
		httpx.WriteJSON(w, http.StatusOK, NewRequestView(req, true))
	}
}

func (rc Receiving) apiListRoutes(w http.ResponseWriter, r *http.Request) {
	if err := httpx.OnlyParams(r.URL.Query()); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	routes, err := rc.Routes.ListRoutes(r.Context(), rc.DB.Reader())
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

func (rc Receiving) apiGetRoute(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	route, err := rc.Routes.GetRoute(r.Context(), rc.DB.Reader(), name)
	switch {
	case errors.Is(err, db.ErrNotFound):
		httpx.WriteError(w, http.StatusNotFound, "no route named %q", name)
	case err != nil:
		httpx.WriteFailure(w, fmt.Errorf("loading route %s: %w", name, err))
	default:
		httpx.WriteJSON(w, http.StatusOK, NewRouteView(route))
	}
}

func (rc Receiving) apiPutRoute(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	if err := validate.RouteName(name); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var in RouteInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	route, err := rc.Routes.GetRoute(r.Context(), rc.DB.Reader(), name)
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
	if err := validate.Route(route); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := rc.Receiver.PutRoute(r.Context(), route); err != nil {
		httpx.WriteFailure(w, err)
		return
	}
	httpx.WriteJSON(w, status, NewRouteView(route))
}
