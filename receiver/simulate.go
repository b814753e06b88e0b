package receiver

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/validate"
)

// answer is what the receiver sends back, decided before the request's row
// is written (the row stores it) and sent after the row has committed.
type answer struct {
	status  int
	headers []db.Header
	body    []byte
	// oversize, when > 0, replaces body with that many filler bytes.
	oversize int64
	delay    time.Duration
	hang     bool
	// note is added to the request's Error (a hang says it never answered).
	note string
	// drain: the request's body was not read to its end (it is over the
	// limit); what is left is read and discarded after the answer.
	drain bool
}

// stored is the answer as recorded, latency included. The latency runs from
// arrival to the decision, plus the simulated delay; the commit and the
// write of the answer itself come after.
func (a *answer) stored(elapsed time.Duration) db.Response {
	resp := db.Response{Status: a.status, Headers: a.headers, Body: a.body,
		LatencyMS: float64(elapsed+a.delay) / float64(time.Millisecond)}
	if a.hang {
		// Nothing is sent; how long the connection was held is recorded
		// when the hang ends.
		resp.Status, resp.Headers, resp.Body, resp.LatencyMS = 0, nil, nil, 0
	}
	if a.oversize > 0 {
		resp.Body = filler(min(a.oversize, keptResponse))
		resp.Truncated = a.oversize > keptResponse
	}
	return resp
}

var jsonType = db.Header{Name: "Content-Type", Value: "application/json"}

// okBody is the default answer's body.
var okBody = []byte(`{"ok":true}` + "\n")

func contentLength(n int64) db.Header {
	return db.Header{Name: "Content-Length", Value: strconv.FormatInt(n, 10)}
}

// errorAnswer is a JSON error answer.
func errorAnswer(status int, msg string) *answer {
	b, _ := json.Marshal(map[string]string{"error": msg})
	b = append(b, '\n')
	return &answer{status: status, body: b, headers: []db.Header{jsonType, contentLength(int64(len(b)))}}
}

// simulates reports whether a route configures its own answer (which then
// takes precedence over a forwarded service's).
func simulates(route *db.Route) bool {
	if route == nil {
		return false
	}
	s := route.Response
	return s.Status != 0 || s.Body != "" || len(s.Headers) > 0 || s.DelayMS != 0 || s.FailFirst != 0 ||
		s.FailStatus != 0 || s.FailureRate != 0 || s.Hang || s.OversizeBytes != 0
}

// needsCount reports whether the answer depends on the route's request
// count: fail-first, and a seeded failure rate (reproducible per count).
func needsCount(s db.SimResponse) bool {
	return s.FailFirst > 0 || (s.FailureRate > 0 && s.Seed != 0)
}

// hangNote is a hang's note while it holds the connection; when it ends,
// the note says for how long and how it ended.
const hangNote = "simulated hang: holding the connection open without an answer"

// simulate decides a route's answer to its n-th request (n is 0 when the
// route does not count).
func simulate(s db.SimResponse, n int64) *answer {
	// A route is checked when it is stored; one stored otherwise (by an
	// older version, or by hand) with a number out of range is not acted
	// out (a 1xx status would go out as an interim answer followed by
	// net/http's own 200, a delay past int64 as a negative one): it is
	// answered 500, saying why, and recorded as sent.
	if err := validate.SimNumbers(s); err != nil {
		msg := "the route's simulated response is out of range (" + err.Error() + "); change it with `hookscope routes set`"
		a := errorAnswer(http.StatusInternalServerError, msg)
		a.note = msg
		return a
	}
	a := &answer{delay: time.Duration(s.DelayMS) * time.Millisecond, hang: s.Hang}
	if s.Hang {
		a.note = hangNote
		return a
	}
	failStatus := s.FailStatus
	if failStatus == 0 {
		failStatus = http.StatusInternalServerError
	}
	switch {
	case s.FailFirst > 0 && n <= int64(s.FailFirst):
		f := errorAnswer(failStatus, fmt.Sprintf("simulated failure: request %d of the first %d that fail", n, s.FailFirst))
		f.delay = a.delay
		return f
	case s.FailureRate > 0 && roll(s.Seed, n) < s.FailureRate:
		f := errorAnswer(failStatus, fmt.Sprintf("simulated failure (failure rate %g)", s.FailureRate))
		f.delay = a.delay
		return f
	}
	a.status = s.Status
	if a.status == 0 {
		a.status = http.StatusOK
	}
	hasType := false
	for _, h := range s.Headers {
		if http.CanonicalHeaderKey(h.Name) == "Content-Type" {
			hasType = true
		}
	}
	switch {
	case s.OversizeBytes > 0:
		a.oversize = s.OversizeBytes
		if !hasType {
			a.headers = append(a.headers, db.Header{Name: "Content-Type", Value: "text/plain; charset=utf-8"})
		}
		a.headers = append(a.headers, s.Headers...)
		a.headers = append(a.headers, contentLength(s.OversizeBytes))
		return a
	case !bodyAllowed(a.status):
	case s.Body != "":
		a.body = []byte(s.Body)
		if !hasType {
			t := "text/plain; charset=utf-8"
			if json.Valid(a.body) {
				t = jsonType.Value
			}
			a.headers = append(a.headers, db.Header{Name: "Content-Type", Value: t})
		}
	default:
		a.body = okBody
		if !hasType {
			a.headers = append(a.headers, jsonType)
		}
	}
	a.headers = append(a.headers, s.Headers...)
	if bodyAllowed(a.status) {
		a.headers = append(a.headers, contentLength(int64(len(a.body))))
	}
	return a
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// roll is the seeded draw for the n-th request of a route; without a seed
// it is random.
func roll(seed, n int64) float64 {
	if seed == 0 {
		return rand.Float64()
	}
	return rand.New(rand.NewPCG(uint64(seed), uint64(n))).Float64()
}

// fillerChunk is what an oversized answer repeats.
var fillerChunk = func() []byte {
	b := make([]byte, 32<<10)
	for i := range b {
		b[i] = "hookscope-oversized-response-"[i%29]
	}
	return b
}()

func filler(n int64) []byte {
	b := make([]byte, n)
	for i := int64(0); i < n; i += int64(len(fillerChunk)) {
		copy(b[i:], fillerChunk)
	}
	return b
}

func writeFiller(w http.ResponseWriter, n int64) {
	for n > 0 {
		k := min(n, int64(len(fillerChunk)))
		if _, err := w.Write(fillerChunk[:k]); err != nil {
			return
		}
		n -= k
	}
}
