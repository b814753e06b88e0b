package httpx

import (
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
// db.ErrConflict, 503 when the database cannot take the write now (a full
// disk, an I/O error: db.Unavailable), 500 for anything else.
func WriteFailure(w http.ResponseWriter, err error) {
	var ce ClientError
	switch {
	case errors.As(err, &ce) && ce.ClientError():
		WriteError(w, http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, db.ErrNotFound):
		WriteError(w, http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, db.ErrConflict):
		WriteError(w, http.StatusConflict, "%s", err.Error())
	case db.DiskFull(err):
		w.Header().Set("Retry-After", "60")
		WriteError(w, http.StatusServiceUnavailable, "the disk holding the database is full; nothing was changed (%s)", err.Error())
	case db.Unavailable(err):
		w.Header().Set("Retry-After", "5")
		WriteError(w, http.StatusServiceUnavailable, "the database cannot be written now; nothing was changed (%s)", err.Error())
	default:
		WriteError(w, http.StatusInternalServerError, "%s", err.Error())
	}
}
