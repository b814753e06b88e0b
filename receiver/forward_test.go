package receiver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestForwardPassesHeadersAndAnswerAsTheyAre: with --forward-to, the
// service gets exactly the headers the sender sent (less Host and the
// framing and hop-by-hop fields; nothing added, no Accept-Encoding), and
// the sender gets the service's answer byte for byte: a gzip answer stays
// compressed, its Content-Encoding intact, and is recorded as received.
// The answer here inflates to 1 MiB, past the 64 KiB limit, from 1 KiB
// on the wire: it is passed on, not refused with a 502. Before, the
// forwarder asked for gzip itself, inflated the answer, recorded and
// passed it on decoded, and answered 502 for this one.
func TestForwardPassesHeadersAndAnswerAsTheyAre(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(bytes.Repeat([]byte(`{"ok":true}`), (1<<20)/11))
	zw.Close()
	compressed := zipped.Bytes()

	got := make(chan http.Header, 1)
	svc := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compressed)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go svc.Serve(l)
	defer svc.Close()

	h := newHarness(t, Options{ForwardTo: "http://" + l.Addr().String() + "/in", BodyLimit: 64 << 10})
	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := `{"event":"x"}`
	fmt.Fprintf(c, "POST /hooks/generic HTTP/1.1\r\nHost: hooks.example\r\nUser-Agent: vendor/1.0\r\nContent-Type: application/json\r\nX-Vendor-Id: 42\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	sent := <-got
	keys := make([]string, 0, len(sent))
	for k := range sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"Content-Length", "Content-Type", "User-Agent", "X-Vendor-Id"}; !slices.Equal(keys, want) || sent.Get("Content-Length") != "13" || sent.Get("User-Agent") != "vendor/1.0" || sent.Get("X-Vendor-Id") != "42" {
		t.Errorf("the service got the headers %v, want exactly the sender's %v", sent, want)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(answer, compressed) {
		t.Fatalf("the sender got %d, Content-Encoding %q, %d bytes; want 200, gzip and the service's %d compressed bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(answer), len(compressed))
	}
	if resp.ContentLength != int64(len(compressed)) {
		t.Errorf("Content-Length %d, want the %d bytes sent", resp.ContentLength, len(compressed))
	}
	r := h.Last()
	if r.Forward == nil || r.Forward.Error != "" || r.Forward.Status != 200 || !bytes.Equal(r.Forward.Body, compressed) {
		t.Fatalf("the forward leg was recorded as %+v", r.Forward)
	}
	enc := ""
	for _, hd := range r.Forward.Headers {
		if hd.Name == "Content-Encoding" {
			enc = hd.Value
		}
	}
	if enc != "gzip" || r.Response.Status != 200 || !bytes.Equal(r.Response.Body, compressed) {
		t.Errorf("recorded Content-Encoding %q on the leg, answer %d with %d bytes; want gzip, 200 and the compressed bytes", enc, r.Response.Status, len(r.Response.Body))
	}
}
