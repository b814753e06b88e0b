package receiver

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// rawSend writes raw bytes to the receiver (then, if pause > 0, waits and
// writes more) and reads one answer.
func rawSend(t *testing.T, addr string, parts [][]byte, pause time.Duration) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	for i, p := range parts {
		if i > 0 && pause > 0 {
			time.Sleep(pause)
		}
		if _, err := c.Write(p); err != nil {
			break // the server may answer and close before all is sent
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	resp.Body.Close()
	return resp
}

func post(path string, headers []string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: test\r\n", path)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.Bytes()
}

// TestBadInputs sends hostile and broken requests: none crashes the
// receiver, each gets the right answer, each is recorded (body exact).
func TestBadInputs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{ReadTimeout: 700 * time.Millisecond, BodyLimit: 1 << 20})
	addr := strings.TrimPrefix(h.URL, "http://")
	validWire := testkit.Frame(t, "policycortex", "scan.completed", testkit.CredsOf(h.Route("policycortex")), 1)
	valid := validWire.Body
	signed := []string{"Content-Type: text/plain"}
	for k, vs := range validWire.Header.HTTP() {
		if !strings.EqualFold(k, "Content-Type") {
			signed = append(signed, k+": "+vs[0])
		}
	}
	huge := bytes.Repeat([]byte("A"), 3<<20)
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	manyHeaders := make([]string, 3000)
	for i := range manyHeaders {
		manyHeaders[i] = fmt.Sprintf("X-H%04d: v%d", i, i)
	}
	nested := []byte(strings.Repeat("[", 200000) + strings.Repeat("]", 200000))

	cases := []struct {
		name   string
		parts  [][]byte
		pause  time.Duration
		status int
		check  func(t *testing.T, r *db.Request)
		body   []byte // the body that must be stored exactly (nil: skip)
	}{
		{name: "malformed JSON", parts: [][]byte{post("/hooks/policycortex", []string{"Content-Type: application/json"}, []byte(`{"id": "evt_1", `))}, status: 200, body: []byte(`{"id": "evt_1", `),
			check: func(t *testing.T, r *db.Request) { notJSON(t, r) }},
		{name: "truncated JSON", parts: [][]byte{post("/hooks/policycortex", nil, valid[:len(valid)/2])}, status: 200, body: valid[:len(valid)/2],
			check: func(t *testing.T, r *db.Request) { notJSON(t, r) }},
		{name: "empty body", parts: [][]byte{post("/hooks/policycortex", nil, nil)}, status: 200, body: []byte{},
			check: func(t *testing.T, r *db.Request) { notJSON(t, r) }},
		{name: "huge body", parts: [][]byte{post("/hooks/policycortex", nil, huge)}, status: 413,
			check: func(t *testing.T, r *db.Request) {
				if !r.BodyTruncated || r.BodySize != int64(len(huge)) || len(r.Body) != KeptOnOverflow || !bytes.Equal(r.Body, huge[:KeptOnOverflow]) {
					t.Errorf("truncated=%v size=%d kept=%d", r.BodyTruncated, r.BodySize, len(r.Body))
				}
			}},
		{name: "huge chunked body", parts: [][]byte{[]byte("POST /hooks/holm HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"),
			[]byte(fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(huge), huge))}, status: 413,
			check: func(t *testing.T, r *db.Request) {
				if !r.BodyTruncated || len(r.Body) != KeptOnOverflow {
					t.Errorf("truncated=%v kept=%d", r.BodyTruncated, len(r.Body))
				}
			}},
		{name: "binary body", parts: [][]byte{post("/hooks/holm", []string{"Content-Type: application/octet-stream"}, binary)}, status: 200, body: binary},
		// The API shows it as body_base64 (api.TestRequestViewBodyBase64).
		{name: "invalid UTF-8", parts: [][]byte{post("/hooks/generic", nil, []byte("{\"a\":\"\xff\xfe\xc3\x28\"}"))}, status: 200, body: []byte("{\"a\":\"\xff\xfe\xc3\x28\"}")},
		{name: "escape sequences in body", parts: [][]byte{post("/hooks/holm", nil, []byte("{\"x\":\"\x1b[2J\x1b]0;pwned\x07\x9b31m\"}"))}, status: 200, body: []byte("{\"x\":\"\x1b[2J\x1b]0;pwned\x07\x9b31m\"}")},
		// net/http refuses control characters in a header itself; the
		// request is still recorded, from its raw header block.
		{name: "escape sequences in headers", parts: [][]byte{post("/hooks/holm", []string{"X-Evil: \x1b[31mred\x1b[0m"}, []byte(`{}`))}, status: 400,
			check: func(t *testing.T, r *db.Request) {
				hasHeader(t, r, "X-Evil", "\x1b[31mred\x1b[0m")
				if r.Route != "holm" || !strings.Contains(r.Error, "refused") {
					t.Errorf("route %q error %q", r.Route, r.Error)
				}
			}},
		{name: "header block over the limit", parts: [][]byte{post("/hooks/holm", []string{"X-Big: " + strings.Repeat("b", 1200<<10)}, []byte(`{}`))}, status: 431,
			check: func(t *testing.T, r *db.Request) {
				if r.Path != "/hooks/holm" || !strings.Contains(r.Error, "over the") {
					t.Errorf("path %q error %q", r.Path, r.Error)
				}
			}},
		{name: "thousands of headers", parts: [][]byte{post("/hooks/holm", manyHeaders, []byte(`{}`))}, status: 200,
			check: func(t *testing.T, r *db.Request) {
				if len(r.Headers) != 3000+2 || r.Headers[1].Name != "X-H0000" || r.Headers[3000].Name != "X-H2999" {
					t.Errorf("%d headers recorded, want 3002 in order", len(r.Headers))
				}
			}},
		{name: "slow client", parts: [][]byte{[]byte("POST /hooks/holm HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"slow\":"), []byte(`true}`)}, pause: 1500 * time.Millisecond, status: 408, body: []byte(`{"slow":`),
			check: func(t *testing.T, r *db.Request) {
				if !r.BodyTruncated || !strings.Contains(r.Error, "reading the body") {
					t.Errorf("truncated=%v error=%q", r.BodyTruncated, r.Error)
				}
			}},
		{name: "body shorter than declared", parts: [][]byte{[]byte("POST /hooks/holm HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\nConnection: close\r\n\r\n{\"a\":1}")}, status: 0, body: []byte(`{"a":1}`)},
		{name: "wrong content type", parts: [][]byte{post("/hooks/policycortex", signed, valid)}, status: 200, body: valid,
			check: func(t *testing.T, r *db.Request) {
				if r.Signature.Status != "valid" || r.Vendor != "policycortex" {
					t.Errorf("signature %v vendor %q", r.Signature, r.Vendor)
				}
			}},
		{name: "form body", parts: [][]byte{post("/hooks/generic", []string{"Content-Type: application/x-www-form-urlencoded"}, []byte("a=1&b=%ff"))}, status: 200, body: []byte("a=1&b=%ff")},
		{name: "GET to a route", parts: [][]byte{[]byte("GET /hooks/holm?probe=1 HTTP/1.1\r\nHost: t\r\n\r\n")}, status: 405,
			check: func(t *testing.T, r *db.Request) {
				if r.Method != "GET" || r.Query != "probe=1" {
					t.Errorf("method %q query %q", r.Method, r.Query)
				}
			}},
		{name: "PUT to a route", parts: [][]byte{[]byte("PUT /hooks/holm HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}")}, status: 405, body: []byte("{}")},
		{name: "path outside /hooks", parts: [][]byte{post("/webhook", nil, []byte(`{"id":"evt_9"}`))}, status: 404, body: []byte(`{"id":"evt_9"}`)},
		{name: "chunked body", parts: [][]byte{[]byte("POST /hooks/holm HTTP/1.1\r\nHost: t\r\nX-Z: 1\r\nTransfer-Encoding: chunked\r\nX-A: 2\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n")}, status: 200, body: []byte(`{"a":1}`),
			check: func(t *testing.T, r *db.Request) {
				if len(r.Headers) < 4 || r.Headers[1].Name != "X-Z" || r.Headers[3].Name != "X-A" {
					t.Errorf("headers out of order: %v", r.Headers)
				}
			}},
		{name: "NUL bytes", parts: [][]byte{post("/hooks/holm", nil, []byte("{\"a\":\"\x00\x00\"}\x00"))}, status: 200, body: []byte("{\"a\":\"\x00\x00\"}\x00")},
		{name: "deeply nested JSON", parts: [][]byte{post("/hooks/policycortex", nil, nested)}, status: 200, body: nested},
		{name: "very long header value", parts: [][]byte{post("/hooks/holm", []string{"X-Long: " + strings.Repeat("x", 200000)}, []byte(`{}`))}, status: 200,
			check: func(t *testing.T, r *db.Request) { hasHeader(t, r, "X-Long", strings.Repeat("x", 200000)) }},
		{name: "repeated headers, mixed case", parts: [][]byte{post("/hooks/holm", []string{"x-dup: 1", "X-DUP: 2", "X-Dup: 3"}, []byte(`{}`))}, status: 200,
			check: func(t *testing.T, r *db.Request) {
				hasHeader(t, r, "x-dup", "1")
				hasHeader(t, r, "X-DUP", "2")
				hasHeader(t, r, "X-Dup", "3")
			}},
		{name: "odd query string", parts: [][]byte{post("/hooks/holm?a=%00&b=\x7f&c=%E2%80%AE", nil, []byte(`{}`))}, status: 400,
			check: func(t *testing.T, r *db.Request) {
				if r.Query != "a=%00&b=\x7f&c=%E2%80%AE" {
					t.Errorf("query %q", r.Query)
				}
			}},
		{name: "unknown route name with dots", parts: [][]byte{post("/hooks/..%2f..%2fetc", nil, []byte(`{}`))}, status: 200},
		{name: "Expect 100-continue", parts: [][]byte{post("/hooks/holm", []string{"Expect: 100-continue"}, []byte(`{"e":1}`))}, status: 200, body: []byte(`{"e":1}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.Count()
			resp := rawSend(t, addr, tc.parts, tc.pause)
			if tc.status != 0 && resp.StatusCode != tc.status {
				if !(resp.StatusCode == 100 && tc.status == 200) {
					t.Errorf("answered %d, want %d", resp.StatusCode, tc.status)
				}
			}
			testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == before+1 })
			r := h.Last()
			if tc.body != nil && !bytes.Equal(r.Body, tc.body) {
				t.Errorf("body stored as %q (%d bytes), want %d exact bytes", trim(r.Body), len(r.Body), len(tc.body))
			}
			if tc.status != 0 && resp.StatusCode != 100 && r.Response.Status != resp.StatusCode {
				t.Errorf("recorded answer %d, sent %d", r.Response.Status, resp.StatusCode)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	// The receiver is still healthy after all that.
	resp, _ := h.Do(mustRequest(t, http.MethodGet, h.URL+HealthPath))
	if resp.StatusCode != 200 {
		t.Fatalf("health %d", resp.StatusCode)
	}
}

func TestPanicIsRecordedAnd500(t *testing.T) {
	h := newHarness(t, Options{})
	h.Srv.inspectHook = func(r *db.Request) {
		if bytes.Contains(r.Body, []byte("boom")) {
			panic("boom in a profile")
		}
	}
	resp, body := h.Send("holm", wire([]byte(`{"boom":true}`)))
	if resp.StatusCode != 500 || !strings.Contains(string(body), "recorded") {
		t.Fatalf("answered %d %s", resp.StatusCode, body)
	}
	r := h.Last()
	if r.Response.Status != 500 || !strings.Contains(r.Error, "boom in a profile") || string(r.Body) != `{"boom":true}` {
		t.Errorf("recorded %d error %q", r.Response.Status, r.Error)
	}
	if resp, _ := h.Send("holm", wire([]byte(`{}`))); resp.StatusCode != 200 {
		t.Errorf("next request answered %d", resp.StatusCode)
	}
}

// TestPipelinedHeadersKeepOrder sends two requests in one write on one
// connection: each is recorded with its own headers in order.
func TestPipelinedHeadersKeepOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	addr := strings.TrimPrefix(h.URL, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(append(post("/hooks/holm", []string{"X-B: 1", "X-A: 1"}, []byte(`{"n":1}`)), post("/hooks/holm", []string{"X-D: 2", "X-C: 2"}, []byte(`{"n":2}`))...))
	br := bufio.NewReader(c)
	for range 2 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	rows, _ := h.Requests.ListRequests(t.Context(), h.DB.Reader(), db.RequestFilter{Limit: 2})
	first, second := h.Get(rows[1].ID), h.Get(rows[0].ID)
	if first.Headers[1].Name != "X-B" || first.Headers[2].Name != "X-A" || second.Headers[1].Name != "X-D" || second.Headers[2].Name != "X-C" {
		t.Fatalf("headers: %v / %v", first.Headers, second.Headers)
	}
}

func wire(body []byte) fixtures.Wire {
	return fixtures.Wire{Method: http.MethodPost, Header: fixtures.NewHeader("Content-Type", "application/json"), Body: body}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func notJSON(t *testing.T, r *db.Request) {
	t.Helper()
	if r.JSONValid {
		t.Errorf("flagged valid JSON")
	}
}

func hasHeader(t *testing.T, r *db.Request, name, value string) {
	t.Helper()
	for _, h := range r.Headers {
		if h.Name == name && h.Value == value {
			return
		}
	}
	t.Errorf("header %q: %q not recorded exactly", name, trim([]byte(value)))
}

func trim(b []byte) string {
	if len(b) > 60 {
		b = b[:60]
	}
	if !utf8.Valid(b) {
		return fmt.Sprintf("%x", b)
	}
	return string(b)
}
