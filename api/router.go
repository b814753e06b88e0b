package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/hookscope/hookscope/api/httpx"
)

// NewRouter is the REST API's router with its middleware, health route
// (GET /healthz, GET /api/health: see httpx.Health; health, when not nil,
// says why the database takes no writes) and JSON answers for unknown
// paths and methods; RegisterReceiver and RegisterSender add the rest. The
// caller serves it behind an httpx.Guard.
func NewRouter(log *slog.Logger, health func(context.Context) error) *mux.Router {
	r := mux.NewRouter()
	r.Use(httpx.Recover(log))
	r.Use(httpx.Logging(log))
	r.Handle("/healthz", httpx.Health(health)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/health", httpx.Health(health)).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, http.StatusNotFound, "no API route %s %s", r.Method, r.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, http.StatusMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path)
	})
	return r
}
