package receiver

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

// TestRefusedBeforeBodyHasNoShapeVerdict: requests refused before their
// body was read (a malformed header: 400 from net/http; a header block
// over the limit: 431; a body that never arrived: 408) are recorded
// without a shape verdict, and say why.
func TestRefusedBeforeBodyHasNoShapeVerdict(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{ReadTimeout: 700 * time.Millisecond, MaxHeaderBytes: 16 << 10})
	addr := strings.TrimPrefix(h.URL, "http://")
	valid := testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 1).Body
	cases := []struct {
		name   string
		parts  [][]byte
		status int
	}{
		{"malformed header", [][]byte{post("/hooks/policycortex", []string{"Bad Header Line"}, valid)}, 400},
		{"header block over the limit", [][]byte{post("/hooks/policycortex", []string{"X-Big: " + strings.Repeat("b", 64<<10)}, valid)}, 431},
		{"body never arrived", [][]byte{[]byte("POST /hooks/policycortex HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n{"), []byte("}")}, 408},
	}
	for _, tc := range cases {
		before := h.Count()
		resp := rawSend(t, addr, tc.parts, 1500*time.Millisecond)
		if resp.StatusCode != tc.status {
			t.Fatalf("%s: answered %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
		testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == before+1 })
		r := h.Last()
		if why := r.ShapeNotChecked(); why == "" {
			t.Errorf("%s: recorded as shape-checked (issues %v) though its body was never read", tc.name, r.ShapeIssues)
		}
	}
	// A whole body of a known vendor is checked.
	h.Send("policycortex", testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 2))
	// (The JSON view's shape_checked follows ShapeNotChecked:
	// api.TestRequestViewShapeChecked.)
	if r := h.Last(); r.ShapeNotChecked() != "" {
		t.Errorf("a whole policycortex body is not shape-checked: %q", r.ShapeNotChecked())
	}
}

// TestHangRecordsHowLongItHeld: a simulated hang is recorded with how long
// the connection was held and how it ended (the client gave up, or
// hookscope stopped), not as an answer of a millisecond.
func TestHangRecordsHowLongItHeld(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.setSim("holm", db.SimResponse{Hang: true})
	w := testkit.Frame(t, "holm", "finished_scan", db0(), 1)
	client := &http.Client{Timeout: 400 * time.Millisecond}
	_, err := client.Post(h.URL+validate.HookPrefix+"holm", "application/json", bytes.NewReader(w.Body))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	var r *db.Request
	testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool {
		r = h.Last()
		return strings.Contains(r.Error, "closed the connection")
	})
	// The client gave up 400 ms after it started sending; the row says
	// about that long (less the moment the request took to arrive).
	if r.Response.Status != 0 || r.Response.LatencyMS < 300 || r.Response.LatencyMS > 20000 {
		t.Errorf("recorded status %d after %.1f ms; want none sent, held about 400 ms", r.Response.Status, r.Response.LatencyMS)
	}
	if !strings.Contains(r.Error, "held") {
		t.Errorf("error %q does not say the connection was held", r.Error)
	}

	// Held until hookscope stops.
	patient := &http.Client{Timeout: 20 * time.Second}
	go patient.Post(h.URL+validate.HookPrefix+"holm", "application/json", bytes.NewReader(w.Body))
	testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a hang in flight: %v", err)
	}
	if r := h.Last(); !strings.Contains(r.Error, "stopped") {
		t.Errorf("a hang ended by shutdown recorded as %q", r.Error)
	}
}
