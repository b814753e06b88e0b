package db

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Unavailable reports whether err says the database cannot take a write
// now for a reason that is no caller's fault and may pass: the room left
// is below the free-space floor, the database is closing, the disk (or the file system holding the
// database) is full, an I/O error, the file is read-only or locked past
// the busy timeout. An API answers such an error 503, never 400. It looks
// through every wrapping for ErrLowSpace, ErrClosed or SQLite's error
// code.
func Unavailable(err error) bool {
	if errors.Is(err, ErrLowSpace) || errors.Is(err, ErrClosed) {
		return true
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen:
		return true
	}
	return false
}

// DiskFull reports whether err says the disk holding the database is full,
// or below the free-space floor that keeps it from filling.
func DiskFull(err error) bool {
	var se sqlite3.Error
	return errors.Is(err, ErrLowSpace) || (errors.As(err, &se) && se.Code == sqlite3.ErrFull)
}

// Refusal is how a write the database cannot take now is answered over
// HTTP, by the receiver and the REST API alike (the one mapping both use).
type Refusal struct {
	// Status is 503 Service Unavailable.
	Status int
	// RetryAfter is when to try again (the Retry-After header).
	RetryAfter time.Duration
	// Reason says why, in a sentence the error's own text follows.
	Reason string
}

// Refused maps err to its Refusal; ok is false when err is not one
// (Unavailable is false: a caller's mistake, or a bug).
func Refused(err error) (r Refusal, ok bool) {
	switch {
	case DiskFull(err):
		// Room comes back only when someone prunes or frees disk space.
		return Refusal{Status: http.StatusServiceUnavailable, RetryAfter: time.Minute,
			Reason: "the disk holding the database is full or below its free-space floor; nothing was recorded or changed"}, true
	case Unavailable(err):
		return Refusal{Status: http.StatusServiceUnavailable, RetryAfter: 5 * time.Second,
			Reason: "the database cannot be written now; nothing was recorded or changed"}, true
	}
	return Refusal{}, false
}

// RetryAfterHeader is the Retry-After value: whole seconds.
func (r Refusal) RetryAfterHeader() string {
	return strconv.FormatInt(int64(r.RetryAfter/time.Second), 10)
}

// Message is the answer's text: the reason, then err's own.
func (r Refusal) Message(err error) string {
	return r.Reason + " (" + err.Error() + ")"
}
