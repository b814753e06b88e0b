package receiver

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

// listRequests returns the recorded requests, oldest first, with bodies.
func (h *harness) all() []*db.Request {
	h.T.Helper()
	rows, err := h.Requests.ListRequests(context.Background(), h.DB.Reader(), db.RequestFilter{Limit: 1000})
	if err != nil {
		h.T.Fatal(err)
	}
	out := make([]*db.Request, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, h.Get(rows[i].ID))
	}
	return out
}

func headerValue(hs []db.Header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// exchange writes raw bytes on one connection and reads n answers.
func exchange(t *testing.T, addr, raw string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading answer %d: %v", len(out)+1, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, resp)
	}
	return out
}

// TestHTTP10TransferEncodingInjectsNoHeaders: an HTTP/1.0 request saying
// Transfer-Encoding: chunked (which net/http ignores before HTTP/1.1,
// reading its Content-Length body) carries a body that looks like a chunked
// end and a header block; a second request follows on the connection. Each
// request is recorded with its own headers, and the header planted in the
// body reaches neither the record nor the user's service.
func TestHTTP10TransferEncodingInjectsNoHeaders(t *testing.T) {
	forwarded := make(chan http.Header, 4)
	svc := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		forwarded <- r.Header.Clone()
		io.WriteString(w, `{"ok":true}`)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go svc.Serve(l)
	defer svc.Close()
	h := newHarness(t, Options{ForwardTo: "http://" + l.Addr().String() + "/webhook"})

	planted := "0\r\n\r\nPOST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Injected: evil\r\nX-Real: forged\r\n\r\n"
	raw := "POST /hooks/holm HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n" +
		"Content-Length: " + itoa(int64(len(planted))) + "\r\nX-First: 1\r\n\r\n" + planted +
		"POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Real: 2\r\nContent-Length: 2\r\n\r\n{}"
	for _, resp := range exchange(t, strings.TrimPrefix(h.URL, "http://"), raw, 2) {
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answered %d", resp.StatusCode)
		}
	}
	rs := h.all()
	if len(rs) != 2 {
		t.Fatalf("%d requests recorded, want 2", len(rs))
	}
	if string(rs[0].Body) != planted {
		t.Errorf("first request's body %q, want the %d bytes its Content-Length declared", rs[0].Body, len(planted))
	}
	if _, ok := headerValue(rs[0].Headers, "X-First"); !ok {
		t.Errorf("first request recorded with headers %v, want its own (X-First)", rs[0].Headers)
	}
	second := rs[1]
	if v, _ := headerValue(second.Headers, "X-Real"); v != "2" {
		t.Errorf("second request recorded with X-Real %q, want its own 2; headers %v", v, second.Headers)
	}
	if _, ok := headerValue(second.Headers, "X-Injected"); ok {
		t.Errorf("second request recorded with the header planted in the first one's body: %v", second.Headers)
	}
	for i := range 2 {
		select {
		case fh := <-forwarded:
			if fh.Get("X-Injected") != "" {
				t.Errorf("forward %d carried the planted header X-Injected: %v", i+1, fh)
			}
			if i == 1 && fh.Get("X-Real") != "2" {
				t.Errorf("second forward carried X-Real %q, want 2", fh.Get("X-Real"))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("forward %d never reached the service", i+1)
		}
	}
}

// TestPipelineAfterCloseIsNotRefused: a request answered with an error and
// Connection: close, with another request pipelined behind it that net/http
// never reads. Only the first is recorded: the second is not a request the
// server refused, and no status was sent for it.
func TestPipelineAfterCloseIsNotRefused(t *testing.T) {
	h := newHarness(t, Options{})
	h.setSim("holm", db.SimResponse{Status: 500})
	raw := "POST /hooks/holm HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Never-Read: 1\r\nContent-Length: 2\r\n\r\n{}"
	resps := exchange(t, strings.TrimPrefix(h.URL, "http://"), raw, 1)
	if resps[0].StatusCode != 500 {
		t.Fatalf("answered %d, want the simulated 500", resps[0].StatusCode)
	}
	// The connection is closed; its close is reported before Shutdown ends.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.Srv.Shutdown(ctx)
	rs := h.all()
	if len(rs) != 1 {
		for _, r := range rs {
			t.Logf("recorded: %s %s status %d error %q headers %v", r.Method, r.Path, r.Response.Status, r.Error, r.Headers)
		}
		t.Fatalf("%d requests recorded, want only the one net/http read", len(rs))
	}
}

// TestOptionsStarKeepsOrder: "OPTIONS *", which net/http answers itself,
// does not put the follower out of step: the request after it is recorded
// with its headers in their order.
func TestOptionsStarKeepsOrder(t *testing.T) {
	h := newHarness(t, Options{})
	raw := "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n" +
		"POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Zed: 1\r\nX-Alpha: 2\r\nContent-Length: 2\r\n\r\n{}"
	exchange(t, strings.TrimPrefix(h.URL, "http://"), raw, 2)
	r := h.Last()
	if len(r.Headers) < 3 || r.Headers[0].Name != "Host" || r.Headers[1].Name != "X-Zed" || r.Headers[2].Name != "X-Alpha" {
		t.Fatalf("recorded headers %v, want them in arrival order (Host, X-Zed, X-Alpha, ...)", r.Headers)
	}
}

// TestRefusalsRecordTheirStatusAndReason: requests net/http answers by
// itself (an Expect it does not meet: 417; a Transfer-Encoding it does not
// take: 501) are recorded once each, with the status it sent and why.
func TestRefusalsRecordTheirStatusAndReason(t *testing.T) {
	h := newHarness(t, Options{})
	addr := strings.TrimPrefix(h.URL, "http://")
	for i, tc := range []struct {
		raw    string
		status int
		reason string
	}{
		{"POST /hooks/holm HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}", 417, "Expect"},
		{"POST /hooks/holm HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nPOST /hooks/holm HTTP/1.1\r\nHost: t\r\n\r\n", 501, "Transfer-Encoding"},
	} {
		resps := exchange(t, addr, tc.raw, 1)
		if resps[0].StatusCode != tc.status {
			t.Fatalf("answered %d, want %d", resps[0].StatusCode, tc.status)
		}
		testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == int64(i+1) })
		r := h.Last()
		if r.Response.Status != tc.status || !strings.Contains(r.Error, tc.reason) {
			t.Errorf("recorded status %d, error %q; want %d saying %s", r.Response.Status, r.Error, tc.status, tc.reason)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.Srv.Shutdown(ctx)
	if n := h.Count(); n != 2 {
		t.Errorf("%d requests recorded, want the 2 refused ones only", n)
	}
}

// TestHeaderCutShortIsRecorded: a client that ends its side of the
// connection in the middle of a header block gets net/http's 400; the
// request is recorded with what arrived of it and why it was refused.
func TestHeaderCutShortIsRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Cut: 1\r\n")
	c.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("answer %v, %v; want net/http's 400", resp, err)
	}
	testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == 1 })
	r := h.Last()
	if v, _ := headerValue(r.Headers, "X-Cut"); v != "1" || r.Response.Status != 400 || !strings.Contains(r.Error, "ended before the header block") {
		t.Errorf("recorded status %d, headers %v, error %q", r.Response.Status, r.Headers, r.Error)
	}
}

// TestRefusalEndsWithFIN: after refusing a header block over the limit,
// net/http half-closes the connection (FIN) and lingers before closing,
// so that a client still sending reads the 431 and then the end of the
// stream, not a reset. The listener's connection wrapper must let that
// half-close through.
func TestRefusalEndsWithFIN(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{MaxHeaderBytes: 16 << 10})
	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Big: "+strings.Repeat("b", 64<<10)+"\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("answer %v, %v; want 431", resp, err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("after the 431: %v, want the end of the stream (FIN)", err)
	}
}
