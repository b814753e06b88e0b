package receiver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
)

// The differential test of the raw-header follower (rawconn.go): a byte
// stream of several requests goes both to net/http, read the way its
// server reads a connection (http.ReadRequest in a loop over one
// bufio.Reader, each body consumed before the next request, the CR/LF
// skipped after a POST, the connection closed where the server closes
// it), and through an orderConn under that same reader, as on a real
// connection. For every request net/http hands to a handler, the follower
// must give exactly the bytes net/http read as that request's header
// block, or nothing (the fallback to the header map); for a request
// net/http refuses, it may report that request's block and no other.

// streamConn is a connection whose reads return a fixed stream in pieces
// of the given sizes; writes are discarded.
type streamConn struct {
	net.Conn
	data   []byte
	pieces []int
	i      int
}

func (s *streamConn) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if len(s.pieces) > 0 {
		n = min(n, max(1, s.pieces[s.i%len(s.pieces)]))
		s.i++
	}
	n = copy(p, s.data[:min(n, len(s.data))])
	s.data = s.data[n:]
	return n, nil
}

func (s *streamConn) Write(p []byte) (int, error) { return len(p), nil }
func (s *streamConn) Close() error                { return nil }
func (s *streamConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// The answers the server writes, as the follower sees them.
const (
	answerOK      = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: Thu, 03 Dec 2026 20:00:00 GMT\r\n\r\n"
	answerRefused = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
	answer417     = "HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Thu, 03 Dec 2026 20:00:00 GMT\r\nContent-Length: 0\r\n\r\n"
)

// framingOutcome is what the differential run saw.
type framingOutcome struct {
	handled  int // requests handed to a handler
	ordered  int // of which the follower gave the block
	refused  bool
	finished string // how the connection ended
}

// compareFraming runs stream through net/http's framing and the follower
// and reports the first disagreement.
func compareFraming(stream []byte, pieces []int) (framingOutcome, error) {
	var out framingOutcome
	var reported [][]byte
	oc := &orderConn{Conn: &streamConn{data: stream, pieces: pieces}, max: 1<<20 + 8<<10,
		refused: func(block []byte, tooLarge bool, status int, remote string) {
			reported = append(reported, bytes.Clone(block))
		}}
	cr := &countingReader{r: oc}
	br := bufio.NewReaderSize(cr, 4096) // the server's read buffer
	offset := func() int { return cr.n - br.Buffered() }
	lastMethod := ""

	// end closes the connection as the server would, after answer (if
	// any); a refused request's block (want) is the only one the follower
	// may report, and only then.
	end := func(how, answer string, want []byte) error {
		out.finished = how
		if answer != "" {
			oc.Write([]byte(answer))
		}
		oc.Close()
		switch {
		case len(reported) > 1:
			return fmt.Errorf("%s: the follower reported %d refused requests: %q", how, len(reported), reported)
		case len(reported) == 1 && want == nil:
			return fmt.Errorf("%s: the follower reported a refused request net/http did not refuse: %q", how, reported[0])
		case len(reported) == 1 && !bytes.HasPrefix(want, reported[0]):
			return fmt.Errorf("%s: the follower reported %q as refused; net/http refused the request starting %q", how, reported[0], want)
		}
		out.refused = len(reported) == 1
		return nil
	}

	for range 64 {
		if lastMethod == http.MethodPost {
			peek, _ := br.Peek(4)
			n := 0
			for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
				n++
			}
			br.Discard(n)
		}
		start := offset()
		req, err := http.ReadRequest(br)
		if err != nil {
			if err == io.EOF {
				// The stream ended between requests: the server closes
				// without a word (a request cut short after its request
				// line is answered 400, below).
				return out, end("the stream ended", "", nil)
			}
			// net/http answers 400 (or 431, 501) and closes. What it
			// read of the refused request starts at start.
			return out, end("net/http refused: "+err.Error(), answerRefused, stream[start:])
		}
		block := stream[start:offset()]
		if req.ProtoMajor != 1 && !(req.Method == "PRI" && req.RequestURI == "*" && req.ProtoMajor == 2 && req.ProtoMinor == 0) {
			return out, end("unsupported version", answerRefused, block)
		}
		if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != "CONNECT" && req.Method != "PRI" {
			return out, end("no Host", answerRefused, block)
		}
		if e := req.Header.Get("Expect"); e != "" && !hasToken([]byte(e), "100-continue") {
			return out, end("Expect refused", answer417, block)
		}
		if req.Method == http.MethodOptions && req.RequestURI == "*" {
			// net/http answers it itself, reading at most 4 KiB of body.
			n, err := io.Copy(io.Discard, io.LimitReader(req.Body, 4<<10+1))
			if err != nil || n > 4<<10 {
				return out, end("OPTIONS * body", answerOK, nil)
			}
			oc.Write([]byte(answerOK))
		} else {
			out.handled++
			oc.begin()
			got := oc.take(req)
			if got != nil {
				if !bytes.Equal(got, block) {
					return out, fmt.Errorf("request %d (%s %s): the follower gave the header block %q; net/http read %q", out.handled, req.Method, req.RequestURI, got, block)
				}
				out.ordered++
			}
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				// A body net/http cannot read: the server answers and
				// closes the connection.
				return out, end("the body failed: "+err.Error(), answerOK, nil)
			}
			oc.Write([]byte(answerOK))
		}
		if req.Close {
			return out, end("the request closes the connection", "", nil)
		}
		lastMethod = req.Method
	}
	return out, end("enough requests", "", nil)
}

// framingCase is a stream with the outcome the follower must reach on it
// (every request handed to a handler given its own block).
type framingCase struct {
	name   string
	stream string
	// handled requests, all with their block; refused: net/http refuses
	// the last one and the follower reports it.
	handled int
	refused bool
}

var framingCases = []framingCase{
	{name: "pipelined Content-Length", handled: 3, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-B: 1\r\nContent-Length: 5\r\n\r\nhello" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n" +
		"GET /hooks/a?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "HTTP/1.0 with Transfer-Encoding: its body is the next request", handled: 3, stream: "" +
		"POST /hooks/a HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Injected: evil\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Real: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{name: "HTTP/1.0 with Transfer-Encoding and Content-Length: the length counts", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n" +
		"0\r\n\r\nPOST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Injected: evil\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Real: 1\r\n\r\n"},
	{name: "HTTP/1.0 closes after one request", handled: 1, stream: "" +
		"POST /hooks/a HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "chunked with extensions and a trailer", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
		"3;ext=1\r\nabc\r\n2;q=\"x y\"\r\nde\r\n0\r\nX-T: 1\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nz"},
	{name: "chunked, mixed case, trailer ending in a bare LF", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ChUnKeD\r\n\r\n" +
		"A\r\n0123456789\r\n0\r\nX-T: 1\n\n" +
		"POST /hooks/b HTTP/1.1\r\nHost: t\r\n\r\n\r\n\r\n"},
	{name: "Transfer-Encoding overrides Content-Length", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "CR/LF after a POST are skipped", handled: 3, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n\n\r\n\r" +
		"GET /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "CR/LF after a GET are refused", handled: 1, refused: true, stream: "" +
		"GET /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n\r\n" +
		"GET /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "OPTIONS * is answered by net/http", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n" +
		"OPTIONS * HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-After: 1\r\n\r\n"},
	{name: "PRI * closes the connection", handled: 1, stream: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
	{name: "Expect: 100-continue", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n{}"},
	{name: "an unknown Expect is refused with 417", handled: 1, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}"},
	{name: "Connection: close ends the pipeline", handled: 1, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Never: read\r\n\r\n"},
	{name: "repeated equal Content-Length, spaces around it", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length:  3 \r\ncontent-length: 3\r\n\r\nabc" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "differing Content-Length is refused", handled: 1, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
	{name: "a signed Content-Length is refused", handled: 0, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc"},
	{name: "two Transfer-Encoding fields are refused", handled: 0, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "folded lines and bare LF line ends", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\nHost: t\nX-Folded: a \n \t b\nContent-Length:\n 2\n\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Long:\r\n  \r\n\r\n"},
	{name: "HTTP/1.9 takes Transfer-Encoding", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.9\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "a body that looks like requests", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 39\r\n\r\nPOST /hooks/a HTTP/1.1\r\nX-Fake: 1\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Real: 1\r\n\r\n"},
	{name: "a malformed header line is refused", handled: 1, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "a request cut short in its header is refused", handled: 1, refused: true, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nX-Cut: sh"},
	{name: "a request cut short in its body is the handler's", handled: 2, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\n{\"cut\":"},
	{name: "a chunk data not followed by CRLF", handled: 1, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
	{name: "a chunk-size line with a bare LF", handled: 1, stream: "" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\n{}\r\n0\r\n\r\n" +
		"POST /hooks/a HTTP/1.1\r\nHost: t\r\n\r\n"},
}

// TestFollowerFramingCases: on each case the follower agrees with net/http
// and gives every request handed to a handler its own header block.
func TestFollowerFramingCases(t *testing.T) {
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, pieces := range [][]int{nil, {1}, {3, 7, 1}, {4096}} {
				out, err := compareFraming([]byte(tc.stream), pieces)
				if err != nil {
					t.Fatalf("pieces %v: %v", pieces, err)
				}
				if out.handled != tc.handled || out.ordered != tc.handled || out.refused != tc.refused {
					t.Fatalf("pieces %v: %d requests handled, %d with their own block, refusal reported %v (ended: %s); want %d, %d, %v",
						pieces, out.handled, out.ordered, out.refused, out.finished, tc.handled, tc.handled, tc.refused)
				}
			}
		})
	}
}

// FuzzFollowerFraming is the differential fuzz test: any byte stream, read
// in pieces of any sizes.
func FuzzFollowerFraming(f *testing.F) {
	for _, tc := range framingCases {
		f.Add([]byte(tc.stream), uint64(0))
		f.Add([]byte(tc.stream), uint64(0x0103070b))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		f.Add(genStream(r), r.Uint64())
	}
	f.Fuzz(func(t *testing.T, stream []byte, pieceSeed uint64) {
		if _, err := compareFraming(stream, piecesOf(pieceSeed)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFollowerFramingGenerated runs the differential check over streams
// built from the pieces HTTP/1 framing is made of, mixed at random (a
// fixed seed: the same streams every run).
func TestFollowerFramingGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 20))
	n := 3000
	if testing.Short() {
		n = 300
	}
	handled, ordered := 0, 0
	for i := range n {
		stream := genStream(r)
		pieceSeed := r.Uint64()
		out, err := compareFraming(stream, piecesOf(pieceSeed))
		if err != nil {
			t.Fatalf("stream %d %q (pieces %v): %v", i, stream, piecesOf(pieceSeed), err)
		}
		handled += out.handled
		ordered += out.ordered
	}
	t.Logf("%d streams: %d requests handed to a handler, %d of them with their raw block", n, handled, ordered)
	if ordered < handled*3/4 {
		t.Errorf("the follower fell back on %d of %d requests", handled-ordered, handled)
	}
}

// piecesOf turns a seed into read sizes (nil: whole reads).
func piecesOf(seed uint64) []int {
	if seed == 0 {
		return nil
	}
	var p []int
	for range 4 {
		p = append(p, int(seed&0xff)+1)
		seed >>= 8
	}
	return p
}

// genStream builds a stream of one to five requests from the parts of
// HTTP/1 framing, valid and not.
func genStream(r *rand.Rand) []byte {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	var b strings.Builder
	for range 1 + r.IntN(5) {
		eol := pick("\r\n", "\r\n", "\r\n", "\n")
		method := pick("POST", "POST", "GET", "PUT", "OPTIONS", "PRI")
		target := pick("/hooks/a", "/hooks/b?x=1", "*", "/")
		proto := pick("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.0", "HTTP/1.9", "HTTP/2.0", "HTTP/0.9")
		fmt.Fprintf(&b, "%s %s %s%s", method, target, proto, eol)
		if r.IntN(8) > 0 {
			b.WriteString("Host: t" + eol)
		}
		body := pick("", "{}", "hello world", "POST /hooks/a HTTP/1.1\r\nX-Fake: 1\r\n\r\n", "0\r\n\r\n", "0\r\nX-Fake: 1\r\n\r\n")
		chunked := false
		for range r.IntN(4) {
			switch r.IntN(12) {
			case 0:
				fmt.Fprintf(&b, "Content-Length: %d%s", len(body), eol)
			case 1:
				fmt.Fprintf(&b, "Content-Length: %s%s", pick("+1", "", " 2 ", "3, 3", "-1", "99999999999999999999"), eol)
			case 2:
				b.WriteString("Transfer-Encoding: " + pick("chunked", "Chunked", "gzip, chunked", "chunked ", "identity") + eol)
				chunked = true
			case 3:
				b.WriteString("Connection: " + pick("close", "keep-alive", "Keep-Alive, TE", "upgrade") + eol)
			case 4:
				b.WriteString("Expect: " + pick("100-continue", "100-Continue", "teapot") + eol)
			case 5:
				b.WriteString("X-Folded: a" + eol + pick(" ", "\t", "  ") + "b" + eol)
			case 6:
				b.WriteString("Trailer: X-T" + eol)
			case 7:
				b.WriteString(pick("Bad Line", "X-Sp : 1", " lead: 1", "X\x01: 1") + eol)
			default:
				fmt.Fprintf(&b, "X-H%d: v%s", r.IntN(9), eol)
			}
		}
		b.WriteString(eol)
		if chunked && r.IntN(3) > 0 {
			for range r.IntN(3) {
				n := 1 + r.IntN(12)
				fmt.Fprintf(&b, "%x%s\r\n%s%s", n, pick("", ";ext=1", " ", ";a=\"b\""), strings.Repeat("c", n), pick("\r\n", "\r\n", "\n", "XX"))
			}
			b.WriteString(pick("0\r\n\r\n", "0\r\n\r\n", "0\r\nX-T: 1\r\n\r\n", "0\r\nX-T: 1\n\n", "0\n\n", "00\r\n\r\n"))
		} else {
			b.WriteString(body)
		}
		b.WriteString(pick("", "", "", "\r\n", "\n", "\r\n\r\n"))
	}
	return []byte(b.String())
}
