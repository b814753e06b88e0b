package receiver

import (
	"bytes"
	"context"
	"iter"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hookscope/hookscope/db"
)

// net/http parses headers into a map and forgets their order. To record
// headers exactly as they arrived, the receiver's listener wraps each
// connection in an orderConn, which follows the HTTP/1.1 framing of the
// bytes the server reads (header block, then a Content-Length or chunked
// body) and keeps every request's raw header block in a queue. The handler
// takes the block for its request (checked against the request line) and
// parses it into an ordered list. When a block is not available (a framing
// the follower does not track, an upgrade), the handler falls back to
// net/http's map, Host first and the rest sorted by name.

type orderListener struct {
	net.Listener
	max int // bytes of header block kept before giving up on a connection
	// refused is told, when a connection closes, of every complete header
	// block no handler took (net/http refused the request itself: a
	// malformed line, a bad header) and of a header block that outgrew max,
	// with the status net/http answered (0 when none was seen).
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
	stChunkCRLF        // skipping the CRLF after chunk data
	stTrailer          // reading trailer lines until an empty one
	stLost             // framing no longer followed on this connection
)

// maxChunkLine bounds a chunk-size or trailer line.
const maxChunkLine = 4096

type orderConn struct {
	net.Conn
	max     int
	refused func(block []byte, tooLarge bool, status int, remote string)

	mu        sync.Mutex
	state     int
	buf       []byte // header block (or chunk line) being gathered
	remaining int64  // bytes left in a body or chunk
	blocks    [][]byte
	// overflow keeps the start of a header block that outgrew max.
	overflow []byte
	// status is the last status line net/http wrote on the connection.
	status int
	closed bool
}

// Write notes the status of answers net/http writes itself.
func (c *orderConn) Write(p []byte) (int, error) {
	if len(p) >= 12 && bytes.HasPrefix(p, []byte("HTTP/1.")) {
		if code, err := strconv.Atoi(string(p[9:12])); err == nil {
			c.mu.Lock()
			c.status = code
			c.mu.Unlock()
		}
	}
	return c.Conn.Write(p)
}

// Close reports the requests net/http refused before any handler saw them.
func (c *orderConn) Close() error {
	err := c.Conn.Close()
	c.mu.Lock()
	// net/http refuses with a 4xx or 5xx; anything else was answered.
	if c.closed || c.refused == nil || c.status < 400 {
		c.mu.Unlock()
		return err
	}
	c.closed = true
	blocks, overflow, status := c.blocks, c.overflow, c.status
	if overflow == nil && c.state == stHeader && len(c.buf) > 0 && status == 431 {
		// net/http stopped reading at its limit, before ours.
		n := min(len(c.buf), 64<<10)
		overflow = c.buf[:n:n]
	}
	c.blocks, c.overflow, c.buf = nil, nil, nil
	c.mu.Unlock()
	remote := c.RemoteAddr().String()
	for _, b := range blocks {
		c.refused(b, false, status, remote)
	}
	if overflow != nil {
		c.refused(overflow, true, status, remote)
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
			c.blocks = append(c.blocks, block)
			c.frame(block)
			data = rest
		case stBody, stChunkData:
			k := min(int64(len(data)), c.remaining)
			c.remaining -= k
			data = data[k:]
			if c.remaining == 0 {
				if c.state == stBody {
					c.state = stHeader
				} else {
					c.state = stChunkCRLF
				}
			}
		case stChunkCRLF:
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				return
			}
			data = data[i+1:]
			c.state = stChunkSize
		case stChunkSize, stTrailer:
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				c.buf = append(c.buf, data...)
				if len(c.buf) > maxChunkLine {
					c.lose()
				}
				return
			}
			line := bytes.TrimRight(append(c.buf, data[:i]...), "\r")
			c.buf = c.buf[:0]
			data = data[i+1:]
			if c.state == stTrailer {
				if len(line) == 0 {
					c.state = stHeader
					c.buf = nil
				}
				continue
			}
			if j := bytes.IndexByte(line, ';'); j >= 0 {
				line = line[:j]
			}
			size, err := strconv.ParseInt(strings.TrimSpace(string(line)), 16, 64)
			switch {
			case err != nil || size < 0:
				c.lose()
				return
			case size == 0:
				c.state = stTrailer
			default:
				c.remaining = size
				c.state = stChunkData
			}
		default: // stLost
			return
		}
	}
}

func (c *orderConn) lose() {
	c.state = stLost
	c.buf = nil
	c.blocks = nil
}

// frame sets the follower's state for the body that follows block.
func (c *orderConn) frame(block []byte) {
	var length int64
	chunked := false
	if !bytes.Contains(block, []byte("\n ")) && !bytes.Contains(block, []byte("\n\t")) {
		// No folded lines: look at the two fields in place, without the
		// strings eachHeaderLine makes of every field.
		length, chunked = framingFields(block)
	} else {
		length, chunked = framingFieldsFolded(block)
	}
	switch {
	case chunked:
		c.state = stChunkSize
	case length > 0:
		c.state = stBody
		c.remaining = length
	default:
		c.state = stHeader
	}
}

// framingFields reads Transfer-Encoding (chunked or not) and
// Content-Length from a header block without folded lines, as
// framingFieldsFolded would.
func framingFields(block []byte) (length int64, chunked bool) {
	for line := range fieldLines(block) {
		j := bytes.IndexByte(line, ':')
		if j < 0 {
			continue
		}
		name, value := line[:j], bytes.Trim(line[j+1:], " \t")
		switch {
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if bytes.Contains(bytes.ToLower(value), []byte("chunked")) {
				chunked = true
			}
		case bytes.EqualFold(name, []byte("Content-Length")):
			if n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64); err == nil {
				length = n
			}
		}
	}
	return length, chunked
}

// framingFieldsFolded is framingFields for any header block.
func framingFieldsFolded(block []byte) (length int64, chunked bool) {
	eachHeaderLine(block, func(name, value string) {
		switch {
		case strings.EqualFold(name, "Transfer-Encoding"):
			if strings.Contains(strings.ToLower(value), "chunked") {
				chunked = true
			}
		case strings.EqualFold(name, "Content-Length"):
			if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil {
				length = n
			}
		}
	})
	return length, chunked
}

// take returns the raw header block of the request with this method and
// request-target, or nil when it is not the next one queued.
func (c *orderConn) take(method, target string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.blocks) == 0 {
		return nil
	}
	block := c.blocks[0]
	c.blocks[0] = nil
	c.blocks = c.blocks[1:]
	line := block
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if !bytes.HasPrefix(line, []byte(method+" "+target+" ")) {
		// Out of step with the server: stop following this connection.
		c.lose()
		return nil
	}
	return block
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

// eachHeaderLine calls fn for every field line of a raw header block (the
// request line skipped), joining obsolete folded lines, in order.
func eachHeaderLine(block []byte, fn func(name, value string)) {
	var name, value string
	have := false
	for line := range fieldLines(block) {
		if line[0] == ' ' || line[0] == '\t' {
			if have {
				value += " " + strings.Trim(string(line), " \t")
			}
			continue
		}
		if have {
			fn(name, value)
		}
		j := bytes.IndexByte(line, ':')
		if j < 0 {
			have = false
			continue
		}
		name, value, have = string(line[:j]), strings.Trim(string(line[j+1:]), " \t"), true
	}
	if have {
		fn(name, value)
	}
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

// orderedHeaders returns r's headers in arrival order, with exact names.
// ordered is false when the fallback (Host, then sorted names) was used.
func orderedHeaders(r *http.Request) (hs []db.Header, ordered bool) {
	if oc, ok := r.Context().Value(connKey{}).(*orderConn); ok {
		if block := oc.take(r.Method, r.RequestURI); block != nil {
			hs = make([]db.Header, 0, len(r.Header)+1)
			eachHeaderLine(block, func(name, value string) {
				hs = append(hs, db.Header{Name: name, Value: value})
			})
			return hs, true
		}
	}
	return mapHeaders(r), false
}

// skipHeaders drops r's header block, for handlers that record nothing.
func skipHeaders(r *http.Request) {
	if oc, ok := r.Context().Value(connKey{}).(*orderConn); ok {
		oc.take(r.Method, r.RequestURI)
	}
}

// mapHeaders lists r.Header with Host first and names sorted.
func mapHeaders(r *http.Request) []db.Header {
	hs := make([]db.Header, 0, len(r.Header)+1)
	if r.Host != "" {
		hs = append(hs, db.Header{Name: "Host", Value: r.Host})
	}
	return append(hs, db.HeadersFromHTTP(r.Header)...)
}
