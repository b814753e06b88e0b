package receiver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// harness is a receiver serving on loopback over a real SQLite file.
type harness struct {
	t        testing.TB
	db       *db.DB
	rc       *Receiver
	url      string
	requests db.RequestStore
	routes   db.RouteStore
	client   *http.Client
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hookscope.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: d, requests: db.NewRequestStore(), routes: db.NewRouteStore()}
	if _, err := EnsureDefaultRoutes(ctx, d, h.routes); err != nil {
		t.Fatal(err)
	}
	opts.DB, opts.Requests, opts.Routes = d, h.requests, h.routes
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	h.rc, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.url = "http://" + l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.rc.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	h.client = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.rc.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
		h.client.CloseIdleConnections()
		if err := d.Close(); err != nil {
			t.Errorf("closing the db: %v", err)
		}
	})
	return h
}

// route loads a stored route.
func (h *harness) route(name string) *db.Route {
	h.t.Helper()
	r, err := h.routes.GetRoute(context.Background(), h.db.Reader(), name)
	if err != nil {
		h.t.Fatalf("route %s: %v", name, err)
	}
	return r
}

// setSim changes a route's simulated response through the receiver.
func (h *harness) setSim(name string, sim db.SimResponse) {
	h.t.Helper()
	r := h.route(name)
	r.Response = sim
	if err := h.rc.PutRoute(context.Background(), r); err != nil {
		h.t.Fatal(err)
	}
}

// post sends a framed wire request to /hooks/route.
func (h *harness) send(route string, w fixtures.Wire) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(w.Method, h.url+HookPrefix+route, bytesReader(w.Body))
	if err != nil {
		h.t.Fatal(err)
	}
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	for k, vs := range w.Header.HTTP() {
		req.Header[k] = append([]string(nil), vs...)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) (*http.Response, []byte) {
	h.t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, b
}

// last returns the newest recorded request, bodies included.
func (h *harness) last() *db.Request {
	h.t.Helper()
	rows, err := h.requests.ListRequests(context.Background(), h.db.Reader(), db.RequestFilter{Limit: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(rows) == 0 {
		h.t.Fatal("no request recorded")
	}
	return h.get(rows[0].ID)
}

func (h *harness) get(id int64) *db.Request {
	h.t.Helper()
	r, err := h.requests.GetRequest(context.Background(), h.db.Reader(), id)
	if err != nil {
		h.t.Fatalf("request %d: %v", id, err)
	}
	return r
}

func (h *harness) count() int64 {
	h.t.Helper()
	n, err := h.requests.CountRequests(context.Background(), h.db.Reader(), db.RequestFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// frame renders and frames one event of a vendor with creds, as the
// vendor would send it now.
func frame(t testing.TB, vendor, event string, creds fixtures.Credentials, seed uint64) fixtures.Wire {
	t.Helper()
	p, _, err := fixtures.Find(vendor, event)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	payload, err := p.Render(event, rand.New(rand.NewPCG(seed, seed+1)), now)
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Frame([]fixtures.Outgoing{{Type: event, Payload: payload, CreatedAt: now}}, fixtures.FrameOptions{Credentials: creds, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	return w
}

// credsOf are a route's credentials.
func credsOf(r *db.Route) fixtures.Credentials {
	return fixtures.Credentials{Secret: r.Secret, Token: r.Token, Header: r.Header}
}

// duplicates counts the recorded requests marked duplicate.
func (h *harness) duplicates() int64 {
	h.t.Helper()
	var n int64
	if err := h.db.Reader().QueryRow(`SELECT count(*) FROM requests WHERE duplicate_of <> 0`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
