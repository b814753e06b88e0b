package receiver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

func TestSimulatedStatusBodyHeaders(t *testing.T) {
	h := newHarness(t, Options{})
	h.setSim("holm", db.SimResponse{Status: 202, Body: "accepted by the sim", Headers: []db.Header{{Name: "X-Sim", Value: "yes"}}})
	resp, body := h.Send("holm", testkit.Frame(t, "holm", "finished_scan", db0(), 1))
	if resp.StatusCode != 202 || string(body) != "accepted by the sim" || resp.Header.Get("X-Sim") != "yes" {
		t.Fatalf("got %d %q X-Sim=%q", resp.StatusCode, body, resp.Header.Get("X-Sim"))
	}
	r := h.Last()
	if r.Response.Status != 202 || string(r.Response.Body) != "accepted by the sim" {
		t.Errorf("recorded %d %q", r.Response.Status, r.Response.Body)
	}
}

func TestFailFirstThenSucceed(t *testing.T) {
	h := newHarness(t, Options{})
	h.setSim("cyscale", db.SimResponse{FailFirst: 3, FailStatus: 503})
	var got []int
	for i := range 5 {
		resp, _ := h.Send("cyscale", testkit.Frame(t, "cyscale", "new_alerts", db0(), uint64(i)))
		got = append(got, resp.StatusCode)
		if rec := h.Last().Response.Status; rec != resp.StatusCode {
			t.Errorf("request %d answered %d, recorded %d", i, resp.StatusCode, rec)
		}
	}
	if want := []int{503, 503, 503, 200, 200}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	// A change to the route restarts the count.
	h.setSim("cyscale", db.SimResponse{FailFirst: 1})
	resp, _ := h.Send("cyscale", testkit.Frame(t, "cyscale", "new_alerts", db0(), 9))
	if resp.StatusCode != 500 {
		t.Errorf("after a change: %d, want 500", resp.StatusCode)
	}
}

func TestSeededFailureRateIsReproducible(t *testing.T) {
	run := func() []int {
		h := newHarness(t, Options{})
		h.setSim("holm", db.SimResponse{FailureRate: 0.5, Seed: 42})
		var got []int
		for i := range 20 {
			resp, _ := h.Send("holm", testkit.Frame(t, "holm", "finished_scan", db0(), uint64(i)))
			got = append(got, resp.StatusCode)
		}
		return got
	}
	a, b := run(), run()
	if !equalInts(a, b) {
		t.Fatalf("same seed, different answers:\n%v\n%v", a, b)
	}
	fails := 0
	for _, s := range a {
		if s == 500 {
			fails++
		}
	}
	if fails == 0 || fails == 20 {
		t.Fatalf("failure rate 0.5 failed %d of 20", fails)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.setSim("holm", db.SimResponse{DelayMS: 150})
	start := time.Now()
	resp, _ := h.Send("holm", testkit.Frame(t, "holm", "finished_scan", db0(), 1))
	if el := time.Since(start); resp.StatusCode != 200 || el < 150*time.Millisecond {
		t.Fatalf("answered %d after %v, want 200 after 150ms or more", resp.StatusCode, el)
	}
	if ms := h.Last().Response.LatencyMS; ms < 150 {
		t.Errorf("recorded latency %.1f ms, want the delay included", ms)
	}
}

func TestHang(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.setSim("holm", db.SimResponse{Hang: true})
	client := &http.Client{Timeout: 300 * time.Millisecond}
	w := testkit.Frame(t, "holm", "finished_scan", db0(), 1)
	_, err := client.Post(h.URL+validate.HookPrefix+"holm", "application/json", bytes.NewReader(w.Body))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	r := h.Last() // recorded before hanging
	if r.Response.Status != 0 || !strings.Contains(r.Error, "hang") || !bytes.Equal(r.Body, w.Body) {
		t.Errorf("recorded status %d error %q", r.Response.Status, r.Error)
	}
	// A hang in progress does not hold up shutdown.
	go client.Post(h.URL+validate.HookPrefix+"holm", "application/json", bytes.NewReader(w.Body))
	testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a hang in flight: %v", err)
	}
}

func TestOversizedAnswer(t *testing.T) {
	h := newHarness(t, Options{})
	const size = 3 << 20
	h.setSim("holm", db.SimResponse{OversizeBytes: size})
	resp, body := h.Send("holm", testkit.Frame(t, "holm", "finished_scan", db0(), 1))
	if resp.StatusCode != 200 || len(body) != size {
		t.Fatalf("answered %d with %d bytes, want 200 with %d", resp.StatusCode, len(body), size)
	}
	r := h.Last()
	if !r.Response.Truncated || len(r.Response.Body) != keptResponse || !bytes.Equal(r.Response.Body, body[:keptResponse]) {
		t.Errorf("recorded %d bytes truncated=%v", len(r.Response.Body), r.Response.Truncated)
	}
}

func TestForward(t *testing.T) {
	type seen struct {
		header http.Header
		body   []byte
		query  string
	}
	got := make(chan seen, 4)
	svc := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Header.Clone(), b, r.URL.RawQuery}
		w.Header().Set("X-Service", "mine")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"service":"answer"}`)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go svc.Serve(l)
	defer svc.Close()

	h := newHarness(t, Options{ForwardTo: "http://" + l.Addr().String() + "/webhook"})
	w := testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 1)
	req, _ := http.NewRequest(http.MethodPost, h.URL+validate.HookPrefix+"policycortex?x=1", bytes.NewReader(w.Body))
	for k, v := range w.Header.HTTP() {
		req.Header[k] = v
	}
	req.Header.Set("Connection", "keep-alive, X-Hop")
	req.Header.Set("X-Hop", "drop me")
	req.Header.Set("Keep-Alive", "timeout=5")
	resp, body := h.Do(req)
	if resp.StatusCode != http.StatusCreated || string(body) != `{"service":"answer"}` || resp.Header.Get("X-Service") != "mine" {
		t.Fatalf("sender got %d %q: want the service's answer", resp.StatusCode, body)
	}
	s := <-got
	if !bytes.Equal(s.body, w.Body) || s.query != "x=1" {
		t.Errorf("service got body %d bytes, query %q", len(s.body), s.query)
	}
	for k := range w.Header.HTTP() {
		if s.header.Get(k) != w.Header.Values(k)[0] {
			t.Errorf("header %s not forwarded", k)
		}
	}
	for _, hop := range []string{"X-Hop", "Keep-Alive"} {
		if s.header.Get(hop) != "" {
			t.Errorf("hop-by-hop header %s forwarded", hop)
		}
	}
	r := h.Last()
	if r.Forward == nil || r.Forward.Status != 201 || string(r.Forward.Body) != `{"service":"answer"}` || r.Forward.Error != "" || r.Response.Status != 201 {
		t.Fatalf("forward leg recorded as %+v, response %d", r.Forward, r.Response.Status)
	}

	// A route that simulates answers itself; the leg is still recorded.
	h.setSim("policycortex", db.SimResponse{Status: 299})
	resp, _ = h.Send("policycortex", w)
	if resp.StatusCode != 299 {
		t.Errorf("simulating route answered %d, want 299", resp.StatusCode)
	}
	<-got
	if r := h.Last(); r.Forward == nil || r.Forward.Status != 201 {
		t.Errorf("forward leg not recorded beside a simulated answer")
	}

	// The service down: 502, recorded with the error.
	svc.Close()
	h.setSim("policycortex", db.SimResponse{})
	resp, _ = h.Send("policycortex", w)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("service down: %d, want 502", resp.StatusCode)
	}
	if r := h.Last(); r.Forward == nil || r.Forward.Error == "" || r.Response.Status != 502 {
		t.Errorf("service down: recorded %+v", r.Forward)
	}
}

func TestPassOnDropsHopByHop(t *testing.T) {
	in := []db.Header{{Name: "Host", Value: "x"}, {Name: "Connection", Value: "close, X-Private"}, {Name: "X-Private", Value: "1"},
		{Name: "TE", Value: "trailers"}, {Name: "Upgrade", Value: "h2c"}, {Name: "Transfer-Encoding", Value: "chunked"},
		{Name: "Proxy-Authorization", Value: "p"}, {Name: "x-keep", Value: "1"}, {Name: "Content-Length", Value: "3"}}
	out := passOn(in)
	if len(out) != 1 || out[0].Name != "x-keep" {
		t.Fatalf("passOn kept %v", out)
	}
}

func db0() (c credsZero) { return }

type credsZero = fixtures.Credentials

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
