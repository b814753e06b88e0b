package testkit

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Got is one request a HookServer received.
type Got struct {
	At     time.Time
	Header http.Header
	Body   []byte
}

// Respond answers the n-th (1-based) request a HookServer received; the
// request's body can be read again.
type Respond func(n int, w http.ResponseWriter, r *http.Request)

// HookServer is a real HTTP server on 127.0.0.1 that records every request
// and answers with its Respond (200 when nil). It is closed at cleanup.
type HookServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []Got
	respond Respond
}

// NewHookServer starts a HookServer answering with respond.
func NewHookServer(t testing.TB, respond Respond) *HookServer {
	t.Helper()
	h := &HookServer{respond: respond}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.mu.Lock()
		h.reqs = append(h.reqs, Got{At: time.Now(), Header: r.Header.Clone(), Body: body})
		n := len(h.reqs)
		h.mu.Unlock()
		if h.respond != nil {
			h.respond(n, w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// Requests are the requests received so far, in order.
func (h *HookServer) Requests() []Got {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Got(nil), h.reqs...)
}

// Status answers every request with code.
func Status(code int) Respond {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// FailFirst answers 500 to the first n requests, then 200.
func FailFirst(n int) Respond {
	return func(i int, w http.ResponseWriter, _ *http.Request) {
		if i <= n {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// WithBody is a Respond that hands answer the request's body as well.
func WithBody(answer func(w http.ResponseWriter, r *http.Request, body []byte)) Respond {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		answer(w, r, body)
	}
}
