package httpx

import (
	"context"
	"errors"
	"net/http"

	"github.com/hookscope/hookscope/db"
)

// ClientError is implemented by errors that describe bad input (a field
// the client got wrong), answered 400.
type ClientError interface {
	error
	ClientError() bool
}

// WriteFailure answers err with the status its kind calls for, its text as
// the message: 400 for a ClientError, 404 for db.ErrNotFound, 409 for
// db.ErrConflict, 503 with Retry-After when the database cannot take the
// write now (below the free-space floor, a full disk, an I/O error:
// db.Refused, the mapping the receiver answers with too), 500 for anything
// else.
func WriteFailure(w http.ResponseWriter, err error) {
	var ce ClientError
	switch {
	case errors.As(err, &ce) && ce.ClientError():
		WriteError(w, http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, db.ErrNotFound):
		WriteError(w, http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, db.ErrConflict):
		WriteError(w, http.StatusConflict, "%s", err.Error())
	case db.Unavailable(err):
		r, _ := db.Refused(err)
		w.Header().Set("Retry-After", r.RetryAfterHeader())
		WriteError(w, r.Status, "%s", r.Message(err))
	default:
		WriteError(w, http.StatusInternalServerError, "%s", err.Error())
	}
}

// Health answers a health check: 200 {"status":"ok"}, or, when health
// (nil: always healthy) says why the database takes no writes now, 503
// {"status":"degraded","reason":...} with the Retry-After a write would
// get: the process runs and reads work, but what it is for, recording,
// does not.
func Health(health func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if health != nil {
			if err := health(r.Context()); err != nil {
				if ref, ok := db.Refused(err); ok {
					w.Header().Set("Retry-After", ref.RetryAfterHeader())
				}
				WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "degraded", "reason": err.Error()})
				return
			}
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
