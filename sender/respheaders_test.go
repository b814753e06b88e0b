package sender

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/limits"
)

// TestResponseHeadersBounded: an answer's headers are bounded like its
// body: a header block past limits.ResponseHeaderBytes fails the attempt
// "response too large"; under it, at most ResponseHeadersRecorded headers
// of ResponseHeaderBytesRecorded bytes are recorded, the cut said in a
// last entry.
func TestResponseHeadersBounded(t *testing.T) {
	s, _ := openSender(t, 1)
	ctx := context.Background()
	cases := []struct {
		name    string
		respond func(w http.ResponseWriter)
		check   func(t *testing.T, a db.Attempt)
	}{
		{"one 5 MiB header", func(w http.ResponseWriter) {
			w.Header().Set("X-Big", strings.Repeat("a", 5<<20))
			w.WriteHeader(http.StatusOK)
		}, func(t *testing.T, a db.Attempt) {
			if !strings.HasPrefix(a.Error, ErrClassTooLarge) || a.Response != nil {
				t.Fatalf("error %q response %v, want a response-too-large failure", a.Error, a.Response != nil)
			}
		}},
		{"one 300 KiB header", func(w http.ResponseWriter) {
			w.Header().Set("X-Big", strings.Repeat("a", 300<<10))
			w.WriteHeader(http.StatusOK)
		}, func(t *testing.T, a db.Attempt) {
			var n int
			for _, h := range a.Response.Headers {
				n += len(h.Name) + len(h.Value) + 4
			}
			last := a.Response.Headers[len(a.Response.Headers)-1]
			if n > limits.ResponseHeaderBytesRecorded+200 || last.Name != CutHeaderName || !strings.Contains(last.Value, "bytes") {
				t.Fatalf("recorded %d bytes of headers, last %q: %.80q", n, last.Name, last.Value)
			}
		}},
		{"500 headers", func(w http.ResponseWriter) {
			for i := range 500 {
				w.Header().Set(fmt.Sprintf("X-H%03d", i), "v")
			}
			w.WriteHeader(http.StatusOK)
		}, func(t *testing.T, a db.Attempt) {
			hs := a.Response.Headers
			if len(hs) != limits.ResponseHeadersRecorded+1 || hs[len(hs)-1].Name != CutHeaderName ||
				!strings.HasPrefix(hs[len(hs)-1].Value, fmt.Sprintf("%d of 50", limits.ResponseHeadersRecorded)) {
				t.Fatalf("%d headers recorded, last %+v", len(hs), hs[len(hs)-1])
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { c.respond(w) })
			ep := testkit.AddEndpoint(t, s, "generic", srv.URL, func(e *db.Endpoint) { e.Name = "h-" + strings.ReplaceAll(c.name, " ", "-") })
			d, err := s.Test(ctx, ep.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, d.Attempts[0])
		})
	}
}

// TestVendorLimitCountsHeaders: SecurityScorecard supports an answer of
// at most 100 KB: a small body with 150 KB of headers is over it.
func TestVendorLimitCountsHeaders(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("a", 150<<10))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
	})
	ep := testkit.AddEndpoint(t, s, "securityscorecard", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	a := d.Attempts[0]
	if !strings.HasPrefix(a.Error, ErrClassTooLarge) || d.Status != db.DeliveryFailed {
		t.Fatalf("error %q status %s, want the answer over the vendor's limit", a.Error, d.Status)
	}
}
