package testkit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// Server is what a Harness serves on loopback: a receiver.
type Server interface {
	Serve(l net.Listener) error
	Shutdown(ctx context.Context) error
}

// Env is what a Harness hands the constructor of its Server: the database
// and the stores to record into, and a quiet logger.
type Env struct {
	DB       *db.DB
	Requests db.RequestStore
	Routes   db.RouteStore
	Logger   *slog.Logger
}

// Harness is a Server (a receiver) serving on loopback over a real SQLite
// file, with a client to send it hooks and the stores to read what it
// recorded. Everything is shut down and closed at cleanup.
type Harness[S Server] struct {
	T        testing.TB
	DB       *db.DB
	Srv      S
	URL      string // http://127.0.0.1:port
	Prefix   string // the path hooks are posted under, the route's name after it
	Requests db.RequestStore
	Routes   db.RouteStore
	Client   *http.Client
}

// NewHarness opens a database, builds the server with build and serves it
// on a free loopback port until cleanup.
func NewHarness[S Server](t testing.TB, prefix string, build func(Env) (S, error)) *Harness[S] {
	t.Helper()
	h := &Harness[S]{T: t, DB: OpenDB(t), Prefix: prefix, Requests: db.NewRequestStore(), Routes: db.NewRouteStore()}
	srv, err := build(Env{DB: h.DB, Requests: h.Requests, Routes: h.Routes, Logger: QuietLogger()})
	if err != nil {
		t.Fatalf("building the server: %v", err)
	}
	h.Srv = srv
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	h.Client = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
		h.Client.CloseIdleConnections()
	})
	return h
}

// Route loads a stored route.
func (h *Harness[S]) Route(name string) *db.Route {
	h.T.Helper()
	r, err := h.Routes.GetRoute(context.Background(), h.DB.Reader(), name)
	if err != nil {
		h.T.Fatalf("route %s: %v", name, err)
	}
	return r
}

// Send sends a framed wire request to the route (POST when w has no
// method) and returns the answer, its body read.
func (h *Harness[S]) Send(route string, w fixtures.Wire) (*http.Response, []byte) {
	h.T.Helper()
	req, err := http.NewRequest(w.Method, h.URL+h.Prefix+route, bytes.NewReader(w.Body))
	if err != nil {
		h.T.Fatal(err)
	}
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	for k, vs := range w.Header.HTTP() {
		req.Header[k] = append([]string(nil), vs...)
	}
	return h.Do(req)
}

// Do sends req with the harness's client and returns the answer, its body
// read.
func (h *Harness[S]) Do(req *http.Request) (*http.Response, []byte) {
	h.T.Helper()
	resp, err := h.Client.Do(req)
	if err != nil {
		h.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.T.Fatal(err)
	}
	return resp, b
}

// Last returns the newest recorded request, bodies included.
func (h *Harness[S]) Last() *db.Request {
	h.T.Helper()
	rows, err := h.Requests.ListRequests(context.Background(), h.DB.Reader(), db.RequestFilter{Limit: 1})
	if err != nil {
		h.T.Fatal(err)
	}
	if len(rows) == 0 {
		h.T.Fatal("no request recorded")
	}
	return h.Get(rows[0].ID)
}

// Get returns the recorded request id, bodies included.
func (h *Harness[S]) Get(id int64) *db.Request {
	h.T.Helper()
	r, err := h.Requests.GetRequest(context.Background(), h.DB.Reader(), id)
	if err != nil {
		h.T.Fatalf("request %d: %v", id, err)
	}
	return r
}

// Count is the number of recorded requests.
func (h *Harness[S]) Count() int64 {
	h.T.Helper()
	n, err := h.Requests.CountRequests(context.Background(), h.DB.Reader(), db.RequestFilter{})
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}
