package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/validate"
)

// RegisterSender adds the sender's REST routes (SPEC §7) to r:
//
//	GET, POST              /api/endpoints
//	GET, PUT, PATCH, DELETE /api/endpoints/{id}        (id or name)
//	POST /api/endpoints/{id}/test          {"event_type": "..."}
//	POST /api/endpoints/{id}/disable       {"reason": "..."}
//	POST /api/endpoints/{id}/enable        {"send_skipped": true}
//	POST /api/endpoints/{id}/retry-failed
//	GET  /api/triggers[?vendor=V]
//	POST /api/events                       {"vendor", "event", "payload"?}
//	GET  /api/deliveries[?vendor=&endpoint_id=&status=&q=&before=&limit=]
//	GET  /api/deliveries/{id}
//	POST /api/deliveries/{id}/retry
//	POST /api/requests/{id}/replay         {"endpoint"} or {"url", "secret"?, "token"?}
//	GET  /api/outbox                       which process runs the outbox
//
// Errors answer {"error": "..."}: 400 for invalid input (naming the
// field), 404, 409 (a taken name, an attempt already in flight).
func RegisterSender(r *mux.Router, s *sender.Sender) {
	a := &sending{s: s}
	r.HandleFunc("/api/endpoints", a.listEndpoints).Methods(http.MethodGet)
	r.HandleFunc("/api/endpoints", a.createEndpoint).Methods(http.MethodPost)
	r.HandleFunc("/api/endpoints/{id}", a.getEndpoint).Methods(http.MethodGet)
	r.HandleFunc("/api/endpoints/{id}", a.putEndpoint).Methods(http.MethodPut)
	r.HandleFunc("/api/endpoints/{id}", a.patchEndpoint).Methods(http.MethodPatch)
	r.HandleFunc("/api/endpoints/{id}", a.deleteEndpoint).Methods(http.MethodDelete)
	r.HandleFunc("/api/endpoints/{id}/test", a.testEndpoint).Methods(http.MethodPost)
	r.HandleFunc("/api/endpoints/{id}/disable", a.disableEndpoint).Methods(http.MethodPost)
	r.HandleFunc("/api/endpoints/{id}/enable", a.enableEndpoint).Methods(http.MethodPost)
	r.HandleFunc("/api/endpoints/{id}/retry-failed", a.retryFailed).Methods(http.MethodPost)
	r.HandleFunc("/api/triggers", a.triggers).Methods(http.MethodGet)
	r.HandleFunc("/api/events", a.raise).Methods(http.MethodPost)
	r.HandleFunc("/api/deliveries", a.listDeliveries).Methods(http.MethodGet)
	r.HandleFunc("/api/deliveries/{id}", a.getDelivery).Methods(http.MethodGet)
	r.HandleFunc("/api/deliveries/{id}/retry", a.retryDelivery).Methods(http.MethodPost)
	r.HandleFunc("/api/requests/{id}/replay", a.replayRequest).Methods(http.MethodPost)
	r.HandleFunc("/api/outbox", a.outbox).Methods(http.MethodGet)
}

func (a *sending) outbox(w http.ResponseWriter, r *http.Request) {
	v, err := a.s.Outbox(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// sending serves the sender's REST routes.
type sending struct{ s *sender.Sender }

// fail answers err with the status its kind calls for (400 for a
// FieldError, 404, 409, 503 when the database cannot be written).
func fail(w http.ResponseWriter, err error) { httpx.WriteFailure(w, err) }

// decodeOptional reads a JSON body when there is one.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return httpx.DecodeJSON(r, v)
}

func (a *sending) endpointRef(w http.ResponseWriter, r *http.Request) (*db.Endpoint, bool) {
	ep, err := a.s.ResolveEndpoint(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		fail(w, err)
		return nil, false
	}
	return ep, true
}

func (a *sending) listEndpoints(w http.ResponseWriter, r *http.Request) {
	if err := httpx.OnlyParams(r.URL.Query()); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	eps, err := a.s.Endpoints(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	out := make([]EndpointView, 0, len(eps))
	for _, e := range eps {
		out = append(out, ViewEndpoint(e))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *sending) createEndpoint(w http.ResponseWriter, r *http.Request) {
	var in sender.EndpointInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	e := sender.NewEndpointFrom(in)
	if err := a.s.CreateEndpoint(r.Context(), e); err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, ViewEndpoint(*e))
}

func (a *sending) getEndpoint(w http.ResponseWriter, r *http.Request) {
	if ep, ok := a.endpointRef(w, r); ok {
		httpx.WriteJSON(w, http.StatusOK, ViewEndpoint(*ep))
	}
}

func (a *sending) putEndpoint(w http.ResponseWriter, r *http.Request) {
	old, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	var in sender.EndpointInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	// PUT replaces every field; credentials not given are kept rather than
	// regenerated, so a client that never saw them in full cannot lose them.
	e := &db.Endpoint{ID: old.ID, Enabled: true, Secret: old.Secret, Token: old.Token}
	in.Apply(e)
	a.update(w, r, e)
}

func (a *sending) patchEndpoint(w http.ResponseWriter, r *http.Request) {
	e, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	var in sender.EndpointInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	in.Apply(e)
	a.update(w, r, e)
}

func (a *sending) update(w http.ResponseWriter, r *http.Request, e *db.Endpoint) {
	if err := a.s.UpdateEndpoint(r.Context(), e); err != nil {
		fail(w, err)
		return
	}
	ep, err := a.s.Endpoint(r.Context(), e.ID)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ViewEndpoint(*ep))
}

func (a *sending) deleteEndpoint(w http.ResponseWriter, r *http.Request) {
	ep, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	if err := a.s.DeleteEndpoint(r.Context(), ep.ID); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *sending) testEndpoint(w http.ResponseWriter, r *http.Request) {
	ep, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	var in struct {
		EventType string `json:"event_type"`
	}
	if err := decodeOptional(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	d, err := a.s.Test(r.Context(), ep.ID, in.EventType)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ViewDelivery(*d))
}

func (a *sending) disableEndpoint(w http.ResponseWriter, r *http.Request) {
	ep, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := a.s.Disable(r.Context(), ep.ID, in.Reason); err != nil {
		fail(w, err)
		return
	}
	a.getEndpointByID(w, r, ep.ID)
}

func (a *sending) enableEndpoint(w http.ResponseWriter, r *http.Request) {
	ep, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	var in struct {
		SendSkipped bool `json:"send_skipped"`
	}
	if err := decodeOptional(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := a.s.Enable(r.Context(), ep.ID); err != nil {
		fail(w, err)
		return
	}
	if in.SendSkipped {
		if _, err := a.s.SendSkipped(r.Context(), ep.ID); err != nil {
			fail(w, err)
			return
		}
	}
	a.getEndpointByID(w, r, ep.ID)
}

func (a *sending) getEndpointByID(w http.ResponseWriter, r *http.Request, id int64) {
	ep, err := a.s.Endpoint(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ViewEndpoint(*ep))
}

func (a *sending) retryFailed(w http.ResponseWriter, r *http.Request) {
	ep, ok := a.endpointRef(w, r)
	if !ok {
		return
	}
	n, err := a.s.RetryFailed(r.Context(), ep.ID)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"retried": n})
}

func (a *sending) triggers(w http.ResponseWriter, r *http.Request) {
	if err := httpx.OnlyParams(r.URL.Query(), "vendor"); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	out, err := sender.Triggers(r.URL.Query().Get("vendor"))
	if err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "vendor: %v", err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *sending) raise(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Vendor  string          `json:"vendor"`
		Event   string          `json:"event"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if in.Vendor == "" || in.Event == "" {
		httpx.WriteError(w, http.StatusBadRequest, "vendor and event are required")
		return
	}
	if string(in.Payload) == "null" {
		in.Payload = nil
	}
	ds, err := a.s.Raise(r.Context(), in.Vendor, in.Event, in.Payload, "api")
	if err != nil {
		fail(w, err)
		return
	}
	out := make([]DeliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, ViewDelivery(d))
	}
	httpx.WriteJSON(w, http.StatusAccepted, out)
}

func (a *sending) listDeliveries(w http.ResponseWriter, r *http.Request) {
	f, err := ParseDeliveryFilter(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%v", err)
		return
	}
	ds, err := a.s.Deliveries(r.Context(), f)
	if err != nil {
		fail(w, err)
		return
	}
	out := make([]DeliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, ViewDelivery(d))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *sending) deliveryID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := limits.ID.Parse(mux.Vars(r)["id"])
	if err != nil {
		httpx.WriteFailure(w, err)
		return 0, false
	}
	return id, true
}

func (a *sending) getDelivery(w http.ResponseWriter, r *http.Request) {
	id, ok := a.deliveryID(w, r)
	if !ok {
		return
	}
	a.getDeliveryByID(w, r, id)
}

// getDeliveryByID answers with delivery id as it stands now.
func (a *sending) getDeliveryByID(w http.ResponseWriter, r *http.Request, id int64) {
	d, err := a.s.Delivery(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ViewDelivery(*d))
}

func (a *sending) retryDelivery(w http.ResponseWriter, r *http.Request) {
	id, ok := a.deliveryID(w, r)
	if !ok {
		return
	}
	if err := a.s.RetryNow(r.Context(), id); err != nil {
		fail(w, err)
		return
	}
	a.getDeliveryByID(w, r, id)
}

// replayInput is the body of POST /api/requests/{id}/replay: an endpoint
// (name or id) or a URL, with optional credentials for a URL.
type replayInput struct {
	Endpoint string `json:"endpoint"`
	URL      string `json:"url"`
	Secret   string `json:"secret"`
	Token    string `json:"token"`
}

func (a *sending) replayRequest(w http.ResponseWriter, r *http.Request) {
	id, err := limits.ID.Parse(mux.Vars(r)["id"])
	if err != nil {
		httpx.WriteFailure(w, err)
		return
	}
	var in replayInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, http.StatusBadRequest, "%s", err)
		return
	}
	target := sender.ReplayTarget{URL: in.URL}
	if in.Endpoint != "" {
		ep, err := a.s.ResolveEndpoint(r.Context(), in.Endpoint)
		if err != nil {
			fail(w, err)
			return
		}
		target.EndpointID = ep.ID
	}
	if in.Secret != "" || in.Token != "" {
		target.Credentials = &fixtures.Credentials{Secret: in.Secret, Token: in.Token}
	}
	ds, err := a.s.ReplayRequest(r.Context(), id, target)
	if errors.Is(err, sender.ErrNoCredentials) {
		err = &validate.FieldError{Field: "secret", Problem: err.Error()}
	}
	if err != nil && len(ds) == 0 {
		fail(w, err)
		return
	}
	ans := replayAnswer{Deliveries: make([]DeliveryView, len(ds))}
	for i, d := range ds {
		ans.Deliveries[i] = ViewDelivery(d)
	}
	status := http.StatusOK
	if err != nil { // some events went out before one failed: say both
		status, ans.Error = http.StatusInternalServerError, err.Error()
	}
	httpx.WriteJSON(w, status, ans)
}

// replayAnswer lists the deliveries a replay made and, when it stopped
// part-way, why.
type replayAnswer struct {
	Deliveries []DeliveryView `json:"deliveries"`
	Error      string         `json:"error,omitempty"`
}
