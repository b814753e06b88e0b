package api

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
)

// The sender's side of the API is tested against a real sender over a real
// database, with real HTTP servers as its targets.

// openSender opens a real database in a temp dir and a started sender at
// the given time scale.
func openSender(t *testing.T, scale float64) (*sender.Sender, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hookscope.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := sender.New(d, sender.Options{TimeScale: scale, Poll: 20 * time.Millisecond, Seed: 7})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		d.Close()
	})
	return s, d
}

// got is one request a test server received.
type got struct {
	at     time.Time
	header http.Header
	body   []byte
}

// hookServer is a real HTTP server on 127.0.0.1 that records every
// request and answers with respond(n) for the n-th (1-based).
type hookServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []got
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newHookServer(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *hookServer {
	t.Helper()
	h := &hookServer{respond: respond}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, got{at: time.Now(), header: r.Header.Clone(), body: body})
		n := len(h.reqs)
		h.mu.Unlock()
		if h.respond != nil {
			h.respond(n, w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() []got {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]got(nil), h.reqs...)
}

func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// failFirst answers 500 to the first n requests, then 200.
func failFirst(n int) func(int, http.ResponseWriter, *http.Request) {
	return func(i int, w http.ResponseWriter, _ *http.Request) {
		if i <= n {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func addEndpoint(t *testing.T, s *sender.Sender, profile, url string, mod ...func(*db.Endpoint)) *db.Endpoint {
	t.Helper()
	e := &db.Endpoint{Name: profile + "-test", URL: url, Profile: profile, Enabled: true}
	for _, m := range mod {
		m(e)
	}
	if err := s.CreateEndpoint(context.Background(), e); err != nil {
		t.Fatalf("creating endpoint: %v", err)
	}
	return e
}

// waitDelivery polls until cond holds for the delivery, failing after 20 s.
func waitDelivery(t *testing.T, s *sender.Sender, id int64, what string, cond func(*db.Delivery) bool) *db.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := s.Delivery(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %d: timed out waiting for %s; status %s after %d attempts (%s)", id, what, d.Status, d.AttemptCount, d.LastError)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func final(d *db.Delivery) bool {
	return d.Status == db.DeliverySucceeded || d.Status == db.DeliveryFailed
}

// received frames events as a vendor would have sent them to hookscope's
// receiver, signed with the route's credentials.
func received(t *testing.T, vendor string, creds fixtures.Credentials, events ...string) []byte {
	t.Helper()
	p, err := fixtures.Lookup(vendor)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var out []fixtures.Outgoing
	for i, e := range events {
		payload, err := p.Render(e, rand.New(rand.NewPCG(uint64(i), 3)), at)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixtures.Outgoing{Type: e, Payload: payload, CreatedAt: at})
	}
	w, err := p.Frame(out, fixtures.FrameOptions{Credentials: creds, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return w.Body
}

// storeRequest records a request the way the receiver would have.
func storeRequest(t *testing.T, d *db.DB, route, vendor string, body []byte, truncated bool) int64 {
	t.Helper()
	q := &db.Request{ReceivedAt: time.Now(), Route: route, Method: "POST", Path: "/hooks/" + route,
		Body: body, BodySize: int64(len(body)), BodyTruncated: truncated, JSONValid: json.Valid(body), Vendor: vendor}
	if err := d.Write(context.Background(), func(tx db.Handle) error {
		return db.NewRequestStore().CreateRequest(context.Background(), tx, q)
	}); err != nil {
		t.Fatal(err)
	}
	return q.ID
}
