package receiver

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/hookscope/hookscope/db"
)

// net/http parses headers into a map and forgets their order. To record
// headers exactly as they arrived, the receiver's listener wraps each
// connection in an orderConn, which follows the bytes the server reads
// with net/http's own framing rules (the header block; then the body its
// Content-Length or, from HTTP/1.1 on, its chunked Transfer-Encoding
// delimits; the CR/LF net/http skips after a POST) and keeps every
// request's raw header block in a queue. Each request net/http hands to a
// handler takes the next block; the handler keeps it only when it is that
// request's (same request line, and field for field the header map
// net/http parsed) and parses it into an ordered list. Wherever the
// follower cannot be sure of a boundary (a framing net/http refuses, a
// malformed chunk, a block that does not match) it stops following the
// connection, and the handler falls back to net/http's map, Host first and
// the rest sorted by name: a header block is never given to a request it
// does not belong to.

type orderListener struct {
	net.Listener
	max int // bytes of header block kept before giving up on a connection
	// refused is told, when a connection closes after net/http answered a
	// request itself with an error (a malformed line, a bad header, a
	// header block over its limit), of that one request: the header block
	// (or what arrived of it), whether it outgrew the limit, and the
	// status net/http sent.
	refused func(block []byte, tooLarge bool, status int, remote string)
}

func (l orderListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &orderConn{Conn: c, max: l.max, refused: l.refused}, nil
}

// The states of the framing follower.
const (
	stHeader    = iota // reading a header block
	stBody             // skipping a Content-Length body
	stChunkSize        // reading a chunk-size line
	stChunkData        // skipping chunk data
	stChunkCRLF        // reading the CRLF after chunk data
	stTrailer          // reading the trailer section after the last chunk
	stStopped          // no further request is followed on this connection
)

// Limits net/http applies to a chunked body (net/http/internal/chunked.go
// and body.readTrailer): a chunk-size line must fit the server's 4 KiB
// read buffer, the trailer's end must show within it, and the overhead
// of the chunk lines is bounded.
const (
	maxChunkLine   = 4096 // bytes of a chunk-size line, its LF included
	maxTrailerPeek = 4096
	maxChunkExcess = 16 << 10
)

// queued is a header block the follower framed.
type queued struct {
	block []byte
	// self is set for "OPTIONS *", which net/http answers itself.
	self bool
}

type orderConn struct {
	net.Conn
	max     int
	refused func(block []byte, tooLarge bool, status int, remote string)

	mu        sync.Mutex
	state     int
	buf       []byte // header block, chunk line, CRLF or trailer being gathered
	remaining uint64 // bytes left in a body or chunk
	excess    int64  // net/http's account of chunk overhead
	skipCRLF  int    // leading CR/LF net/http skips before the next request line
	closing   bool   // net/http reads no request after the current one
	blocks    []queued
	// current is the block of the request a handler is serving (nil when
	// the follower had none for it).
	current []byte
	// inflight is set while a handler serves a request whose answer has
	// not started; an answer written while it is clear is net/http's own.
	inflight bool
	// refusal is the status of net/http's own error answer when that was
	// the last answer written on the connection, else 0.
	refusal int
	// overflow keeps the start of a header block that outgrew max.
	overflow []byte
	closed   bool
}

// Write notes the answers net/http writes: a handler's, or its own (an
// error refusing a request, the answer to "OPTIONS *").
func (c *orderConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if code := statusOf(p); code >= 200 {
		c.mu.Lock()
		switch {
		case c.inflight:
			c.inflight, c.refusal = false, 0
		case code >= 400 && closesAfter(p) && err == nil:
			// net/http refused a request with an error and a
			// Connection: close (and the answer went out).
			c.refusal = code
		case code < 400 && len(c.blocks) > 0 && c.blocks[0].self:
			c.blocks[0] = queued{}
			c.blocks = c.blocks[1:]
		}
		c.mu.Unlock()
	}
	return n, err
}

// statusOf is the status of an answer whose status line starts p, or 0.
func statusOf(p []byte) int {
	if len(p) < 13 || !(bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || bytes.HasPrefix(p, []byte("HTTP/1.0 "))) || p[12] != ' ' {
		return 0
	}
	code := 0
	for _, b := range p[9:12] {
		if b < '0' || b > '9' {
			return 0
		}
		code = code*10 + int(b-'0')
	}
	return code
}

// closesAfter reports whether the answer starting p says Connection: close
// in its header, as every error net/http sends by itself does.
func closesAfter(p []byte) bool {
	if end := bytes.Index(p, []byte("\r\n\r\n")); end >= 0 {
		p = p[:end+2]
	}
	return bytes.Contains(p, []byte("\r\nConnection: close\r\n"))
}

// CloseWrite half-closes the TCP connection underneath. net/http does so
// (a FIN after its last answer) before it lingers and closes a connection
// it will not read further, so that a client still sending reads the
// answer and the end of the stream rather than a reset; hidden by the
// wrapper, the FIN was never sent.
func (c *orderConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// Close reports the request net/http refused before any handler saw it.
func (c *orderConn) Close() error {
	err := c.Conn.Close()
	c.mu.Lock()
	if c.closed || c.refused == nil || c.refusal == 0 {
		c.closed = true
		c.mu.Unlock()
		return err
	}
	c.closed = true
	status := c.refusal
	// Every request before the refused one was handed to a handler or
	// answered by net/http: the refused one is the first still queued, or
	// the header block net/http stopped reading.
	var block []byte
	tooLarge := false
	switch {
	case len(c.blocks) > 0:
		block, tooLarge = c.blocks[0].block, status == http.StatusRequestHeaderFieldsTooLarge
	case c.overflow != nil:
		block, tooLarge = c.overflow, true
	case c.state == stHeader && len(c.buf) > 0:
		n := min(len(c.buf), 64<<10)
		block, tooLarge = c.buf[:n:n], status == http.StatusRequestHeaderFieldsTooLarge
	}
	c.blocks, c.overflow, c.buf, c.current = nil, nil, nil, nil
	c.mu.Unlock()
	if block != nil {
		c.refused(block, tooLarge, status, c.RemoteAddr().String())
	}
	return err
}

func (c *orderConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.feed(p[:n])
		c.mu.Unlock()
	}
	return n, err
}

// feed advances the framing follower over bytes the server read.
func (c *orderConn) feed(data []byte) {
	for len(data) > 0 {
		switch c.state {
		case stHeader:
			if len(c.buf) == 0 && c.skipCRLF > 0 {
				// After a POST, net/http skips up to four CR or LF
				// before the next request line.
				for c.skipCRLF > 0 && len(data) > 0 && (data[0] == '\r' || data[0] == '\n') {
					data = data[1:]
					c.skipCRLF--
				}
				if len(data) == 0 {
					return
				}
				c.skipCRLF = 0
			}
			start := max(0, len(c.buf)-3)
			c.buf = append(c.buf, data...)
			end := headerEnd(c.buf, start)
			if end < 0 {
				if len(c.buf) > c.max {
					c.overflow = c.buf[:min(len(c.buf), 64<<10):min(len(c.buf), 64<<10)]
					c.lose()
				}
				return
			}
			block, rest := c.buf[:end:end], c.buf[end:]
			c.buf = nil
			f := parseFraming(block)
			c.blocks = append(c.blocks, queued{block: block, self: f.self})
			c.enterBody(f)
			data = rest
		case stBody, stChunkData:
			k := min(uint64(len(data)), c.remaining)
			c.remaining -= k
			data = data[k:]
			if c.remaining == 0 {
				if c.state == stBody {
					c.endBody()
				} else {
					c.state = stChunkCRLF
				}
			}
		case stChunkCRLF:
			// Chunk data is followed by exactly CRLF.
			for len(data) > 0 && len(c.buf) < 2 {
				c.buf = append(c.buf, data[0])
				data = data[1:]
			}
			if len(c.buf) < 2 {
				return
			}
			if c.buf[0] != '\r' || c.buf[1] != '\n' {
				c.stop()
				return
			}
			c.buf = c.buf[:0]
			c.state = stChunkSize
		case stChunkSize:
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				c.buf = append(c.buf, data...)
				if len(c.buf) >= maxChunkLine {
					c.stop()
				}
				return
			}
			if len(c.buf)+i+1 > maxChunkLine {
				c.stop()
				return
			}
			line := append(c.buf, data[:i]...)
			data = data[i+1:]
			c.buf = c.buf[:0]
			size, ok := c.chunkSize(line)
			switch {
			case !ok:
				c.stop()
				return
			case size == 0:
				c.state = stTrailer
			default:
				c.remaining = size
				c.state = stChunkData
			}
		case stTrailer:
			n := min(len(data), maxTrailerPeek-len(c.buf))
			c.buf = append(c.buf, data[:n]...)
			end := trailerEnd(c.buf)
			switch {
			case end > 0:
				// What was gathered past the trailer's end comes next.
				data = append(bytes.Clone(c.buf[end:]), data[n:]...)
				c.buf = nil
				c.endBody()
			case end < 0 || len(c.buf) >= maxTrailerPeek:
				c.stop()
				return
			default:
				return
			}
		default: // stStopped
			return
		}
	}
}

// trailerEnd is the length of the trailer section starting b (through its
// empty line), 0 when more bytes are needed, -1 when net/http would not
// read it as one. net/http takes a lone CRLF at once; otherwise it wants
// to see CRLF CRLF within its read buffer, then reads header lines up to
// the first empty one.
func trailerEnd(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	if b[0] == '\r' && b[1] == '\n' {
		return 2
	}
	if !bytes.Contains(b, []byte("\r\n\r\n")) {
		return 0
	}
	if b[0] == '\n' {
		return 1
	}
	return headerEnd(b, 0)
}

// chunkSize parses a chunk-size line (without its LF) as net/http does,
// counting its overhead; ok is false where net/http fails the body.
func (c *orderConn) chunkSize(line []byte) (size uint64, ok bool) {
	if len(line) == 0 || line[len(line)-1] != '\r' || bytes.IndexByte(line, '\r') != len(line)-1 {
		return 0, false // a bare LF, or a CR inside the line
	}
	line = line[:len(line)-1]
	c.excess += int64(len(line)) + 2
	line = bytes.TrimRight(line, " \t")
	line, _, _ = bytes.Cut(line, []byte(";"))
	if len(line) == 0 || len(line) > 16 {
		return 0, false
	}
	for _, b := range line {
		var d byte
		switch {
		case '0' <= b && b <= '9':
			d = b - '0'
		case 'a' <= b && b <= 'f':
			d = b - 'a' + 10
		case 'A' <= b && b <= 'F':
			d = b - 'A' + 10
		default:
			return 0, false
		}
		size = size<<4 | uint64(d)
	}
	// net/http's guard against a flood of tiny chunks.
	c.excess -= 16 + 2*int64(size)
	c.excess = max(c.excess, 0)
	if c.excess > maxChunkExcess {
		return 0, false
	}
	return size, true
}

// enterBody sets the follower up for the body that follows a header block.
func (c *orderConn) enterBody(f framing) {
	if f.unsure {
		c.stop()
		return
	}
	c.closing = f.close
	c.skipCRLF = 0
	if f.post {
		c.skipCRLF = 4
	}
	switch {
	case f.chunked:
		c.state, c.excess = stChunkSize, 0
	case f.length > 0:
		c.state, c.remaining = stBody, uint64(f.length)
	default:
		c.endBody()
	}
}

// endBody is the end of a request: the next header block follows, unless
// net/http closes the connection after this request.
func (c *orderConn) endBody() {
	if c.closing {
		c.stop()
		return
	}
	c.state = stHeader
}

// stop ends the following of this connection: the blocks framed so far
// stay queued, nothing after them is framed.
func (c *orderConn) stop() {
	c.state = stStopped
	c.buf = nil
}

// lose is stop, and forgets the queued blocks too (the follower is out of
// step with the server).
func (c *orderConn) lose() {
	c.stop()
	c.blocks = nil
}

// framing is what a header block says about the request's body and the
// connection, read as net/http reads it.
type framing struct {
	length  int64 // Content-Length (0 when none)
	chunked bool
	// close: net/http reads no further request on the connection.
	close bool
	post  bool // net/http skips CR/LF before the next request line
	self  bool // "OPTIONS *", answered by net/http itself
	// unsure: net/http refuses this request, or the follower cannot tell
	// where the next one starts.
	unsure bool
}

// parseFraming reads a complete header block's framing with net/http's
// rules (net/http/transfer.go readTransfer and fixLength): Transfer-Encoding
// is ignored before HTTP/1.1 and otherwise must be exactly one field
// "chunked", which overrides Content-Length; several Content-Length fields
// must agree; a Content-Length is digits only.
func parseFraming(block []byte) framing {
	var f framing
	line := block
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 {
		return framing{unsure: true}
	}
	var major, minor int
	switch string(proto) {
	case "HTTP/1.1":
		major, minor = 1, 1
	case "HTTP/1.0":
		major, minor = 1, 0
	default:
		var ok bool
		if major, minor, ok = http.ParseHTTPVersion(string(proto)); !ok {
			return framing{unsure: true}
		}
	}
	f.post = string(method) == http.MethodPost
	f.self = string(method) == http.MethodOptions && string(target) == "*"

	var teArr, clArr [2][]byte
	te, cl := teArr[:0], clArr[:0]
	fields, hasClose, hasKeepAlive := 0, false, false
	malformed := false
	eachField(block, func(name, value []byte) {
		fields++
		switch {
		case name == nil:
			malformed = true
		case asciiEqualFold(name, "Transfer-Encoding"):
			te = append(te, value)
		case asciiEqualFold(name, "Content-Length"):
			cl = append(cl, value)
		case asciiEqualFold(name, "Connection"):
			hasClose = hasClose || hasToken(value, "close")
			hasKeepAlive = hasKeepAlive || hasToken(value, "keep-alive")
		}
	})
	if malformed {
		return framing{unsure: true}
	}
	if major > 1 || major == 1 && minor >= 1 {
		if len(te) > 0 {
			if len(te) != 1 || !asciiEqualFold(te[0], "chunked") {
				return framing{unsure: true} // net/http answers 501
			}
			f.chunked = true
		}
	}
	if len(cl) > 0 {
		first := bytes.Trim(cl[0], " \t\r\n")
		for _, v := range cl[1:] {
			if !bytes.Equal(bytes.Trim(v, " \t\r\n"), first) {
				return framing{unsure: true}
			}
		}
		n, err := strconv.ParseUint(string(first), 10, 63)
		if err != nil {
			return framing{unsure: true}
		}
		if !f.chunked {
			f.length = int64(n)
		}
	}
	switch {
	case major < 1:
		f.close = true
	case major == 1 && minor == 0:
		f.close = hasClose || !hasKeepAlive
	default:
		f.close = hasClose
	}
	if string(method) == "PRI" && string(target) == "*" && string(proto) == "HTTP/2.0" && fields == 0 {
		f.close = true // an HTTP/2 preface: net/http closes after it
	}
	return f
}

// asciiEqualFold is strings.EqualFold for ASCII only, as HTTP compares
// field names and tokens (no Unicode folding: "ſ" is not "s").
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasToken reports whether a comma-separated field value holds token
// (httpguts.HeaderValuesContainsToken for one value).
func hasToken(v []byte, token string) bool {
	for part := range bytes.SplitSeq(v, []byte(",")) {
		if asciiEqualFold(bytes.Trim(part, " \t"), token) {
			return true
		}
	}
	return false
}

type connKey struct{}

// withConn is the server's ConnContext: it lets handlers reach their
// connection's header blocks.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if oc, ok := c.(*orderConn); ok {
		return context.WithValue(ctx, connKey{}, oc)
	}
	return ctx
}

// followDispatch wraps the server's handler: each request net/http hands
// to it is the one whose header block is next in its connection's queue.
func followDispatch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if oc, ok := r.Context().Value(connKey{}).(*orderConn); ok {
			oc.begin()
		}
		next.ServeHTTP(w, r)
	})
}

// begin hands the next queued block to the request a handler starts on.
func (c *orderConn) begin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight, c.refusal = true, 0
	// An "OPTIONS *" still queued was answered by net/http already.
	for len(c.blocks) > 0 && c.blocks[0].self {
		c.blocks[0] = queued{}
		c.blocks = c.blocks[1:]
	}
	c.current = nil
	if len(c.blocks) > 0 {
		c.current = c.blocks[0].block
		c.blocks[0] = queued{}
		c.blocks = c.blocks[1:]
	}
}

// take returns the raw header block of r, or nil when the follower has
// none it is sure of: the block handed to r's handler must carry r's
// request line and exactly the fields net/http parsed into r.Header.
func (c *orderConn) take(r *http.Request) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	block := c.current
	c.current = nil
	if block == nil {
		return nil
	}
	if !bytes.HasPrefix(block, []byte(r.Method+" "+r.RequestURI+" ")) || !sameFields(block, r.Header) {
		// Out of step with the server: stop following this connection.
		c.lose()
		return nil
	}
	return block
}

// rewritten are the fields net/http moves out of the map (Host), drops
// (Transfer-Encoding, and Content-Length and Trailer beside chunked) or
// rewrites (several equal Content-Length become one), and Cache-Control,
// which it may add to an HTTP/1.0 request saying Pragma: no-cache.
var rewritten = []string{"Host", "Transfer-Encoding", "Content-Length", "Trailer", "Cache-Control"}

// sameFields reports whether the fields of block are those of h: the n-th
// field of a name in the block is the n-th value net/http parsed for that
// name, and h holds no other (the fields net/http rewrites aside).
func sameFields(block []byte, h http.Header) bool {
	// The fields point into block (a folded one is a copy); most blocks
	// fit the array, and lookups go through a stack buffer, so a typical
	// request allocates nothing here.
	var arr [32]struct{ name, value []byte }
	fields := arr[:0]
	ok := true
	eachField(block, func(name, value []byte) {
		if name == nil {
			ok = false
		}
		fields = append(fields, struct{ name, value []byte }{name, value})
	})
	if !ok {
		return false
	}
	var kb [128]byte
	var seen map[string]int // occurrences so far, for a block of many fields
	if len(fields) > len(arr) {
		seen = make(map[string]int)
	}
	compared := 0
	for i, f := range fields {
		key := canonicalKey(kb[:0], f.name)
		if string(key) == "Cache-Control" {
			if len(h["Cache-Control"]) == 0 {
				return false
			}
			continue
		}
		if isRewritten(key) {
			continue
		}
		n := 0 // earlier fields of the same name
		if seen != nil {
			n = seen[string(key)]
			seen[string(key)] = n + 1
		} else {
			for _, g := range fields[:i] {
				if asciiEqualFold(g.name, string(f.name)) {
					n++
				}
			}
		}
		vs := h[string(key)]
		if n >= len(vs) || vs[n] != string(f.value) {
			return false
		}
		compared++
	}
	total := 0
	for k, vs := range h {
		if !slices.Contains(rewritten, k) {
			total += len(vs)
		}
	}
	return total == compared
}

func isRewritten(key []byte) bool {
	for _, s := range rewritten {
		if string(key) == s {
			return true
		}
	}
	return false
}

// canonicalKey appends the canonical form of a field name to dst, as
// net/textproto writes it for a valid name ("content-type" is
// "Content-Type").
func canonicalKey(dst, name []byte) []byte {
	upper := true
	for _, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// orderedHeaders returns r's headers in arrival order, with exact names.
// ordered is false when the fallback (Host, then sorted names) was used.
func orderedHeaders(r *http.Request) (hs []db.Header, ordered bool) {
	if oc, ok := r.Context().Value(connKey{}).(*orderConn); ok {
		if block := oc.take(r); block != nil {
			hs = make([]db.Header, 0, len(r.Header)+1)
			eachHeaderLine(block, func(name, value string) {
				hs = append(hs, db.Header{Name: name, Value: value})
			})
			return hs, true
		}
	}
	return mapHeaders(r), false
}

// mapHeaders lists r.Header with Host first and names sorted.
func mapHeaders(r *http.Request) []db.Header {
	hs := make([]db.Header, 0, len(r.Header)+1)
	if r.Host != "" {
		hs = append(hs, db.Header{Name: "Host", Value: r.Host})
	}
	return append(hs, db.HeadersFromHTTP(r.Header)...)
}

// headerEnd finds the end of a header block (after its empty line),
// searching from start; -1 when the block is not complete.
func headerEnd(b []byte, start int) int {
	for i := start; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// fieldLines yields the lines of a raw header block after the request
// line, without their line ends, up to the empty line that ends it. Each
// line it yields is non-empty.
func fieldLines(block []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		first := true
		for len(block) > 0 {
			var line []byte
			if i := bytes.IndexByte(block, '\n'); i < 0 {
				line, block = block, nil
			} else {
				line, block = block[:i], block[i+1:]
			}
			line = bytes.TrimSuffix(line, []byte{'\r'})
			if first {
				first = false
				continue
			}
			if len(line) == 0 || !yield(line) {
				return
			}
		}
	}
}

// eachField calls fn for every field of a raw header block (the request
// line skipped), in order, as net/textproto reads them: an obsolete folded
// line joins the field before it with one space, each physical line
// trimmed of spaces and tabs; the value starts after the colon and its
// leading spaces and tabs. A line net/textproto refuses (no colon, or a
// folded line first) gives fn a nil name; the slices are only valid
// during the call.
func eachField(block []byte, fn func(name, value []byte)) {
	var kv []byte
	have, joined, colon := false, false, false
	flush := func() {
		if !have {
			return
		}
		k, v, _ := bytes.Cut(kv, []byte(":"))
		if !colon {
			fn(nil, nil)
			return
		}
		fn(k, bytes.TrimLeft(v, " \t"))
	}
	for line := range fieldLines(block) {
		if line[0] == ' ' || line[0] == '\t' {
			if !have {
				fn(nil, nil)
				continue
			}
			if !joined {
				kv, joined = bytes.Clone(kv), true
			}
			kv = append(append(kv, ' '), trimOWS(line)...)
			continue
		}
		flush()
		kv, have, joined = trimOWS(line), true, false
		colon = bytes.IndexByte(line, ':') >= 0
	}
	flush()
}

// trimOWS trims spaces and tabs from both ends of b.
func trimOWS(b []byte) []byte { return bytes.Trim(b, " \t") }

// eachHeaderLine calls fn for every well-formed field of a raw header
// block, in order (see eachField).
func eachHeaderLine(block []byte, fn func(name, value string)) {
	eachField(block, func(name, value []byte) {
		if name != nil {
			fn(string(name), string(value))
		}
	})
}
